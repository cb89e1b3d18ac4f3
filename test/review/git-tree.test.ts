// Reading the config repo folder at a revision out of a real git repository: exact files (nested,
// executable, symlinks), nothing left behind, the repository untouched, clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readlink, stat, writeFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { FlowsyncError } from '../../src/domain/errors.ts';
import { loadBaseRepo } from '../../src/review/base.ts';
import { copyTreeAt, headCommit, locate, resolveCommit } from '../../src/review/git-tree.ts';
import { tempRepo, writeRepo } from '../helpers/repo.ts';
import { commitAll, git, initRepo } from './git-repo.ts';

const isCode = (code: string) => (e: unknown) => e instanceof FlowsyncError && e.code === code;

test('copyTreeAt writes the folder exactly as the commit holds it, and cleanup removes it; the repository is untouched', async (t) => {
  const repo = await tempRepo(t);
  initRepo(repo);
  await mkdir(path.join(repo, 'config', 'deep', 'er'), { recursive: true });
  await writeFile(path.join(repo, 'config', 'a.yaml'), 'a: 1\n');
  await writeFile(path.join(repo, 'config', 'deep', 'er', 'b.yaml'), Buffer.from([0x62, 0x3a, 0x20, 0xc3, 0xa9, 0x0a]));
  await writeFile(path.join(repo, 'config', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  await symlink('a.yaml', path.join(repo, 'config', 'link.yaml'));
  await writeFile(path.join(repo, 'outside.txt'), 'not copied\n');
  await writeFile(path.join(repo, '.gitattributes'), 'config/a.yaml export-ignore\n');
  const base = commitAll(repo, 'base');
  // The work tree moves on; the copy must still show the base.
  await writeFile(path.join(repo, 'config', 'a.yaml'), 'a: 2\n');
  const status = git(repo, 'status', '--porcelain');

  const loc = await locate(path.join(repo, 'config'));
  assert.equal(loc.rel, 'config');
  const copy = await copyTreeAt(loc, base);
  assert.equal(copy.exists, true);
  assert.equal(path.basename(copy.root), 'config');
  assert.equal(await readFile(path.join(copy.root, 'a.yaml'), 'utf8'), 'a: 1\n'); // export-ignore does not apply
  assert.deepEqual(await readFile(path.join(copy.root, 'deep', 'er', 'b.yaml')), Buffer.from([0x62, 0x3a, 0x20, 0xc3, 0xa9, 0x0a]));
  assert.equal((await stat(path.join(copy.root, 'run.sh'))).mode & 0o111, 0o111);
  assert.equal(await readlink(path.join(copy.root, 'link.yaml')), 'a.yaml');
  assert.equal(existsSync(path.join(copy.root, '..', 'outside.txt')), false);
  await copy.cleanup();
  assert.equal(existsSync(copy.root), false);
  assert.equal(git(repo, 'status', '--porcelain'), status);
  assert.equal(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
});

test('a folder that does not exist at the base (the pull request creates it) is "missing", not an error', async (t) => {
  const repo = await tempRepo(t);
  initRepo(repo);
  await writeFile(path.join(repo, 'README.md'), 'x\n');
  commitAll(repo, 'first');
  await mkdir(path.join(repo, 'config'));
  await writeRepo(path.join(repo, 'config'), [], []);
  const base = await loadBaseRepo(path.join(repo, 'config'), 'main', {});
  assert.equal(base.status, 'missing');
  assert.equal(base.commit, await headCommit(repo));
});

test('base manifests load with their own diagnostics; unresolvable secrets alone do not make the base invalid', async (t) => {
  const repo = await tempRepo(t);
  initRepo(repo);
  await writeRepo(repo, [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'UNSET_SECRET_FOR_REVIEW_TEST' }], [{ name: 'd', account: 'kin' }]);
  commitAll(repo, 'base');
  const base = await loadBaseRepo(repo, 'HEAD', {});
  assert.equal(base.status, 'valid');
  assert.equal(base.secretsSkipped, true);
  assert.equal(base.repo?.desired.destinations[0]?.name, 'd');
  assert.equal(existsSync(base.repo!.root), false, 'the temp copy is removed once loaded');

  await writeFile(path.join(repo, 'm', 'bad.yaml'), 'apiVersion: flowsync/v1\nkind: Nope\n');
  commitAll(repo, 'bad');
  const bad = await loadBaseRepo(repo, 'HEAD', {});
  assert.equal(bad.status, 'invalid');
  assert.ok(bad.diagnostics.some((d) => d.file === 'm/bad.yaml' && d.severity === 'error'));
});

test('unknown revisions and folders outside git are coded errors with hints', async (t) => {
  const repo = await tempRepo(t);
  initRepo(repo);
  await writeFile(path.join(repo, 'x'), 'x');
  commitAll(repo, 'first');
  await assert.rejects(resolveCommit(repo, 'origin/main'), isCode('FS_REVIEW_BASE_REF'));
  await assert.rejects(resolveCommit(repo, '--upload-pack=evil'), isCode('FS_REVIEW_BASE_REF'));
  const plain = await tempRepo(t);
  await assert.rejects(locate(plain), isCode('FS_REVIEW_GIT'));
});
