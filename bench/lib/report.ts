// Result rows, targets with PASS/MISS, the printed table and the results file.
// Each scenario merges its own rows into the results file, so running one scenario alone updates
// only its entry. The file is bench/out/results.json (git-ignored) unless the run says --record,
// then the tracked bench/results.json.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tracked results: written only by a run with --record (or BENCH_RECORD=1, how run.ts tells its children). */
export const RESULTS_FILE = fileURLToPath(new URL('../results.json', import.meta.url));

/** Where an unrecorded run writes (git-ignored); BENCH_OUT_DIR moves it (tests). */
export function outResultsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_OUT_DIR ? join(env.BENCH_OUT_DIR, 'results.json') : fileURLToPath(new URL('../out/results.json', import.meta.url));
}

export function isRecording(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--record') || env.BENCH_RECORD === '1';
}

export function resultsFileFor(record: boolean): string {
  return record ? RESULTS_FILE : outResultsFile();
}

/** A target: the value must be `op` the limit. */
export interface Target {
  op: '<' | '<=' | '>=' | '==';
  value: number;
}

export interface Row {
  case: string; // e.g. "N=10000"
  metric: string; // e.g. "plan CPU (load+validate+read+plan)"
  value: number | null; // null: not measured (see note)
  unit: string;
  target?: Target;
  /** value / target (for '>=' targets too, so >= 1 passes there and <= 1 passes for the others). */
  ratio?: number;
  verdict?: 'PASS' | 'MISS' | 'INFO';
  note?: string;
}

export interface ScenarioResult {
  scenario: string;
  at: string; // ISO time
  durationMs: number;
  setup: string; // how the data was seeded, in one or two sentences
  rows: Row[];
  error?: string; // set when the scenario could not run (e.g. a flowsync piece is missing)
  /** 1-minute load average at the start and the end: above the core count, the numbers are inflated. */
  loadAvg?: [number, number];
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memTotalGb: number;
  memFreeGb: number;
  node: string;
  platform: string;
  gitRevision: string;
}

export interface ResultsFile {
  machine: Machine;
  updatedAt: string;
  scenarios: Record<string, ScenarioResult>;
}

export function machineInfo(): Machine {
  let gitRevision = 'unknown';
  try {
    gitRevision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout: leave unknown
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memTotalGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    memFreeGb: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    gitRevision,
  };
}

/** A row with its ratio and verdict filled in from the target. */
export function row(r: Omit<Row, 'ratio' | 'verdict'>): Row {
  if (!r.target || r.value === null || !Number.isFinite(r.value)) return { ...r, verdict: 'INFO' };
  const { op, value: limit } = r.target;
  const v = r.value;
  const pass = op === '<' ? v < limit : op === '<=' ? v <= limit : op === '>=' ? v >= limit : v === limit;
  const ratio = limit === 0 ? (v === 0 ? 1 : Number.POSITIVE_INFINITY) : v / limit;
  return { ...r, ratio: Math.round(ratio * 1000) / 1000, verdict: pass ? 'PASS' : 'MISS' };
}

function fmt(v: number | null): string {
  if (v === null || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function formatTarget(t: Target | undefined, unit: string): string {
  return t ? `${t.op} ${fmt(t.value)} ${unit}`.trim() : '';
}

/** The rows of some scenarios as a fixed-width text table (also used for RESULTS.md, inside a code block). */
export function formatTable(results: ScenarioResult[]): string {
  const header = ['scenario', 'case', 'metric', 'value', 'target', 'ratio', 'verdict', 'note'];
  const lines: string[][] = [];
  for (const res of results) {
    if (res.error) lines.push([res.scenario, '', 'NOT RUN', '', '', '', '', res.error.split('\n')[0]!.slice(0, 120)]);
    for (const r of res.rows) {
      lines.push([
        res.scenario,
        r.case,
        r.metric,
        `${fmt(r.value)} ${r.unit}`.trim(),
        formatTarget(r.target, r.unit),
        r.ratio === undefined ? '' : fmt(r.ratio),
        r.verdict ?? '',
        r.note ?? '',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmtLine = (l: string[]): string => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmtLine(header), fmtLine(widths.map((w) => '-'.repeat(w))), ...lines.map(fmtLine)].join('\n');
}

export async function readResults(file = RESULTS_FILE): Promise<ResultsFile | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ResultsFile;
  } catch {
    return undefined;
  }
}

/** Merges one scenario's result into results.json (write to a temp file, then rename). */
export async function recordResult(result: ScenarioResult, file = RESULTS_FILE): Promise<void> {
  const current = (await readResults(file)) ?? { machine: machineInfo(), updatedAt: '', scenarios: {} };
  current.machine = machineInfo();
  current.updatedAt = new Date().toISOString();
  current.scenarios[result.scenario] = result;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(current, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
