// The embedded Flow Service emulator as a library: startEmulator() listens (port 0 for tests) and returns
// the URLs, the admin interface and close(). `flowsync emulator` (src/cli/emulator-command.ts) wraps it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin, type FullAdmin } from './admin.ts';
import { TokenIssuer } from './auth.ts';
import { Audiences } from './audiences.ts';
import { exampleAudiences } from './example-audiences.ts';
import { Faults } from './faults.ts';
import { loadState, stateError, StateWriter } from './persistence.ts';
import { RequestLog } from './request-log.ts';
import { BASE_PATH, createHandler, IMS_PATH } from './server.ts';
import { DEFAULT_SANDBOXES } from './sandboxes.ts';
import { Store } from './store.ts';
import { Tenants } from './tenants.ts';
import { finishAll, settleOrphans } from './transitions.ts';
import type { AudienceSeed, Emulator, EmulatorOptions } from './types.ts';

export * from './types.ts';
export { BASE_PATH, IMS_PATH } from './server.ts';
export { ADMIN_PREFIX, UI_USER, UI_CLIENT } from './admin.ts';
export { DEFAULT_FAULTS, DEFAULT_RUN_INTERVAL_MS } from './faults.ts';
export { RUN_FAILURE, RUNS_KEPT_PER_FLOW } from './runs.ts';
export { DEFAULT_TRANSITION_MS } from './transitions.ts';
export { DEFAULT_SANDBOXES, SANDBOX_API_PATH } from './sandboxes.ts';
export { Tenants } from './tenants.ts';
export { audienceUuid } from './audiences.ts';
export { SEGMENTATION_PATH } from './segmentation.ts';

export const EMULATOR_DEFAULTS = {
  clientId: 'flowsync-emulator',
  clientSecret: 'emulator-secret',
  orgId: 'EMULATOR0000000000000000@AdobeOrg',
  sandbox: 'prod',
} as const;

/**
 * The clients every emulator knows: the demo client in the demo org, and the example repo's client
 * (manifests/flowsync.yaml, used by `npm start`) in the example repo's org.
 */
export const DEFAULT_CLIENTS: Readonly<Record<string, string>> = {
  [EMULATOR_DEFAULTS.clientId]: EMULATOR_DEFAULTS.orgId,
  'flowsync-example': '0123456789ABCDEF01234567@AdobeOrg',
};

/** The example repo's audiences, in prod and dev of the orgs of the known clients (the example repo's and the demo org). */
export const EXAMPLE_AUDIENCES: readonly AudienceSeed[] = exampleAudiences([...new Set(Object.values(DEFAULT_CLIENTS))]);

export interface StartedEmulator extends Emulator {
  admin: FullAdmin;
  port: number;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<StartedEmulator> {
  const now = opts.now ?? Date.now;
  const store = new Store();
  const persisted = opts.stateFile ? loadState(opts.stateFile) : undefined;
  if (persisted) {
    store.load(persisted);
    settleOrphans(store);
  }
  const issuer = new TokenIssuer(persisted?.tokenKey ?? TokenIssuer.newKey(), now, opts.tokenTtlSeconds ?? 86399);
  const faults = new Faults({
    ...(opts.transitionMs !== undefined ? { transitionMs: opts.transitionMs } : {}),
    ...(opts.runIntervalMs !== undefined ? { runIntervalMs: opts.runIntervalMs } : {}),
    ...opts.faults,
  }, now);
  const log = new RequestLog(opts.requestLogLimit ?? 100_000);
  const tenants = new Tenants(opts.sandboxes ?? DEFAULT_SANDBOXES, EMULATOR_DEFAULTS.orgId, { ...DEFAULT_CLIENTS, ...opts.clients });
  if (persisted) tenants.load(persisted.tenants, store.scopesWithEntities());
  const audiences = new Audiences();
  audiences.load(persisted?.audiences);
  const seeds = opts.audiences ?? EXAMPLE_AUDIENCES.filter((s) => tenants.hasSandbox(s.orgId ?? EMULATOR_DEFAULTS.orgId, s.sandbox));
  for (const s of seeds) {
    if (!tenants.hasSandbox(s.orgId ?? EMULATOR_DEFAULTS.orgId, s.sandbox)) throw new RangeError(`audience "${s.name}": sandbox "${s.sandbox}" does not exist (add it with the sandboxes option)`);
  }
  // a state file's audiences are the truth (renamed or deleted ones stay so); seeds start a new state
  if (!persisted?.audiences) for (const s of seeds) audiences.seed(s, EMULATOR_DEFAULTS.orgId, now());
  const admin = createAdmin({ store, faults, log, issuer, tenants, audiences, now, defaultOrg: EMULATOR_DEFAULTS.orgId, defaultClientId: EMULATOR_DEFAULTS.clientId });
  const writer = opts.stateFile
    ? new StateWriter(opts.stateFile, () => ({ ...store.toPersisted(issuer.key), tenants: tenants.toPersisted(), audiences: audiences.toPersisted() }), opts.persistDebounceMs ?? 50)
    : undefined;
  if (writer) {
    store.onChange = () => writer.changed();
    audiences.onChange = () => writer.changed();
    // Written once at start, new or not, so a file that cannot be written fails here and not at exit.
    writer.changed();
    writer.flush();
    if (writer.lastError) throw stateError(opts.stateFile!, 'cannot be written', writer.lastError);
  }

  let closing = false;
  const server = createServer({ keepAliveTimeout: 5_000 }, createHandler({ store, faults, log, issuer, admin, now, closing: () => closing, tenants, audiences }));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    flowServiceUrl: `${url}${BASE_PATH}`,
    imsUrl: `${url}${IMS_PATH}`,
    admin,
    close() {
      closing = true;
      finishAll(store); // a state file never holds a flow mid-operation
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => {
        writer?.flush();
        if (writer?.lastError) throw stateError(opts.stateFile!, 'the last changes could not be saved', writer.lastError);
      });
      return closed;
    },
  };
}
