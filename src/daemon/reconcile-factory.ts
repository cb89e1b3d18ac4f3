// The one seam between the daemon and the reconcile core: builds the Reconcile a daemon calls
// each cycle. `flowsync run` calls createReconcile once at start-up.
import type { Logger } from 'pino';
import type { ClientEvent } from '../api/options.ts';
import type { LeaseEvent } from '../lease/index.ts';
import type { ConnectFlags } from '../reconcile/connect.ts';
import { createCycle } from '../reconcile/cycle.ts';
import type { Reconcile } from './types.ts';

export interface ReconcileDeps {
  /** Environment for FLOWSYNC_* connection variables and secret references. */
  env: NodeJS.ProcessEnv;
  /** --endpoint, --ims-endpoint, --org, --client-id (flags win over env over flowsync.yaml). */
  connect: ConnectFlags;
  /** --allow-mass-delete: a plan deleting more than reconcile.maxDeleteRatio of owned entities may run. */
  allowMassDelete: boolean;
  logger: Logger;
  /** Pass as the API client's `onEvent` so /metrics counts requests, retries, budget, breaker. */
  onClientEvent: (e: ClientEvent) => void;
}

export type ReconcileFactory = (deps: ReconcileDeps) => Reconcile;

/**
 * Each call of the returned Reconcile: load `input.dir` (flowsync.yaml + manifests) → result
 * 'invalid' with diagnostics; `daemon.suspend` → 'suspended'; read live state; plan; refuse
 * ('refused') past the delete ratio unless allowed; apply unless `input.mode` is 'observe' or a
 * destination's drift policy says warn/ignore; report every owned entity's condition.
 */
export const createReconcile: ReconcileFactory = (deps) =>
  createCycle({
    env: deps.env,
    connect: deps.connect,
    allowMassDelete: deps.allowMassDelete,
    onClientEvent: deps.onClientEvent,
    onLeaseEvent: (e) => logLease(deps.logger, e),
  });

/** Lease events as log lines: taken and freed at debug (every writing cycle has them), waits and losses louder. */
function logLease(logger: Logger, e: LeaseEvent): void {
  const base = { event: 'lease', what: e.type, sandbox: e.sandbox };
  switch (e.type) {
    case 'acquired':
      logger.info({ ...base, waitedMs: e.waitedMs, transitions: e.record.transitions }, `took the writer lease of sandbox ${e.sandbox}`);
      return;
    case 'waiting':
      logger.info({ ...base, holder: e.holder, delayMs: e.delayMs }, `waiting for the writer lease of sandbox ${e.sandbox}: held by ${e.holder}`);
      return;
    case 'renewed':
      logger.debug(base, `renewed the writer lease of sandbox ${e.sandbox}`);
      return;
    case 'lost':
      logger.warn({ ...base, reason: e.reason }, `lost the writer lease of sandbox ${e.sandbox}: ${e.reason}`);
      return;
    case 'released':
      logger.info(base, `released the writer lease of sandbox ${e.sandbox}`);
  }
}
