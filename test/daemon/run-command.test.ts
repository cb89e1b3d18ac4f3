import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { parseListen, runSettings } from '../../src/daemon/run-options.ts';
import { eventually } from '../helpers/eventually.ts';
import { tempDir, writeFiles, onCleanup } from './helpers.ts';

const ctx = { env: { HOOK_SECRET: 's3cr3t', SLACK_URL: 'https://hooks.slack.com/services/T/B/X' }, cwd: '/srv/cfg' };

test('run flags: git source defaults, loopback listen, webhook filtered to the followed branch', async () => {
  const s = await runSettings({ repo: 'https://github.com/acme/cfg.git', path: '/manifests/', 'webhook-secret-env': 'HOOK_SECRET', 'notify-url-env': 'SLACK_URL' }, ctx);
  assert.deepEqual(s.source, { kind: 'git', repo: 'https://github.com/acme/cfg.git', branch: 'main', path: 'manifests', cacheDir: '/srv/cfg/.flowsync/cache', pollMs: 60_000 });
  assert.equal(s.intervalMs, 300_000);
  assert.equal(s.mode, 'apply');
  assert.deepEqual(s.listen, { host: '127.0.0.1', port: 9465 });
  assert.deepEqual(s.webhook, { secret: 's3cr3t', insecure: false, branch: 'main' });
  assert.equal(s.notifyUrl, ctx.env.SLACK_URL);
});

test('run flags: a folder source, observe mode, short interval, polling off', async () => {
  const s = await runSettings({ dir: 'manifests', mode: 'observe', interval: '250ms', listen: 'off' }, ctx);
  assert.deepEqual(s.source, { kind: 'folder', dir: '/srv/cfg/manifests' });
  assert.equal(s.mode, 'observe');
  assert.equal(s.intervalMs, 250);
  assert.equal(s.listen, null);
  assert.deepEqual(s.webhook, { insecure: false });
});

test('run flags: mistakes are usage errors, a missing secret is FS_DAEMON_SECRET', async () => {
  const usage = (e: unknown) => isFlowsyncError(e, 'FS_CLI_USAGE');
  await assert.rejects(runSettings({}, ctx), usage);
  await assert.rejects(runSettings({ repo: 'x', dir: 'y' }, ctx), usage);
  await assert.rejects(runSettings({ dir: 'y', branch: 'main' }, ctx), usage);
  await assert.rejects(runSettings({ dir: 'y', mode: 'yolo' }, ctx), usage);
  await assert.rejects(runSettings({ dir: 'y', interval: '5 minutes' }, ctx), usage);
  await assert.rejects(runSettings({ dir: 'y', 'webhook-secret-env': 'NOPE' }, ctx), (e: unknown) => isFlowsyncError(e, 'FS_DAEMON_SECRET') && /NOPE/.test(e.message));
  await assert.rejects(runSettings({ dir: 'y', 'webhook-secret-file': '/nonexistent/secret' }, ctx), (e: unknown) => isFlowsyncError(e, 'FS_DAEMON_SECRET'));
});

test('run flags: the webhook secret file is read without its trailing newline', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'secret'), 'from-file\n');
  const s = await runSettings({ dir: '.', 'webhook-secret-file': 'secret' }, { env: {}, cwd: dir });
  assert.equal(s.webhook.secret, 'from-file');
});

test('run flags: FLOWSYNC_LISTEN and FLOWSYNC_CACHE_DIR are the defaults a container sets; flags win, empty counts as unset', async () => {
  const env = { FLOWSYNC_LISTEN: '0.0.0.0:9465', FLOWSYNC_CACHE_DIR: '/var/cache/flowsync' };
  const pod = await runSettings({ repo: 'https://github.com/acme/cfg.git' }, { env, cwd: '/' });
  assert.deepEqual(pod.listen, { host: '0.0.0.0', port: 9465 });
  assert.equal(pod.source.kind === 'git' && pod.source.cacheDir, '/var/cache/flowsync');
  const flags = await runSettings({ repo: 'https://github.com/acme/cfg.git', listen: 'off', 'cache-dir': 'c' }, { env, cwd: '/srv' });
  assert.equal(flags.listen, null);
  assert.equal(flags.source.kind === 'git' && flags.source.cacheDir, '/srv/c');
  const empty = await runSettings({ repo: 'https://github.com/acme/cfg.git' }, { env: { FLOWSYNC_LISTEN: '', FLOWSYNC_CACHE_DIR: '' }, cwd: '/srv' });
  assert.deepEqual(empty.listen, { host: '127.0.0.1', port: 9465 });
  assert.equal(empty.source.kind === 'git' && empty.source.cacheDir, '/srv/.flowsync/cache');
  await assert.rejects(runSettings({ dir: '.' }, { env: { FLOWSYNC_LISTEN: '9465' }, cwd: '/' }), (e: unknown) => isFlowsyncError(e, 'FS_CLI_USAGE') && /FLOWSYNC_LISTEN must be HOST:PORT/.test(e.message));
});

test('--listen forms', () => {
  assert.deepEqual(parseListen('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListen(':9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.equal(parseListen('off'), null);
  assert.throws(() => parseListen('8080'));
  assert.throws(() => parseListen('host:99999'));
});

test('SIGTERM: the daemon stops cleanly and exits 0 within 5 s', async (t) => {
  const dir = await tempDir(t);
  await writeFiles(dir, { 'flowsync.yaml': 'org: x\n' });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/run-child.ts', import.meta.url)), '--dir', dir, '--listen', '127.0.0.1:0', '--interval', '1h'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(t, () => child.kill("SIGKILL"));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await eventually(() => /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1], { timeoutMs: 20_000, message: 'daemon did not start' });
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const t0 = Date.now();
  child.kill('SIGTERM');
  assert.equal(await exited, 0, out);
  assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
  assert.match(out, /"event":"stopped"/);
});

test('run flags: the git token comes from --git-token-env or --git-token-file as a header value; a URL with credentials still works but warns', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'token'), 'file-token-abc\n');
  const basic = (token: string) => `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const fromEnv = await runSettings({ repo: 'https://github.com/acme/cfg.git', 'git-token-env': 'GIT_TOKEN' }, { env: { GIT_TOKEN: 'env-token-xyz' }, cwd: dir });
  assert.equal(fromEnv.source.kind === 'git' && fromEnv.source.authorization, basic('env-token-xyz'));
  assert.deepEqual(fromEnv.warnings, []);
  const fromFile = await runSettings({ repo: 'https://github.com/acme/cfg.git', 'git-token-file': 'token' }, { env: {}, cwd: dir });
  assert.equal(fromFile.source.kind === 'git' && fromFile.source.authorization, basic('file-token-abc'));
  const inUrl = await runSettings({ repo: 'https://x-access-token:url-token@github.com/acme/cfg.git' }, { env: {}, cwd: dir });
  assert.match(inUrl.warnings.join('\n'), /--repo URL carries credentials.*--git-token-env/);
  assert.ok(!inUrl.warnings.join('\n').includes('url-token'));
  await assert.rejects(runSettings({ repo: 'r', 'git-token-env': 'A', 'git-token-file': 'B' }, ctx), (e: unknown) => isFlowsyncError(e, 'FS_CLI_USAGE'));
  await assert.rejects(runSettings({ repo: 'r', 'git-token-env': 'UNSET' }, ctx), (e: unknown) => isFlowsyncError(e, 'FS_DAEMON_SECRET') && /UNSET/.test(e.message));
  await assert.rejects(runSettings({ repo: 'r', 'git-token-env': 'BLANK' }, { env: { BLANK: '  ' }, cwd: dir }), (e: unknown) => isFlowsyncError(e, 'FS_SECRET_BLANK'));
});
