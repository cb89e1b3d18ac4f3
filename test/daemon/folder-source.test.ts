import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { FolderSource } from '../../src/daemon/folder-source.ts';
import { isIgnoredPath } from '../../src/daemon/ignore.ts';
import { eventually } from '../helpers/eventually.ts';
import { git, tempDir, writeFiles, onCleanup } from './helpers.ts';

test('a burst of file changes is debounced into one "changed" event, within a deadline', async (t) => {
  const dir = await tempDir(t);
  await writeFiles(dir, { 'a.yaml': 'a: 1\n' });
  const source = new FolderSource({ dir, debounceMs: 120 });
  onCleanup(t, () => source.close());
  const events: string[] = [];
  source.on('changed', (why) => events.push(why));
  await source.start();
  const before = (await source.sync()).revision;
  await writeFiles(dir, { 'a.yaml': 'a: 2\n', 'b.yaml': 'b: 1\n', 'sub/c.yml': 'c: 1\n' });
  await eventually(() => events.length >= 1, { timeoutMs: 2_000, message: 'no change event' });
  await new Promise((r) => setTimeout(r, 300)); // a second event would arrive within the debounce window
  assert.equal(events.length, 1, `one event for the burst, got ${JSON.stringify(events)}`);
  assert.match(events[0]!, /a\.yaml/);
  const after = (await source.sync()).revision;
  assert.notEqual(after, before);
  assert.match(after, /^sha256:[0-9a-f]{16}$/);
});

test('editor temp files and .git internals do not trigger a cycle', async (t) => {
  const dir = await tempDir(t);
  await writeFiles(dir, { 'a.yaml': 'a: 1\n' });
  const source = new FolderSource({ dir, debounceMs: 50 });
  onCleanup(t, () => source.close());
  const events: string[] = [];
  source.on('changed', (why) => events.push(why));
  await source.start();
  await writeFiles(dir, { '.a.yaml.swp': 'x', 'a.yaml~': 'x', '.#a.yaml': 'x', '.git/index': 'x', '4913': '' });
  await writeFiles(dir, { 'marker.yaml': 'm: 1\n' }); // a real change after the noise, as a clock
  await eventually(() => events.length >= 1, { timeoutMs: 2_000 });
  assert.equal(events.length, 1);
  assert.doesNotMatch(events[0]!, /swp|~|\.#|\.git|4913/);
  assert.match(events[0]!, /marker\.yaml/);
});

test('ignored paths: temp files and tool folders', () => {
  for (const p of ['/x/.git/HEAD', 'a/.flowsync/cache/x', 'a.yaml.swp', '#a.yaml#', 'a.yaml~', '.DS_Store']) assert.ok(isIgnoredPath(p), p);
  for (const p of ['a.yaml', 'dest/kinesis.yml', 'flowsync.yaml', 'gitops/x.json']) assert.ok(!isIgnoredPath(p), p);
});

test('the revision is the same for the same content and changes with it', async (t) => {
  const dir = await tempDir(t);
  await writeFiles(dir, { 'a.yaml': 'a: 1\n', 'notes.txt': 'ignored' });
  const source = new FolderSource({ dir });
  const r1 = (await source.sync()).revision;
  await writeFile(join(dir, 'notes.txt'), 'still not a manifest');
  assert.equal((await source.sync()).revision, r1);
  await writeFile(join(dir, 'a.yaml'), 'a: 2\n');
  assert.notEqual((await source.sync()).revision, r1);
});

test('in a git work tree the revision is HEAD, with a content hash when there are uncommitted edits', async (t) => {
  const dir = await tempDir(t);
  git(dir, 'init', '-q');
  await writeFiles(dir, { 'manifests/a.yaml': 'a: 1\n' });
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init');
  const head = git(dir, 'rev-parse', 'HEAD');
  const source = new FolderSource({ dir: join(dir, 'manifests') });
  assert.equal((await source.sync()).revision, head);
  await writeFile(join(dir, 'manifests/a.yaml'), 'a: 2\n');
  assert.match((await source.sync()).revision, new RegExp(`^${head}\\+[0-9a-f]{16}$`));
});

test('a missing folder is a typed FS_SOURCE_MISSING failure', async (t) => {
  const dir = await tempDir(t);
  const gone = join(dir, 'manifests');
  await mkdir(gone);
  const source = new FolderSource({ dir: gone });
  await source.sync();
  await rm(gone, { recursive: true });
  await assert.rejects(source.sync(), (e: unknown) => isFlowsyncError(e, 'FS_SOURCE_MISSING'));
});
