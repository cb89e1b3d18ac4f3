// The prebuilt CLI bundle (cmd/bundle.mjs): used only while every input is unchanged, rebuilt
// otherwise, and the bin runs the same CLI with or without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { BUNDLE, freshBundle, isFresh } from '../../cmd/bundle.mjs';
import { REPO_ROOT } from '../helpers/cli.ts';

const run = promisify(execFile);
const BIN = `${REPO_ROOT}cmd/flowsync.mjs`;

test('a stamp that no longer matches an input makes the bundle stale, and the launcher rebuilds it', async () => {
  assert.ok(await freshBundle({}), 'a bundle can be built');
  assert.equal(isFresh(), true);
  const stampFile = `${BUNDLE}.stamp.json`;
  const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { inputs: Record<string, string> };
  const [first] = Object.keys(stamp.inputs).filter((f) => f.startsWith('src/'));
  assert.ok(first);
  writeFileSync(stampFile, JSON.stringify({ ...stamp, inputs: { ...stamp.inputs, [first]: '0:0' } }));
  assert.equal(isFresh(), false, 'an input whose size or mtime differs');
  assert.ok(await freshBundle({}));
  assert.equal(isFresh(), true, 'rebuilt');
  assert.equal(await freshBundle({ FLOWSYNC_NO_BUNDLE: '1' }), undefined, 'FLOWSYNC_NO_BUNDLE=1 runs the sources');
});

test('the bin gives the same answers from the bundle and from the sources', async () => {
  const env = { ...process.env, NO_COLOR: '1' };
  const bundled = await run(process.execPath, [BIN, '--help'], { env });
  const sources = await run(process.execPath, [BIN, '--help'], { env: { ...env, FLOWSYNC_NO_BUNDLE: '1' } });
  assert.match(bundled.stdout, /^flowsync: GitOps/);
  assert.equal(bundled.stdout, sources.stdout);
  const version = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')).version as string;
  assert.equal((await run(process.execPath, [BIN, '--version'], { env })).stdout, `flowsync ${version}\n`);
  await assert.rejects(run(process.execPath, [BIN, 'no-such-command'], { env }), (err: { code?: number; stderr?: string }) => err.code === 1 && /FS_CLI_UNKNOWN_COMMAND/.test(err.stderr ?? ''));
});
