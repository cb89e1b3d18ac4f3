// The secret canary: every command, every output format, the daemon at trace level with
// notifications, against a hostile API that echoes what it receives (the emulator's echoRequest
// fault, with failures injected so the echoes reach errors). Canary values sit in every secret
// place: the client secret, the account secrets, the git token, the webhook secret and the notify
// URL. All output, every notification received and every file flowsync wrote must hold none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { signBody } from '../../src/daemon/webhook.ts';
import { CLI, runCli, REPO_ROOT, type CliResult } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { gitHttpServer } from '../helpers/git-http.ts';
import { git, gitRemote, hookServer } from '../daemon/helpers.ts';
import { eventually } from '../helpers/eventually.ts';


const CANARY = {
  client: 'CANARYclientSecret0a1b2c',
  kinesis: 'CANARYkinesisSecret3d4e5f',
  kinesisDev: 'CANARYkinesisDevSecret6a7b',
  sas: 'CANARYeventhubSas8c9d0e',
  sasDev: 'CANARYeventhubDevSas1f2a',
  rotated: 'CANARYrotatedKinesis3b4c',
  git: 'CANARYgitToken5d6e7f',
  webhook: 'CANARYwebhookSecret8a9b',
  notifyPass: 'CANARYnotifyPass0c1d',
  notifyPath: 'CANARYnotifyPath2e3f',
};

/** The canaries plus the forms they travel in (HTTP Basic values). */
function needles(): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [...Object.values(CANARY), b64(`x-access-token:${CANARY.git}`), b64(`hooker:${CANARY.notifyPass}`)];
}

/** Every leak in `text`: a canary, an unredacted bearer token or JWT, a form-encoded client secret. */
function leaks(text: string): string[] {
  const found = needles().filter((n) => text.includes(n));
  for (const re of [/Bearer\s+(?!\*\*\*)[A-Za-z0-9._-]{8,}/, /eyJ[A-Za-z0-9_-]{8,}\.eyJ/, /client_secret=(?!\*\*\*)[^&\s"]/]) {
    const m = re.exec(text);
    if (m) found.push(m[0]);
  }
  return found;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

/** A long-running CLI process (daemon, emulator): its output lines, and a way to wait for one. */
function startCli(args: string[], env: Record<string, string>, cwd: string) {
  const child: ChildProcess = spawn(process.execPath, [...CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => lines.push(l));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    lines,
    waitFor: async (re: RegExp, timeoutMs = 20_000) => {
      await eventually(() => lines.some((l) => re.test(l)), { timeoutMs });
      return lines.find((l) => re.test(l))!;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// 300 s: it runs about 25 CLI commands through tsx, slow on a loaded 2-core machine
test('secret canary: no command, output format, log, notification or written file holds a secret', { timeout: 300_000 }, async (t) => {
  const { emu, env: emuEnv } = await startTestEmulator(t);
  const hostile = (extra: Parameters<typeof emu.admin.setFaults>[0] = {}) => emu.admin.setFaults({ echoRequest: true, ...extra });

  // The config repo is a git work tree pushed to a bare remote served over HTTP with a token.
  const remote = await gitRemote(t);
  const repo = remote.work;
  await cp(join(REPO_ROOT, 'manifests'), repo, { recursive: true });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'manifests');
  git(repo, 'push', '-q', 'origin', 'main:main');
  const server = await gitHttpServer(t, remote.bare, `Basic ${Buffer.from(`x-access-token:${CANARY.git}`).toString('base64')}`);
  const hook = await hookServer(t);
  const notifyUrl = `${hook.url.replace('http://', `http://hooker:${CANARY.notifyPass}@`)}/services/${CANARY.notifyPath}`;

  const env: Record<string, string> = {
    ...emuEnv,
    FLOWSYNC_CLIENT_SECRET: CANARY.client,
    KINESIS_SECRET_KEY: CANARY.kinesis,
    KINESIS_DEV_SECRET_KEY: CANARY.kinesisDev,
    EVENTHUB_SAS_KEY: CANARY.sas,
    EVENTHUB_DEV_SAS_KEY: CANARY.sasDev,
    GIT_TOKEN: CANARY.git,
    HOOK_SECRET: CANARY.webhook,
    NOTIFY_URL: notifyUrl,
  };
  const outputs: { what: string; text: string }[] = [];
  const cli = async (what: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> => {
    const t0 = Date.now();
    const res = await runCli(args, { env: { ...env, ...extraEnv }, cwd: remote.root });
    if (process.env.CANARY_DEBUG) console.error(`${what}: exit ${res.code} in ${Date.now() - t0} ms\n${res.stdout.slice(-600)}${res.stderr.slice(-600)}`);
    outputs.push({ what, text: res.stdout + res.stderr });
    return res;
  };
  const out = (p: string) => join(remote.root, 'out', p);
  await mkdir(out('imported/m'), { recursive: true });

  // Commands that read only run side by side (the test stays well under a minute).
  await Promise.all([cli('validate', ['validate', '--dir', repo]), cli('validate json', ['validate', '--dir', repo, '--output', 'json'])]);
  hostile({ failNext: { count: 1, status: 400, pathPrefix: '/ims' } });
  const imsRefused = await cli('plan, IMS refuses and echoes the form', ['plan', repo]);
  assert.match(imsRefused.stderr, /FS_API_AUTH.*request was:/s, 'the echo reached the error');
  hostile({ failNext: { count: 1, status: 400, method: 'POST', pathPrefix: '/connections' } });
  const partial = await cli('apply, a create refused with an echo of its body', ['apply', '--dir', repo, '--auto-approve']);
  assert.equal(partial.code, 1, partial.stdout + partial.stderr);
  assert.match(partial.stdout + partial.stderr, /request was:/);
  const full = await cli('apply', ['apply', '--dir', repo, '--auto-approve']);
  assert.equal(full.code, 0, full.stdout + full.stderr);

  // A rotated account secret: the plan carries an update whose body holds the new secret.
  const rotated = { KINESIS_SECRET_KEY: CANARY.rotated };
  const plans = await Promise.all([
    cli('plan text', ['plan', repo], rotated),
    cli('plan markdown', ['plan', repo, '--output', 'markdown', '--out-dir', out('comments')], rotated),
    cli('plan json', ['plan', repo, '--output', 'json', '--out', out('plan.json')], rotated),
    cli('plan --base', ['plan', repo, '--base', 'HEAD', '--output', 'markdown', '--out-dir', out('review')], rotated),
  ]);
  for (const p of plans) assert.equal(p.code, 0, p.stdout + p.stderr);
  hostile({ failNext: { count: 1, status: 400, method: 'PATCH' } });
  await cli('apply saved plan, a PATCH refused with an echo', ['apply', out('plan.json'), '--dir', repo, '--auto-approve'], rotated);
  await cli('apply saved plan again', ['apply', out('plan.json'), '--dir', repo, '--auto-approve'], rotated);
  await cli('apply rotated', ['apply', '--dir', repo, '--auto-approve'], rotated);

  hostile({ failNext: { count: 1, status: 403, pathPrefix: '/connectionSpecs' } });
  await cli('destinations, refused with an echo', ['destinations', '--dir', repo]);
  await Promise.all([cli('destinations json', ['destinations', '--dir', repo, '--output', 'json']), cli('unlock', ['unlock', 'prod', '--dir', repo])]);
  // import from a config that reads none of the manifests, so the live entities are written out
  await writeFile(out('imported/flowsync.yaml'), (await readFile(join(repo, 'flowsync.yaml'), 'utf8')).replace(/manifests:\n(  - .*\n)+/, 'manifests:\n  - m\n'));
  await cli('import json', ['import', '--dir', out('imported'), '--out', out('imported/m'), '--sandbox', 'prod', '--sandbox', 'dev', '--output', 'json', '--no-adopt']);
  await cli('import', ['import', '--dir', out('imported'), '--out', out('imported/m'), '--sandbox', 'prod', '--sandbox', 'dev', '--force']);

  // The daemon: once, with the token from the environment and a failing cycle that notifies.
  const runFlags = ['--branch', 'main', '--cache-dir', out('cache'), '--log-level', 'trace', '--notify-url-env', 'NOTIFY_URL', '--webhook-secret-env', 'HOOK_SECRET', '--poll', '0'];
  hostile({ failNext: { count: 1, status: 400, method: 'GET', pathPrefix: '/flows' } });
  const once = await cli('run --once, a read refused with an echo of the token', ['run', '--once', '--repo', server.url, '--git-token-env', 'GIT_TOKEN', ...runFlags]);
  assert.equal(once.code, 1, once.stdout + once.stderr);
  assert.match(once.stdout, /request was:/);

  // The daemon, long-running, with the token in the URL (moved to a header), a signed webhook,
  // /status and /metrics, and a hostile answer in its second cycle.
  const daemon = startCli(['run', '--repo', server.url.replace('http://', `http://x-access-token:${CANARY.git}@`), ...runFlags, '--listen', '127.0.0.1:0', '--interval', '1h'], env, remote.root);
  t.after(() => daemon.stop());
  const started = await daemon.waitFor(/"event":"started"/);
  const url = (JSON.parse(started) as { url: string }).url;
  await daemon.waitFor(/"msg":"cycle /);
  hostile({ failNext: { count: 1, status: 400, method: 'GET', pathPrefix: '/flows' } });
  const body = JSON.stringify({ ref: 'refs/heads/main', after: 'x' });
  const webhook = await fetch(`${url}/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signBody(CANARY.webhook, body) } });
  assert.equal(webhook.status, 202, await webhook.text());
  await eventually(() => daemon.lines.filter((l) => /"msg":"cycle /.test(l)).length >= 2, { timeoutMs: 20_000 });
  await eventually(() => hook.received.length >= 2, { timeoutMs: 10_000 });
  outputs.push({ what: 'daemon /status', text: await (await fetch(`${url}/status`)).text() });
  outputs.push({ what: 'daemon /metrics', text: await (await fetch(`${url}/metrics`)).text() });
  await daemon.stop();
  outputs.push({ what: 'daemon log', text: daemon.lines.join('\n') });
  assert.match(daemon.lines.join('\n'), /"event":"repo-credentials"/, 'the credentialed URL is warned about');
  for (const [i, b] of hook.received.entries()) outputs.push({ what: `notification ${i + 1}`, text: b });
  assert.match(hook.received.join('\n'), /request was:/, 'a notification carried the hostile echo');

  // The emulator command itself, with a state file.
  const emulator = startCli(['emulator', '--port', '0', '--state', out('emulator/state.json')], env, remote.root);
  await emulator.waitFor(/listening on/);
  await emulator.stop();
  outputs.push({ what: 'emulator', text: emulator.lines.join('\n') });

  const found: string[] = [];
  for (const o of outputs) for (const leak of leaks(o.text)) found.push(`${o.what}: ${leak}`);
  const written = [...(await filesUnder(repo)), ...(await filesUnder(join(remote.root, 'out')))];
  for (const part of ['plan.json', 'comments', 'review', 'imported/m/', 'cache']) assert.ok(written.some((f) => f.includes(`/out/${part}`)), `flowsync wrote ${part}: ${written.filter((f) => f.includes('/out/')).join(', ')}`);
  for (const file of written) for (const leak of leaks((await readFile(file)).toString('latin1'))) found.push(`${file}: ${leak}`);
  assert.deepEqual(found, [], `secrets leaked:\n${found.join('\n')}`);
});
