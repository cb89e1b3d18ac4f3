// A real emulator on an ephemeral port and a client pointed at it, with an instant sleep that records
// every delay, so retry tests run fast and can assert the backoff the client chose.
import type { TestContext } from 'node:test';
import { startEmulator, EMULATOR_DEFAULTS, type EmulatorOptions, type StartedEmulator } from '../../src/emulator/index.ts';
import { FlowServiceClient, type ClientEvent, type FlowServiceClientOptions } from '../../src/api/index.ts';
import { DESTINATION_TYPE_SPECS, PROFILE_STORE_SPEC_ID } from '../../src/domain/specs.ts';
import { testAudiences } from '../helpers/audiences.ts';

export const KINESIS_SPEC = DESTINATION_TYPE_SPECS['amazon-kinesis'].specId;
export const EVENT_HUBS_SPEC = DESTINATION_TYPE_SPECS['azure-event-hubs'].specId;
export { PROFILE_STORE_SPEC_ID, EMULATOR_DEFAULTS };

export interface Harness {
  emu: StartedEmulator;
  client: FlowServiceClient;
  events: ClientEvent[];
  sleeps: number[];
  /** Requests that reached the emulator's Flow Service (IMS excluded). */
  serviceRequests(): ReturnType<StartedEmulator['admin']['requests']>;
  imsRequests(): ReturnType<StartedEmulator['admin']['requests']>;
  newClient(overrides?: Partial<FlowServiceClientOptions>): FlowServiceClient;
}

export async function harness(
  t: TestContext,
  opts: { emulator?: EmulatorOptions; client?: Partial<FlowServiceClientOptions> } = {},
): Promise<Harness> {
  // The client's sleep is instant here: flow operations settle at once unless a test gives them a clock.
  const emu = await startEmulator({ port: 0, transitionMs: 0, audiences: testAudiences(opts.emulator?.sandboxes), ...opts.emulator });
  const events: ClientEvent[] = [];
  const sleeps: number[] = [];
  const clients: FlowServiceClient[] = [];
  const newClient = (overrides: Partial<FlowServiceClientOptions> = {}) => {
    const client = new FlowServiceClient({
      endpoint: emu.url,
      imsEndpoint: emu.imsUrl,
      orgId: EMULATOR_DEFAULTS.orgId,
      clientId: EMULATOR_DEFAULTS.clientId,
      clientSecret: EMULATOR_DEFAULTS.clientSecret,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onEvent: (e) => events.push(e),
      ...opts.client,
      ...overrides,
    });
    clients.push(client);
    return client;
  };
  const client = newClient();
  t.after(async () => {
    for (const c of clients) c.close();
    await emu.close();
  });
  const isIms = (p: string) => p.startsWith('/ims/');
  return {
    emu,
    client,
    events,
    sleeps,
    serviceRequests: () => emu.admin.requests().filter((r) => !isIms(r.path)),
    imsRequests: () => emu.admin.requests().filter((r) => isIms(r.path)),
    newClient,
  };
}

/** A Kinesis base connection body (the secret is a test value). */
export function kinesisConnection(name: string, secretKey = 'test-secret-key-0001'): Record<string, unknown> {
  return {
    name,
    description: `${name} [flowsync:account/${name}]`,
    connectionSpec: { id: KINESIS_SPEC, version: '1.0' },
    auth: { specName: DESTINATION_TYPE_SPECS['amazon-kinesis'].authSpecName, params: { accessKeyId: 'AKIATEST', secretKey, region: 'us-east-1' } },
  };
}

export function profileConnection(name: string): Record<string, unknown> {
  return { name, connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' } };
}

/**
 * A clock that only moves when the client sleeps (requests take no time on it): window arithmetic
 * without waiting. Every sleep is also recorded in `sleeps`.
 */
export function virtualTime(start = 1_000_000): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[]; advance: (ms: number) => void } {
  let clock = start;
  const sleeps: number[] = [];
  return {
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    sleeps,
    advance: (ms) => {
      clock += ms;
    },
  };
}

/**
 * A discrete-event clock shared by the client and the emulator: it moves only when every worker
 * started with `run` is asleep, and then straight to the earliest wake-up. Requests take no time on
 * it, and how loaded the machine is changes nothing. Each worker must sleep at most once at a time
 * (one chain of awaits per worker; the client's concurrency at least the number of workers).
 */
export function eventClock(start = 1_000_000): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  run: <T>(work: () => Promise<T>) => Promise<T>;
} {
  let clock = start;
  let running = 0;
  const sleepers: Array<{ wake: number; resolve: () => void }> = [];
  const step = (): void => {
    if (running === 0 || sleepers.length < running) return;
    sleepers.sort((a, b) => a.wake - b.wake);
    clock = Math.max(clock, sleepers[0]!.wake);
    while (sleepers.length > 0 && sleepers[0]!.wake <= clock) sleepers.shift()!.resolve();
  };
  return {
    now: () => clock,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (ms <= 0) return resolve();
        sleepers.push({ wake: clock + ms, resolve });
        step();
      }),
    run: async (work) => {
      running += 1;
      try {
        return await work();
      } finally {
        running -= 1;
        step();
      }
    },
  };
}
