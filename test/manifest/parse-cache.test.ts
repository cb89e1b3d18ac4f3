// The daemon's parse cache: a repo loaded again with unchanged files parses and validates nothing
// again and gives the same result; a changed file is read afresh; files with errors are never
// kept, and files the latest load did not see are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadRepo, ParseCache } from '../../src/manifest/index.ts';
import { ACCOUNT_KINESIS, DESTINATION_KINESIS, tempRepo } from './helpers.ts';

const env = { KINESIS_SECRET_KEY: 's' };
const withoutLocators = (repo: Awaited<ReturnType<typeof loadRepo>>) => ({ desired: repo.desired, diagnostics: repo.diagnostics });

test('a second load through the cache parses no unchanged file and gives the same desired state and diagnostics', async (t) => {
  const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': DESTINATION_KINESIS, 'c.yaml': DESTINATION_KINESIS.replace('name: summer', 'name: winter').replace('stream: summer', 'stream: winter') });
  const cache = new ParseCache();
  const first = await loadRepo(dir, { env, parseCache: cache });
  assert.deepEqual(cache.counts, { hits: 0, misses: 3 });
  const second = await loadRepo(dir, { env, parseCache: cache });
  assert.deepEqual(cache.counts, { hits: 3, misses: 3 });
  assert.deepEqual(withoutLocators(second), withoutLocators(first));
  assert.deepEqual(withoutLocators(second), withoutLocators(await loadRepo(dir, { env })));
});

test('a changed file is parsed again and the change is seen; a removed file leaves the cache', async (t) => {
  const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': DESTINATION_KINESIS });
  const cache = new ParseCache();
  await loadRepo(dir, { env, parseCache: cache });
  await writeFile(path.join(dir, 'b.yaml'), DESTINATION_KINESIS.replace('stream: summer', 'stream: autumn'));
  const changed = await loadRepo(dir, { env, parseCache: cache });
  assert.deepEqual(cache.counts, { hits: 1, misses: 3 });
  assert.equal(changed.desired.destinations[0]!.target.stream, 'autumn');
  await rm(path.join(dir, 'b.yaml'));
  await loadRepo(dir, { env: {}, parseCache: cache, allowEmpty: true });
  await loadRepo(dir, { env: {}, parseCache: cache, allowEmpty: true });
  assert.equal(cache.size, 1, 'only a.yaml is kept: the entries of both versions of b.yaml are gone');
});

test('a file with errors is parsed every time (never kept), so its diagnostics are always fresh', async (t) => {
  const plainSecret = ACCOUNT_KINESIS.replace('secretKey: { fromEnv: KINESIS_SECRET_KEY }', 'secretKey: wJalrXUtnFEMI-plain-secret');
  const dir = await tempRepo(t, { 'a.yaml': plainSecret, 'b.yaml': DESTINATION_KINESIS });
  const cache = new ParseCache();
  const first = await loadRepo(dir, { env, parseCache: cache });
  assert.ok(first.diagnostics.some((d) => d.code === 'FS_SECRET_PLAIN'));
  const second = await loadRepo(dir, { env, parseCache: cache });
  assert.deepEqual(second.diagnostics, first.diagnostics);
  assert.deepEqual(cache.counts, { hits: 1, misses: 3 }, 'b.yaml hit once; a.yaml parsed both times');
});
