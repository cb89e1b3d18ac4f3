// The emulator as the benchmarks use it: in this process (so its CPU and memory are not counted
// in a measured child), with the settings and env a flowsync child process needs to reach it.
import { EMULATOR_DEFAULTS, startEmulator } from '../../src/emulator/index.ts';
import type { Emulator, FaultsInput } from '../../src/emulator/types.ts';
import type { ApiSettings } from './generate.ts';
import type { TutorialTarget } from './tutorial-way.ts';
import type { ClientTarget } from './core.ts';

export interface BenchEmulator {
  emu: Emulator;
  api: ApiSettings;
  tutorial: TutorialTarget;
  /** FLOWSYNC_* variables for a flowsync child process (the CLI layers them over flowsync.yaml). */
  env: Record<string, string>;
  /** The same connection for flowsync's client in-process. */
  client: ClientTarget;
  /**
   * Creates the repo's sandboxes in the emulator's org (like Adobe, it has only prod and dev until
   * then) and the audiences its destinations activate, each in its destination's sandbox.
   */
  register(repo: { sandboxes: readonly string[]; destinations?: readonly { sandbox: string; segments: readonly { id: string; name: string }[] }[] }): void;
  close(): Promise<void>;
}

export async function startBenchEmulator(opts: { faults?: FaultsInput; stateFile?: string } = {}): Promise<BenchEmulator> {
  const emu = await startEmulator({
    port: 0,
    ...(opts.faults ? { faults: opts.faults } : {}),
    // The state file is written once, on close: rewriting 50 MB every 50 ms would dominate a seed.
    ...(opts.stateFile ? { stateFile: opts.stateFile, persistDebounceMs: 3_600_000 } : {}),
    // A 10,000-destination seed writes ~30,000 times: keep every entry so counts stay exact.
    requestLogLimit: 1_000_000,
    // No dataflow runs: 10,000 flows would get 2,000 runs a second, which is not what is measured.
    runIntervalMs: 0,
  });
  const api: ApiSettings = {
    endpoint: emu.flowServiceUrl,
    imsEndpoint: emu.imsUrl,
    clientId: EMULATOR_DEFAULTS.clientId,
    orgId: EMULATOR_DEFAULTS.orgId,
  };
  return {
    emu,
    api,
    tutorial: { flowServiceUrl: emu.flowServiceUrl, imsUrl: emu.imsUrl, clientId: api.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret, orgId: api.orgId },
    env: {
      FLOWSYNC_ENDPOINT: emu.flowServiceUrl,
      FLOWSYNC_IMS_ENDPOINT: emu.imsUrl,
      FLOWSYNC_CLIENT_ID: api.clientId,
      FLOWSYNC_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
      FLOWSYNC_ORG_ID: api.orgId,
    },
    client: { ...api, clientSecret: EMULATOR_DEFAULTS.clientSecret },
    register(repo) {
      for (const name of repo.sandboxes) emu.admin.addSandbox(name);
      const seeded = new Set<string>();
      for (const d of repo.destinations ?? []) {
        for (const s of d.segments) {
          const key = `${d.sandbox}/${s.id}`;
          if (seeded.has(key)) continue;
          seeded.add(key);
          emu.admin.addAudience({ sandbox: d.sandbox, id: s.id, name: s.name });
        }
      }
    },
    close: () => emu.close(),
  };
}
