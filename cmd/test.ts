// `npm test`'s runner: builds the CLI bundle, then runs the test files with node:test, four at a time
// (CI and the reference machine have two cores; see CONCURRENCY), the longest first. A whole run (no
// files named) also runs the static checks (typecheck, lint, docs:check: test-checks.ts) beside them,
// and fails when any of them fails.
//
// The bundle is built here, right before the run, and handed to the tests as FLOWSYNC_TEST_BIN
// (test/helpers/cli.ts): spawning one prebuilt file costs a fraction of tsx transpiling the CLI
// per spawn, and the bundle is what users run. A file run alone (`node --import tsx --test FILE`)
// has no FLOWSYNC_TEST_BIN and runs the CLI from the sources.
//
// Order matters with two workers: a long file started last is a tail run on one core. Files run by
// their duration in test/durations.json, longest first; files missing there (new ones, maybe slow)
// run before all of them. `--record` rewrites test/durations.json from this run.
//
// Usage: node --import tsx cmd/test.ts [--record] [FILE_OR_FOLDER...]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE, buildBundle } from './build.ts';
import { checksReport, runChecks } from './test-checks.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DURATIONS = join(ROOT, 'test', 'durations.json');
const REPORTER = join(ROOT, 'cmd', 'test-durations.mjs');
// Four files at a time on two cores: many files mostly wait (late commits, breaker probes, daemon
// intervals), so more than two keep the cores busy. Whole `npm test` on an idle 2-core machine,
// 886 tests with the checks beside them: 168 s at 3, 150 s at 4, 145 s at 5 (no failure in any);
// four takes most of the gain with less crowding for the timing-sensitive files.
// FLOWSYNC_TEST_CONCURRENCY overrides it.
const CONCURRENCY = Number(process.env.FLOWSYNC_TEST_CONCURRENCY) || 4;

function testFiles(under: string): string[] {
  const abs = resolve(under);
  if (statSync(abs).isFile()) return [relative(ROOT, abs)];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Longest recorded first; unrecorded files before them all, by name, so the order is stable. */
export function longestFirst(files: string[], seconds: Record<string, number>): string[] {
  const known = (f: string) => seconds[f] ?? Number.POSITIVE_INFINITY;
  return [...new Set(files)].sort((a, b) => known(b) - known(a) || a.localeCompare(b));
}

function readSeconds(file: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** This run's numbers over the recorded ones, rounded; files that no longer exist are dropped. */
function record(run: Record<string, number>): void {
  const merged = { ...readSeconds(DURATIONS), ...Object.fromEntries(Object.entries(run).map(([f, s]) => [f, Math.round(s * 10) / 10])) };
  const kept = Object.entries(merged).filter(([f]) => existsSync(join(ROOT, f))).sort(([a], [b]) => a.localeCompare(b));
  writeFileSync(DURATIONS, `${JSON.stringify(Object.fromEntries(kept), null, 2)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const recording = args.includes('--record');
  const targets = args.filter((a) => a !== '--record');
  const files = longestFirst((targets.length ? targets : ['test']).flatMap(testFiles), readSeconds(DURATIONS));
  // The checks start first: they need no bundle, and the build is a second of one core.
  const checks = targets.length ? Promise.resolve([]) : runChecks(ROOT);
  // A failed build ends the run, once the checks have finished (no check is left running alone).
  const built = await buildBundle().catch(async (err: unknown) => {
    process.stderr.write(checksReport(await checks));
    throw err;
  });
  process.stderr.write(`flowsync tests: ${files.length} files against ${relative(ROOT, built.file)} (built now, revision ${built.revision})\n`);
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
  const scratch = recording ? mkdtempSync(join(tmpdir(), 'flowsync-durations-')) : undefined;
  if (scratch) reporters.push(`--test-reporter=${REPORTER}`, `--test-reporter-destination=${join(scratch, 'run.json')}`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, ...reporters, ...files], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, FLOWSYNC_TEST_BIN: BUNDLE },
  });
  const status = await new Promise<number>((done) => child.on('close', (code) => done(code ?? 1)));
  if (scratch) {
    record(readSeconds(join(scratch, 'run.json')));
    rmSync(scratch, { recursive: true, force: true });
  }
  const checked = await checks;
  process.stderr.write(checksReport(checked));
  process.exitCode = status !== 0 || checked.some((c) => !c.ok) ? 1 : 0;
}
