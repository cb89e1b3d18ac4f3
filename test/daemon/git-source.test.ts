import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { GitSource } from '../../src/daemon/git-source.ts';
import { eventually } from '../helpers/eventually.ts';
import { git, gitRemote, tempDir, onCleanup } from './helpers.ts';

test('clones the branch into the cache and picks up a commit pushed to the remote on the next sync', async (t) => {
  const remote = await gitRemote(t);
  const first = await remote.commit({ 'manifests/a.yaml': 'a: 1\n' });
  const cache = await tempDir(t);
  const source = new GitSource({ repo: remote.bare, branch: 'main', path: 'manifests', cacheDir: cache, pollMs: 0 });

  const s1 = await source.sync();
  assert.equal(s1.revision, first);
  assert.equal(s1.dir, join(source.workdir, 'manifests'));
  assert.equal(await readFile(join(s1.dir, 'a.yaml'), 'utf8'), 'a: 1\n');

  const second = await remote.commit({ 'manifests/a.yaml': 'a: 2\n' });
  const s2 = await source.sync();
  assert.equal(s2.revision, second);
  assert.equal(await readFile(join(s2.dir, 'a.yaml'), 'utf8'), 'a: 2\n');
});

test('the working copy is flowsync\'s own: local edits and stray files are wiped by the next sync', async (t) => {
  const remote = await gitRemote(t);
  const head = await remote.commit({ 'a.yaml': 'a: 1\n' });
  const source = new GitSource({ repo: remote.bare, branch: 'main', path: '', cacheDir: await tempDir(t), pollMs: 0 });
  const { dir } = await source.sync();
  await writeFile(join(dir, 'a.yaml'), 'tampered\n');
  await writeFile(join(dir, 'stray.yaml'), 'x: 1\n');
  git(dir, 'commit', '-q', '-am', 'local commit that must not survive');
  const again = await source.sync();
  assert.equal(again.revision, head);
  assert.equal(await readFile(join(dir, 'a.yaml'), 'utf8'), 'a: 1\n');
  await assert.rejects(readFile(join(dir, 'stray.yaml')));
});

test('follows the named branch only', async (t) => {
  const remote = await gitRemote(t);
  await remote.commit({ 'a.yaml': 'on main\n' });
  const prod = await remote.commit({ 'a.yaml': 'on prod\n' }, 'prod', 'prod');
  const source = new GitSource({ repo: remote.bare, branch: 'prod', path: '', cacheDir: await tempDir(t), pollMs: 0 });
  const s = await source.sync();
  assert.equal(s.revision, prod);
  assert.equal(await readFile(join(s.dir, 'a.yaml'), 'utf8'), 'on prod\n');
  await remote.commit({ 'a.yaml': 'main again\n' }, 'main moves', 'main');
  assert.equal((await source.sync()).revision, prod, 'a commit on another branch is not picked up');
});

test('a remote that disappears is a typed FS_SOURCE_GIT failure, and the next sync recovers when it returns', async (t) => {
  const remote = await gitRemote(t);
  await remote.commit({ 'a.yaml': 'a: 1\n' });
  const source = new GitSource({ repo: `file://${remote.bare}`, branch: 'main', path: '', cacheDir: await tempDir(t), pollMs: 0 });
  await source.sync();
  const moved = `${remote.bare}.gone`;
  await rename(remote.bare, moved);
  const err = await source.sync().then(() => null, (e: unknown) => e);
  assert.ok(isFlowsyncError(err, 'FS_SOURCE_GIT'), `got ${String(err)}`);
  assert.match(err.message, /git fetch failed for git file:\/\//);
  await rename(moved, remote.bare);
  const next = await remote.commit({ 'a.yaml': 'a: 2\n' });
  assert.equal((await source.sync()).revision, next);
});

test('a missing branch or sub-folder is reported, never thrown as a crash', async (t) => {
  const remote = await gitRemote(t);
  await remote.commit({ 'a.yaml': 'a: 1\n' });
  const noBranch = new GitSource({ repo: remote.bare, branch: 'nope', path: '', cacheDir: await tempDir(t), pollMs: 0 });
  await assert.rejects(noBranch.sync(), (e: unknown) => isFlowsyncError(e, 'FS_SOURCE_GIT'));
  const noPath = new GitSource({ repo: remote.bare, branch: 'main', path: 'manifests', cacheDir: await tempDir(t), pollMs: 0 });
  await assert.rejects(noPath.sync(), (e: unknown) => isFlowsyncError(e, 'FS_SOURCE_MISSING') && /sub-folder "manifests"/.test(e.message));
});

test('credentials in the repository URL never reach messages', async (t) => {
  const source = new GitSource({ repo: 'https://x-access-token:s3cr3t@127.0.0.1:1/acme/cfg.git', branch: 'main', path: '', cacheDir: await tempDir(t), pollMs: 0, timeoutMs: 10_000 });
  assert.doesNotMatch(source.describe(), /s3cr3t/);
  const err = await source.sync().then(() => null, (e: unknown) => e);
  assert.ok(isFlowsyncError(err, 'FS_SOURCE_GIT'));
  assert.doesNotMatch(err.message, /s3cr3t/);
});

test('polling the remote head emits "changed" when a new commit lands', async (t) => {
  const remote = await gitRemote(t);
  await remote.commit({ 'a.yaml': 'a: 1\n' });
  const source = new GitSource({ repo: remote.bare, branch: 'main', path: '', cacheDir: await tempDir(t), pollMs: 50 });
  onCleanup(t, () => source.close());
  await source.sync();
  const events: string[] = [];
  source.on('changed', (why) => events.push(why));
  await source.start();
  const next = await remote.commit({ 'a.yaml': 'a: 2\n' });
  await eventually(() => events.length === 1, { timeoutMs: 5_000 });
  assert.match(events[0]!, new RegExp(next.slice(0, 12)));
});

/** Every file under `dir` whose bytes contain `needle`. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = join(e.parentPath, e.name);
    if ((await readFile(file)).includes(needle)) out.push(file);
  }
  return out;
}

const basicAuth = (user: string, token: string) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

test('a git token is sent per command as a header: never in the clone\'s config or any cache file, and the cache folder is 0700', async (t) => {
  const { gitHttpServer } = await import('../helpers/git-http.ts');
  const { stat } = await import('node:fs/promises');
  const token = 'canary-git-token-5d1e9b';
  const remote = await gitRemote(t);
  const head = await remote.commit({ 'a.yaml': 'a: 1\n' });
  const server = await gitHttpServer(t, remote.bare, basicAuth('x-access-token', token));

  const cache = await tempDir(t);
  const viaFlag = new GitSource({ repo: server.url, branch: 'main', path: '', cacheDir: cache, pollMs: 0, authorization: basicAuth('x-access-token', token) });
  assert.equal((await viaFlag.sync()).revision, head);
  assert.equal((await viaFlag.sync()).revision, head, 'fetch works too');

  const inUrl = new GitSource({ repo: server.url.replace('http://', `http://x-access-token:${token}@`), branch: 'main', path: '', cacheDir: cache, pollMs: 0 });
  assert.equal((await inUrl.sync()).revision, head, 'a URL with credentials still works: they move to the header');
  assert.ok(!inUrl.describe().includes(token));
  for (const source of [viaFlag, inUrl]) {
    assert.equal((await stat(source.workdir)).mode & 0o777, 0o700, 'the clone folder is private');
    const config = await readFile(join(source.workdir, '.git', 'config'), 'utf8');
    assert.ok(!config.includes(token) && !config.includes('x-access-token') && !config.includes('extraHeader'), config);
  }
  assert.deepEqual(await filesHolding(cache, token), []);
  assert.deepEqual(await filesHolding(cache, Buffer.from(`x-access-token:${token}`).toString('base64')), []);

  const without = new GitSource({ repo: server.url, branch: 'main', path: '', cacheDir: await tempDir(t), pollMs: 0 });
  await assert.rejects(without.sync(), (err) => isFlowsyncError(err, 'FS_SOURCE_GIT'));
});
