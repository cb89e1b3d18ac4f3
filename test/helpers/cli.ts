// Runs the real CLI as a child process, the way a user or CI job does: from the bundle that
// `npm test` builds right before the run, or from the sources through tsx when a file runs alone.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../cmd/flowsync.ts', import.meta.url));
/** tsx resolved from here, so the CLI can run with any working folder (a temp config repo). */
export const TSX = import.meta.resolve('tsx');

/** Node's arguments that run `entry` (a .ts file: a helper script, cmd/start.ts) from the sources. */
export function tsxArgs(entry: string): string[] {
  return ['--import', TSX, entry];
}

/** The newest file the bundle is built from (cmd/flowsync.ts and src/), so a stale bundle is caught. */
function newestSource(): { file: string; mtimeMs: number } {
  let newest = { file: ENTRY, mtimeMs: statSync(ENTRY).mtimeMs };
  for (const e of readdirSync(join(REPO_ROOT, 'src'), { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = join(e.parentPath, e.name);
    const { mtimeMs } = statSync(file);
    if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

/**
 * Node's arguments that start the CLI. `npm test` builds dist/cli/flowsync.mjs and sets
 * FLOWSYNC_TEST_BIN to it: one prebuilt file starts in a fraction of the time tsx needs to
 * transpile ~700 modules per spawn, and it is what users run. Without the variable (a file run by
 * hand) the sources run, so a targeted run tests the code as edited. A bundle older than any
 * source fails the file instead of testing old code silently.
 */
function cliArgs(): string[] {
  if (!process.env.FLOWSYNC_TEST_BIN) return tsxArgs(ENTRY);
  const bin = resolve(process.env.FLOWSYNC_TEST_BIN); // children run in temp folders
  const built = statSync(bin).mtimeMs;
  const newest = newestSource();
  if (newest.mtimeMs > built) {
    throw new Error(`FLOWSYNC_TEST_BIN=${bin} is older than ${relative(REPO_ROOT, newest.file)}: run \`npm run build\`, or unset FLOWSYNC_TEST_BIN to run the sources`);
  }
  return [bin];
}

/** `[...CLI, 'plan', ...]` after process.execPath starts the CLI (bundle or sources, see cliArgs). */
export const CLI: readonly string[] = cliArgs();

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
