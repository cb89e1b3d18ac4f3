// `flowsync run` as a child process, the way it runs in production: its JSON log lines collected
// (pino, one object per line), its HTTP port chosen free beforehand, stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { signBody } from '../../src/daemon/webhook.ts';
import { cliArgv, sleep } from './measure.ts';

export interface LogEvent {
  time: number; // epoch ms (pino's default timestamp)
  event?: string;
  [key: string]: unknown;
}

export interface RunningDaemon {
  url: string;
  events: LogEvent[];
  /** The first event after `since` that `match` accepts, waiting up to `timeoutMs`. */
  waitEvent(match: (e: LogEvent) => boolean, since: number, timeoutMs?: number): Promise<LogEvent>;
  webhook(body: unknown, secret: string): Promise<number>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Starts `flowsync run <args> --listen 127.0.0.1:<free>` and waits until /readyz answers 200. */
export async function startDaemon(args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<RunningDaemon> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const argv = await cliArgv(['run', ...args, '--listen', `127.0.0.1:${port}`]);
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: LogEvent[] = [];
  let stderr = '';
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as LogEvent);
      } catch {
        // not a log line (a banner): ignore
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  const ready = async () => {
    if (exited) throw new Error(`flowsync run exited early:\n${stderr.slice(-3000)}\n${events.slice(-5).map((e) => JSON.stringify(e)).join('\n')}`);
    return fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
  };
  try {
    await until(ready, 60_000, 'flowsync run to become ready', 50);
  } catch (err) {
    child.kill('SIGKILL');
    const tail = events.slice(-8).map((e) => JSON.stringify(e).slice(0, 400));
    throw new Error(`${(err as Error).message}\n--- stderr\n${stderr.slice(-2000)}\n--- last log events\n${tail.join('\n')}`);
  }
  return {
    url,
    events,
    async waitEvent(match, since, timeoutMs = 30_000) {
      let found: LogEvent | undefined;
      await until(() => (found = events.find((e) => e.time >= since && match(e))) !== undefined, timeoutMs, 'a daemon log event');
      return found!;
    },
    async webhook(body, secret) {
      const text = JSON.stringify(body);
      const res = await fetch(`${url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signBody(secret, text) },
        body: text,
      });
      return res.status;
    },
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
