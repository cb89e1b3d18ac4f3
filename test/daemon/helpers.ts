// Test helpers for the daemon: a scripted reconcile that records its inputs, hand-driven timers,
// real git repositories in temp folders, a log capture, and a tiny HTTP client.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { createLogger } from '../../src/daemon/logger.ts';
import type { Timers } from '../../src/daemon/timers.ts';
import type { CycleInput, CycleOutcome, Reconcile } from '../../src/daemon/types.ts';

export function ok(extra: Partial<CycleOutcome> = {}): CycleOutcome {
  return { result: 'success', entities: [], changes: [], drift: [], apiReachable: true, ...extra };
}

/** A reconcile that records each input and answers from a script (the last answer repeats). */
export function scriptedReconcile(script: (CycleOutcome | Error | ((input: CycleInput, signal: AbortSignal) => Promise<CycleOutcome>))[] = [ok()]) {
  const inputs: CycleInput[] = [];
  let i = 0;
  const reconcile: Reconcile = async (input, signal) => {
    inputs.push(input);
    const step = script[Math.min(i++, script.length - 1)]!;
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(input, signal);
    return step;
  };
  return { reconcile, inputs };
}

const cleanups = new WeakMap<TestContext, (() => unknown)[]>();

/**
 * Registers clean-up that runs last-in, first-out (t.after runs first-in, first-out), so a daemon
 * is stopped before the folders it writes to are removed. A failing step does not skip the rest.
 */
export function onCleanup(t: TestContext, fn: () => unknown): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const fns: (() => unknown)[] = [];
    cleanups.set(t, fns);
    t.after(async () => {
      const errors: unknown[] = [];
      for (const f of fns.reverse()) await Promise.resolve().then(f).catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw errors[0];
    });
    stack = fns;
  }
  stack.push(fn);
}

export async function tempDir(t: TestContext, prefix = 'flowsync-daemon-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(t, () => rm(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}

/** A local HTTP server that records the JSON bodies posted to it (a chat webhook stand-in). */
export async function hookServer(t: TestContext) {
  const received: string[] = [];
  const authorizations: (string | undefined)[] = [];
  let failNext = false;
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failNext) {
        failNext = false;
        res.writeHead(500).end();
        return;
      }
      received.push(body);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(t, () => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    authorizations,
    failNext: () => (failNext = true),
  };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  }).trim();
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A bare "remote" and a work tree that pushes to it; returns helpers to commit and push. */
export async function gitRemote(t: TestContext, branch = 'main') {
  const root = await tempDir(t);
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  await mkdir(work);
  git(root, 'init', '-q', '--bare', `--initial-branch=${branch}`, bare);
  git(work, 'init', '-q', `--initial-branch=${branch}`);
  git(work, 'remote', 'add', 'origin', bare);
  return {
    root,
    bare,
    work,
    async commit(files: Record<string, string>, message = 'change', onBranch = branch): Promise<string> {
      git(work, 'checkout', '-q', '-B', onBranch);
      await writeFiles(work, files);
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', message);
      git(work, 'push', '-q', 'origin', `${onBranch}:${onBranch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
  };
}

/** Timers driven by hand: advance(ms) fires what falls due, in order. */
export class FakeTimers implements Timers {
  time = 0;
  private next = 1;
  private pending = new Map<number, { at: number; fn: () => void }>();

  now = (): number => this.time;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.pending.set(id, { at: this.time + ms, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  /** Delays currently armed, relative to now. */
  armed(): number[] {
    return [...this.pending.values()].map((p) => p.at - this.time).sort((a, b) => a - b);
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
      await flushMicrotasks();
    }
    this.time = until;
    await flushMicrotasks();
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A logger writing JSON lines into memory. */
export function captureLogger(level = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, stream, pretty: false });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export async function request(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}
