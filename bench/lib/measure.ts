// Measuring: wall time and CPU time of a step in this process, and of a whole child process
// (wall, user+system CPU and peak RSS from /usr/bin/time, which reads the kernel's rusage).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The `flowsync` bin of package.json: the bundle `npm run build` makes (cmd/build.ts). */
export const CLI_BIN = fileURLToPath(new URL('../../dist/cli/flowsync.mjs', import.meta.url));
/** tsx's loader by absolute URL: a child started in a temp folder cannot resolve the bare name. */
const TSX = import.meta.resolve('tsx');

export interface Sample {
  wallMs: number;
  cpuMs: number; // user + system
  cpuUserMs: number;
  cpuSystemMs: number;
}

/** Runs `fn` in this process and measures its wall and CPU time (CPU of the whole process meanwhile). */
export async function measure<T>(fn: () => Promise<T> | T): Promise<{ value: T; sample: Sample }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    value,
    sample: { wallMs, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, cpuMs: (cpu.user + cpu.system) / 1000 },
  };
}

/** Peak resident set size of this process so far, in MB (process.resourceUsage().maxRSS is kB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export interface ChildRun extends Sample {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak RSS of the child in MB; undefined when /usr/bin/time is not installed. */
  maxRssMb: number | undefined;
}

const TIME_BIN = '/usr/bin/time';

/**
 * Runs a command as a child process, measured by /usr/bin/time when present (wall from here).
 * The child's env is ours plus `env`; NO_COLOR is set so output is plain.
 */
export async function runMeasured(
  argv: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): Promise<ChildRun> {
  const haveTime = existsSync(TIME_BIN);
  const tmp = haveTime ? await mkdtemp(join(tmpdir(), 'flowsync-bench-time-')) : undefined;
  const timeFile = tmp ? join(tmp, 'rusage') : undefined;
  const full = timeFile ? [TIME_BIN, '-o', timeFile, '-f', '%e %U %S %M', ...argv] : argv;
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const t0 = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), { cwd: opts.cwd ?? REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? -1, stdout: out, stderr: err });
    });
    child.stdin.end(opts.input ?? '');
  });
  const wallMs = performance.now() - t0;
  let cpuUserMs = Number.NaN;
  let cpuSystemMs = Number.NaN;
  let maxRssMb: number | undefined;
  if (timeFile && tmp) {
    // GNU time writes "Command exited with non-zero status N" first when the exit code is not 0.
    const text = await readFile(timeFile, 'utf8').catch(() => '');
    const last = text.trim().split('\n').pop() ?? '';
    const [, user, sys, rssKb] = last.split(' ').map(Number);
    if (user !== undefined && sys !== undefined && rssKb !== undefined) {
      cpuUserMs = user * 1000;
      cpuSystemMs = sys * 1000;
      maxRssMb = rssKb / 1024;
    }
    await rm(tmp, { recursive: true, force: true });
  }
  return { code, stdout, stderr, wallMs, cpuUserMs, cpuSystemMs, cpuMs: cpuUserMs + cpuSystemMs, maxRssMb };
}

let built: Promise<unknown> | undefined;

/**
 * The flowsync CLI exactly as a user runs it: the package's bin, built from the current sources
 * once per bench process. BENCH_FLOWSYNC_CLI (a space-separated command line) measures another
 * build instead.
 */
export async function cliArgv(args: string[]): Promise<string[]> {
  const other = process.env.BENCH_FLOWSYNC_CLI?.trim();
  if (other) return [...other.split(/\s+/), ...args];
  built ??= import('../../cmd/build.ts').then((m) => m.buildBundle());
  await built;
  return [process.execPath, CLI_BIN, ...args];
}

/** The CLI from the TypeScript sources through tsx, as in development (for comparison). */
export function sourcesArgv(args: string[]): string[] {
  return [process.execPath, '--import', TSX, fileURLToPath(new URL('../../cmd/flowsync.ts', import.meta.url)), ...args];
}

/** Where BENCH_PROFILE=1 puts the V8 CPU profiles of measured steps (open them in Chrome DevTools). */
export const PROFILE_DIR = fileURLToPath(new URL('../.cache/profiles/', import.meta.url));

/** A bench step script (bench/steps/*.ts) run in its own process; with BENCH_PROFILE=1 it writes a CPU profile. */
export function stepArgv(step: string, args: string[] = [], nodeFlags: string[] = []): string[] {
  // A folder per run and Node's own file names: a fixed --cpu-prof-name made the tsx loader's worker
  // thread write over the main thread's profile.
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}${step}-${Date.now()}`] : [];
  return [process.execPath, ...nodeFlags, ...profile, '--import', TSX, fileURLToPath(new URL(`../steps/${step}.ts`, import.meta.url)), ...args];
}

const RESULT_MARK = 'BENCH_RESULT ';

/** In a step process: hand the measurements to the parent (one marked JSON line on stdout). */
export function emitStepResult(result: unknown): void {
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`);
}

/** In the parent: the step's measurements, or a clear error with the step's stderr. */
export function parseStepResult<T>(run: ChildRun, what: string): T {
  const line = run.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (run.code !== 0 || !line) {
    throw new Error(`${what} failed (exit ${run.code}):\n${run.stderr.slice(-4000) || run.stdout.slice(-4000)}`);
  }
  return JSON.parse(line.slice(RESULT_MARK.length)) as T;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
