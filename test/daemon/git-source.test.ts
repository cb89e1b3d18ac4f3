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
