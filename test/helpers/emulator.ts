// Starts the real emulator on an ephemeral port for one test and gives the environment the CLI
// needs to reach it (FLOWSYNC_* plus the example manifests' fake secrets).
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { DEMO_SECRET_ENV } from '../../src/cli/demo-env.ts';
import { EMULATOR_DEFAULTS, startEmulator, type EmulatorOptions, type StartedEmulator } from '../../src/emulator/index.ts';
import { testAudiences } from './audiences.ts';
import { REPO_ROOT } from './cli.ts';

export interface TestEmulator {
  emu: StartedEmulator;
  env: Record<string, string>;
  orgId: string;
}

/** An emulator on an ephemeral port with the test audiences (testAudiences), stopped after the test. */
export async function startTestEmulator(t: TestContext, opts: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ port: 0, audiences: testAudiences(opts.sandboxes), ...opts });
  t.after(() => emu.close());
  return { emu, env: emulatorEnv(emu), orgId: EMULATOR_DEFAULTS.orgId };
}

/** FLOWSYNC_* for an emulator plus the example manifests' fake secrets. */
export function emulatorEnv(emu: Pick<StartedEmulator, 'url' | 'imsUrl'>): Record<string, string> {
  return {
    ...DEMO_SECRET_ENV,
    FLOWSYNC_ENDPOINT: emu.url,
    FLOWSYNC_IMS_ENDPOINT: emu.imsUrl,
    FLOWSYNC_CLIENT_ID: EMULATOR_DEFAULTS.clientId,
    FLOWSYNC_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
    FLOWSYNC_ORG_ID: EMULATOR_DEFAULTS.orgId,
  };
}

/** A private copy of the example config repo (manifests/) in a temp folder. */
export async function copyExampleRepo(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-repo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(path.join(REPO_ROOT, 'manifests'), dir, { recursive: true });
  return dir;
}

/** Writes to destinations' entities; the writer lease's own requests (User-Agent "… lease") are left out. */
export function flowServiceWrites(emu: StartedEmulator): { method: string; path: string }[] {
  return emu.admin
    .requests()
    .filter((r) => r.write && !isLeaseRequest(r))
    .map((r) => ({ method: r.method, path: r.path }));
}

/** The writer lease's own writes (taking, renewing, releasing, recording deletions). */
export function leaseWrites(emu: StartedEmulator): { method: string; path: string }[] {
  return emu.admin
    .requests()
    .filter((r) => r.write && isLeaseRequest(r))
    .map((r) => ({ method: r.method, path: r.path }));
}

function isLeaseRequest(r: { userAgent?: string }): boolean {
  return / lease$/.test(r.userAgent ?? '');
}
