// `flowsync version` and the build info the daemon shows: version, git revision, Node.js version.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gitRevision } from '../../src/cli/build-info.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { FolderSource } from '../../src/daemon/folder-source.ts';
import type { StatusDocument } from '../../src/daemon/status-store.ts';
import { captureLogger, ok, onCleanup, request, scriptedReconcile, tempDir, writeFiles } from '../daemon/helpers.ts';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

test('gitRevision: the commit of the checkout, -dirty with uncommitted changes, unknown outside one or in a sub-folder', async (t) => {
  const dir = await tempDir(t, 'flowsync-rev-');
  assert.equal(gitRevision(dir), 'unknown', 'not a git checkout');
  git(dir, 'init', '-q', '-b', 'main');
  await writeFiles(dir, { 'package.json': '{}\n', 'pkg/package.json': '{}\n' });
  git(dir, 'add', '.');
  git(dir, '-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-qm', 'one');
  const head = git(dir, 'rev-parse', 'HEAD');
  assert.equal(gitRevision(dir), head);
  assert.equal(gitRevision(join(dir, 'pkg')), 'unknown', "sources installed inside another project's checkout are not that project");
  await writeFile(join(dir, 'package.json'), '{"changed":true}\n');
  assert.equal(gitRevision(dir), `${head}-dirty`);
  await mkdir(join(dir, 'untracked'));
  await writeFile(join(dir, 'untracked', 'x'), 'x');
  git(dir, 'checkout', '--', 'package.json');
  assert.equal(gitRevision(dir), head, 'untracked files do not make a build dirty');
});

test('flowsync version: package.json version and the checkout revision (the bundle fixes it at build time); --version is the same', async () => {
  const { version } = JSON.parse(await readFile(`${REPO_ROOT}package.json`, 'utf8')) as { version: string };
  const head = git(REPO_ROOT, 'rev-parse', 'HEAD');
  const json = await runCli(['version', '--output', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const info = JSON.parse(json.stdout) as { version: string; revision: string; node: string };
  assert.equal(info.version, version);
  assert.match(info.revision, new RegExp(`^${head}(-dirty)?$`));
  assert.equal(info.node, process.versions.node);
  const text = await runCli(['--version']);
  assert.equal(text.stdout, `flowsync ${version} (revision ${info.revision}, node ${info.node})\n`);
  const bad = await runCli(['version', '--output', 'yaml']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /FS_CLI_USAGE/);
});

test('the daemon shows its build in /status and as flowsync_build_info in /metrics', async (t) => {
  const dir = await tempDir(t);
  await writeFiles(dir, { 'a.yaml': 'a: 1\n' });
  const build = { version: '9.8.7', revision: '0123456789abcdef0123456789abcdef01234567', node: '20.99.0' };
  const daemon = new Daemon({
    source: new FolderSource({ dir, debounceMs: 50 }),
    reconcile: scriptedReconcile([ok()]).reconcile,
    mode: 'apply',
    logger: captureLogger().logger,
    intervalMs: 600_000,
    listen: { host: '127.0.0.1', port: 0 },
    build,
  });
  onCleanup(t, () => daemon.stop());
  await daemon.start();
  const url = daemon.server!.url;
  const status = (await request(`${url}/status`)).json() as StatusDocument;
  assert.deepEqual(status.build, build);
  const metrics = (await request(`${url}/metrics`)).text;
  assert.match(metrics, /^flowsync_build_info\{version="9\.8\.7",revision="0123456789abcdef0123456789abcdef01234567",node="20\.99\.0"\} 1$/m);
});
