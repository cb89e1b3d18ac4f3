// Starts the real emulator on an ephemeral port for one test and gives the environment the CLI
// needs to reach it (FLOWSYNC_* plus the example manifests' fake secrets).
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, type TestContext } from 'node:test';
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

/**
 * One seeded org per test file, for tests that each start from the same live state and do not share
 * it: `seed` runs once, at the first call, against an emulator that keeps its store in a state file,
 * and every call starts a new emulator (stopped after its test) from a copy of that file. A test then
 * pays for an emulator start instead of the seeding (a CLI apply is ~0.3 s of CPU), and still writes
 * to an org of its own. `seed` gets the emulator and an empty folder to use as its config repo.
 */
export function seededOrg(seed: (emulator: TestEmulator, dir: string) => Promise<void>, opts: EmulatorOptions = {}): (t: TestContext) => Promise<TestEmulator> {
  let seeded: Promise<string> | undefined;
  let scratch: string | undefined;
  after(() => (scratch ? rm(scratch, { recursive: true, force: true }) : undefined));
  const seedOnce = async (): Promise<string> => {
    scratch = await mkdtemp(path.join(tmpdir(), 'flowsync-seed-'));
    const stateFile = path.join(scratch, 'seeded.json');
    const emu = await startEmulator({ port: 0, audiences: testAudiences(opts.sandboxes), ...opts, stateFile });
    try {
      await seed({ emu, env: emulatorEnv(emu), orgId: EMULATOR_DEFAULTS.orgId }, await mkdtemp(path.join(scratch, 'repo-')));
    } finally {
      await emu.close(); // settles flows mid-operation and writes the state file
    }
    return stateFile;
  };
  return async (t) => {
    seeded ??= seedOnce();
    const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-state-'));
    const stateFile = path.join(dir, 'state.json');
    await copyFile(await seeded, stateFile);
    const emu = await startEmulator({ port: 0, audiences: testAudiences(opts.sandboxes), ...opts, stateFile });
    // the folder goes after the emulator's last write to its state file, at close
    t.after(() => emu.close().finally(() => rm(dir, { recursive: true, force: true })));
    return { emu, env: emulatorEnv(emu), orgId: EMULATOR_DEFAULTS.orgId };
  };
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
