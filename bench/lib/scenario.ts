// One benchmark scenario = one file in bench/scenarios/ that exports `scenario` and runs itself when
// executed directly (`npx tsx bench/scenarios/<name>.ts [--record]`): it prints its table and merges
// its rows into bench/out/results.json, or with --record into the tracked bench/results.json. bench/run.ts runs each in its own process, so one scenario's memory,
// open servers or missing flowsync piece never affect another.
import { realpathSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { formatTable, isRecording, recordResult, resultsFileFor, type Row, type ScenarioResult } from './report.ts';

export interface ScenarioOutput {
  setup: string; // how the data was seeded and what the knobs were
  rows: Row[];
}

export interface Scenario {
  name: string;
  summary: string;
  run(): Promise<ScenarioOutput>;
}

/** Runs a scenario, records and prints its result; never throws (a failure is recorded as an error). */
export async function runScenario(s: Scenario, record = true): Promise<ScenarioResult> {
  const t0 = performance.now();
  const load0 = loadavg()[0]!;
  let result: ScenarioResult;
  try {
    const out = await s.run();
    result = { scenario: s.name, at: new Date().toISOString(), durationMs: Math.round(performance.now() - t0), ...out };
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    result = { scenario: s.name, at: new Date().toISOString(), durationMs: Math.round(performance.now() - t0), setup: '', rows: [], error: message };
  }
  result.loadAvg = [Math.round(load0 * 10) / 10, Math.round(loadavg()[0]! * 10) / 10];
  if (record) await recordResult(result, resultsFileFor(isRecording()));
  process.stdout.write(`\n${formatTable([result])}\n`);
  if (record && !isRecording()) process.stdout.write(`(not recorded: written to ${resultsFileFor(false)}; --record writes bench/results.json)\n`);
  if (result.error) process.stderr.write(`\n${s.name} failed:\n${result.error}\n`);
  return result;
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** The tail of every scenario file: `if (isMain(import.meta.url)) await main(scenario);` */
export async function main(s: Scenario): Promise<void> {
  const result = await runScenario(s);
  // Servers a scenario forgot to close must not keep the process alive.
  process.exit(result.error ? 1 : 0);
}

/** A number from the environment (BENCH_* knobs), or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? n : fallback;
}

export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((x) => Number.isFinite(x) && x > 0);
}
