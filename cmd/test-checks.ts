// The static checks `npm test` runs beside the test files instead of before them: typecheck, lint and
// docs:check, the package.json scripts of those names (so `npm run lint` alone stays the same check).
// They take about 30 s of CPU; the test files leave about a sixth of two cores idle while they wait on
// late commits, breaker probes and daemon intervals, and the checks fill that time. One at a time, so
// they add one process to the four test files, and their output is kept to be shown at the end.
import { spawn } from 'node:child_process';

export const CHECKS = ['typecheck', 'lint', 'docs:check'] as const;

export interface CheckResult {
  name: (typeof CHECKS)[number];
  ok: boolean;
  seconds: number;
  /** stdout and stderr, interleaved as written. */
  output: string;
}

function runScript(name: CheckResult['name'], cwd: string): Promise<CheckResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const done = (ok: boolean, extra = '') => resolve({ name, ok, seconds: (performance.now() - started) / 1000, output: output + extra });
    child.on('error', (err) => done(false, `cannot run npm run ${name}: ${err.message}\n`));
    child.on('close', (code, signal) => done(code === 0, code === 0 ? '' : `npm run ${name} exited with ${signal ?? code}\n`));
  });
}

/** Runs every check, one after another (each runs even when one before it failed). */
export async function runChecks(cwd: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const name of CHECKS) results.push(await runScript(name, cwd));
  return results;
}

/** What `npm test` prints of the checks at the end: a line each, and a failed check's output in full. */
export function checksReport(results: CheckResult[]): string {
  return results
    .map((r) => `npm test: ${r.name} ${r.ok ? 'passed' : 'FAILED'} (${r.seconds.toFixed(1)} s, beside the test files)\n${r.ok ? '' : r.output.replace(/\n?$/, '\n')}`)
    .join('');
}
