// bench/run.ts and the scenarios leave the tracked results (bench/results.json, RESULTS.md's
// generated block) alone unless asked with --record; --help and unknown flags run nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('../../bench/', import.meta.url));
const tracked = () => Promise.all([readFile(path.join(BENCH, 'results.json'), 'utf8'), readFile(path.join(BENCH, 'RESULTS.md'), 'utf8')]);

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
}

test('bench/run.ts --help prints usage and runs nothing; an unknown flag is refused with the usage', async () => {
  const before = await tracked();
  const help = run(path.join(BENCH, 'run.ts'), ['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: npx tsx bench\/run\.ts/);
  assert.match(help.stdout, /--record/);
  assert.doesNotMatch(help.stdout, /===/, 'no scenario ran');
  const bad = run(path.join(BENCH, 'run.ts'), ['--frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown flag --frobnicate/);
  assert.match(bad.stderr, /Usage:/);
  assert.deepEqual(await tracked(), before, 'the tracked results are untouched');
});

test('a scenario run without --record writes bench/out/ (here BENCH_OUT_DIR), never the tracked results', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-bench-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'tiny.mts');
  const lib = pathToImport(path.join(BENCH, 'lib', 'scenario.ts'));
  await writeFile(script, `import { main } from ${JSON.stringify(lib)};\nawait main({ name: 'tiny', summary: 'nothing', run: async () => ({ setup: 'none', rows: [] }) });\n`);
  const before = await tracked();
  const res = run(script, [], { BENCH_OUT_DIR: dir });
  assert.equal(res.status, 0, res.stderr);
  const written = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as { scenarios: Record<string, unknown> };
  assert.ok(written.scenarios.tiny);
  assert.deepEqual(await tracked(), before);
  assert.match(res.stdout, /not recorded/);
});

function pathToImport(p: string): string {
  return new URL(`file://${p}`).href;
}
