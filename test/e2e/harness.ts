// End-to-end harness: the real `flowsync run` (cmd/flowsync.ts) as a child process against the
// emulator, real git repositories (a bare "remote" plus a work tree that commits and pushes), and
// small readers for /status, /readyz, /metrics and the JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signBody } from '../../src/daemon/webhook.ts';
import type { StartedEmulator } from '../../src/emulator/index.ts';
import { CLI } from '../helpers/cli.ts';
import { eventually } from '../helpers/eventually.ts';
import { segmentId, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';
import { git, onCleanup, tempDir } from '../daemon/helpers.ts';

export const START_ENTRY = fileURLToPath(new URL('../../cmd/start.ts', import.meta.url));

export const ACCOUNTS: AccountSpec[] = [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }];
export const WEBHOOK_SECRET = 'e2e-webhook-secret';

export function dest(name: string, segments: number[], extra: Partial<DestinationSpec> = {}): DestinationSpec {
  return { name, account: 'kin', segments: segments.map(segmentId), ...extra };
}

/** A spawned process whose stdout+stderr are captured; killed (SIGKILL) at clean-up if still alive. */
export interface Child {
  proc: ChildProcess;
  output: () => string;
  /** stdout JSON log lines parsed (non-JSON lines skipped). */
  records: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

/**
 * Runs `node ARGS`: `[...CLI, 'run', ...]` for the CLI (the bundle under npm test), `tsxArgs(file)`
 * for another TypeScript entry such as cmd/start.ts.
 */
export function spawnChild(t: TestContext, args: string[], env: Record<string, string | undefined>, cwd?: string): Child {
  if (args[0]?.endsWith('.ts')) throw new Error(`spawnChild runs node ${args[0]}, which cannot load TypeScript: pass [...CLI, ...] or tsxArgs(file)`);
  const merged: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: merged as NodeJS.ProcessEnv, ...(cwd ? { cwd } : {}) });
  let out = '';
  let stdout = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => ((out += d), (stdout += d)));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  onCleanup(t, async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  return {
    proc,
    exited,
    output: () => out,
    records: () =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
  };
}

export interface RunningDaemon extends Child {
  url: string;
  status: () => Promise<StatusDoc>;
  readyz: () => Promise<number>;
  metrics: () => Promise<string>;
  /** POSTs a push webhook signed with `secret` (default WEBHOOK_SECRET). */
  webhook: (body: unknown, secret?: string | null) => Promise<number>;
  events: (event: string) => Record<string, unknown>[];
}

/** Just enough of the /status document for the assertions. */
export interface StatusDoc {
  mode: string;
  ready: boolean;
  suspended: boolean;
  revision: { inForce: string | null; lastAttempted: string | null; lastAttemptedResult: string | null; note?: string };
  lastCycle: { trigger: string; revision: string | null; result: string; error?: { code: string; message: string }; diagnostics?: unknown[] } | null;
  reachable: { api: boolean; source: boolean };
  counts: Record<string, number>;
  entities: { sandbox: string; kind: string; name: string; condition: string; reason: string; message?: string }[];
}

/** `flowsync run <args>` with --listen on a free loopback port; resolves once it serves HTTP. */
export async function startDaemon(t: TestContext, args: string[], env: Record<string, string | undefined>): Promise<RunningDaemon> {
  const child = spawnChild(t, [...CLI, 'run', '--listen', '127.0.0.1:0', '--webhook-secret-env', 'E2E_WEBHOOK_SECRET', ...args], { E2E_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env });
  const url = (await eventually(
    () => {
      if (child.proc.exitCode !== null) throw new Error(`flowsync run exited ${child.proc.exitCode}: ${child.output()}`);
      return child.records().find((r) => r.event === 'started')?.url as string | undefined;
    },
    { timeoutMs: 20_000, message: 'flowsync run did not start' },
  ))!;
  const getJson = async (path: string) => (await fetch(`${url}${path}`)).json();
  return {
    ...child,
    url,
    status: async () => (await getJson('/status')) as StatusDoc,
    readyz: async () => (await fetch(`${url}/readyz`)).status,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    webhook: async (body, secret = WEBHOOK_SECRET) => {
      const raw = JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'e2e' };
      if (secret !== null) headers['x-hub-signature-256'] = signBody(secret, raw);
      const res = await fetch(`${url}/webhook`, { method: 'POST', headers, body: raw });
      await res.arrayBuffer();
      return res.status;
    },
    events: (event) => child.records().filter((r) => r.event === event),
  };
}

/** The value of a metric line (`name{labels} value`), undefined when absent. */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** A bare remote plus a work tree; `commit` writes a test repo with writeRepo, commits and pushes. */
export async function configRemote(t: TestContext) {
  const root = await tempDir(t, 'flowsync-e2e-');
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  await mkdir(work);
  git(root, 'init', '-q', '--bare', '--initial-branch=main', bare);
  git(work, 'init', '-q', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  return {
    root,
    bare,
    work,
    cacheDir: join(root, 'cache'),
    /** Commits exactly the files `write` leaves in the work tree (deletions included) and pushes. */
    async commitWith(write: (dir: string) => Promise<void>, message = 'change'): Promise<string> {
      await write(work);
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '--allow-empty', '-m', message);
      git(work, 'push', '-q', 'origin', 'main:main');
      return git(work, 'rev-parse', 'HEAD');
    },
    commit(destinations: DestinationSpec[], config: Record<string, unknown> = {}, message = 'change'): Promise<string> {
      return this.commitWith((dir) => writeRepo(dir, ACCOUNTS, destinations, config), message);
    },
  };
}

export type EmuFlow = Record<string, any>;

export function flowsIn(emu: StartedEmulator, orgId: string, sandbox = 'prod'): EmuFlow[] {
  return (emu.admin.snapshot().scopes[`${orgId}/${sandbox}`]?.flows ?? []) as EmuFlow[];
}

export function flowNamed(emu: StartedEmulator, orgId: string, name: string): EmuFlow | undefined {
  return flowsIn(emu, orgId).find((f) => f.name === name);
}

export function segmentsOf(flow: EmuFlow | undefined): string[] {
  return ((flow?.transformations?.[0]?.params?.segmentSelectors?.selectors ?? []) as { value: { id: string } }[]).map((s) => s.value.id).sort();
}

/** A free TCP port on loopback (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
