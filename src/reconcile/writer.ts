// Writing under the writer lease. Every write path (CLI apply, a saved plan, the daemon's cycle,
// import adoption) plans first without it; only when the plan writes something does it take the
// lease of each sandbox it writes (sorted, so two runs never wait on each other in a circle), read
// those sandboxes again (a plan made before the lease may be stale, and creates carry no etag to
// catch that), and hand the fresh live state to the caller, which plans again and applies what it
// planned under the lease. A run that writes nothing sends no lease request at all.
import type { FlowServiceClient } from '../api/index.ts';
import type { ApplyEvent, ApplyResult } from '../apply/index.ts';
import { isFlowsyncError, type FlowsyncError } from '../domain/errors.ts';
import type { DeletionLedger } from '../plan/deletion-guard.ts';
import type { LiveState } from '../domain/model.ts';
import type { Plan } from '../domain/plan.ts';
import { withWriteLeases, type HeldLease, type LeaseEvent, type LeaseOptions } from '../lease/index.ts';
import type { FlowsyncConfig, Secrets } from '../manifest/index.ts';
import { readLiveState } from '../state/index.ts';
import { refuseUnsafeDeletions } from './deletion-check.ts';
import { applyLive, makePlan, verifyApplied, type PlanInput, type Verification } from './reconcile.ts';

export interface WriteScope {
  /** Live state with every leased sandbox read again under the lease. */
  live: LiveState;
  leases: ReadonlyMap<string, HeldLease>;
  ledger: DeletionLedger;
  /** Records deletions in the leases before they are sent (the deletion budget's memory). */
  recordDeletions(bySandbox: ReadonlyMap<string, number>, atMs: number): Promise<void>;
}

export interface WriteLeaseSettings {
  config: Pick<FlowsyncConfig, 'lease' | 'reconcile'>;
  manager: string;
  command: string;
  /** How long to wait for a lease another run holds (0: fail at once naming the holder). */
  lockTimeoutMs?: number;
  onEvent?: (e: LeaseEvent) => void;
  now?: () => number;
}

/** The sandboxes a plan writes, sorted. */
export function sandboxesWritten(plan: Pick<Plan, 'actions'>): string[] {
  return [...new Set(plan.actions.map((a) => a.sandbox))].sort();
}

export function leaseOptions(s: WriteLeaseSettings): LeaseOptions {
  return {
    durationMs: s.config.lease.durationMs,
    clockSkewMs: s.config.lease.clockSkewMs,
    identity: { manager: s.manager, command: s.command },
    ...(s.lockTimeoutMs ? { lockTimeoutMs: s.lockTimeoutMs } : {}),
    ...(s.onEvent ? { onEvent: s.onEvent } : {}),
    ...(s.now ? { now: s.now } : {}),
  };
}

/**
 * Takes the leases of `sandboxes`, re-reads them (once; `reread: false` for writers whose every
 * write is an If-Match PATCH, which a stale read turns into a 412, never an overwrite) and runs `fn`
 * with the fresh live state.
 * The client refuses every write once a lease is lost; all leases are released afterwards, also on
 * error. `live` is the state read before: sandboxes not written keep it.
 */
export async function underWriteLeases<T>(
  client: FlowServiceClient,
  sandboxes: string[],
  live: LiveState,
  settings: WriteLeaseSettings & { concurrency: number; reread?: boolean },
  fn: (scope: WriteScope) => Promise<T>,
): Promise<T> {
  const wanted = [...new Set(sandboxes)].sort();
  return withWriteLeases(client, wanted, leaseOptions(settings), async (leases) => {
    const fresh = settings.reread === false ? { sandboxes: {} } : await readLiveState(client, wanted, { concurrency: settings.concurrency });
    const merged: LiveState = { sandboxes: { ...live.sandboxes, ...fresh.sandboxes } };
    return fn({
      live: merged,
      leases,
      ledger: { deletionsSince: (sandbox, sinceMs) => leases.get(sandbox)?.deletionsSince(sinceMs) ?? 0 },
      recordDeletions: async (bySandbox, atMs) => {
        for (const [sandbox, count] of [...bySandbox].sort(([a], [b]) => (a < b ? -1 : 1))) {
          if (count > 0) await leases.get(sandbox)?.recordDeletions(count, atMs);
        }
      },
    });
  });
}

/** Only the actions of sandboxes this run holds the lease of (a re-plan never reaches further). */
export function withinLeases<P extends Pick<Plan, 'actions'>>(plan: P, leased: ReadonlyMap<string, unknown>): P {
  const actions = plan.actions.filter((a) => leased.has(a.sandbox));
  return actions.length === plan.actions.length ? plan : { ...plan, actions };
}

export interface WritePassOptions {
  client: FlowServiceClient;
  secrets: Secrets;
  input: PlanInput;
  /** The live state and plan made before the lease (what decides whether anything is written). */
  live: LiveState;
  plan: Plan;
  lease: WriteLeaseSettings;
  concurrency: number;
  config: FlowsyncConfig;
  /** --allow-mass-delete: deletions past the ratio or the budget are intended (still recorded). */
  allowMassDelete: boolean;
  /** Asked with the plan made under the lease, before any write; false writes nothing. */
  approve?: (plan: Plan) => Promise<boolean>;
  /** Read again after apply and report what still differs (inside the lease, so no other writer interferes). */
  verify?: boolean;
  onEvent?: (e: ApplyEvent) => void;
  signal?: AbortSignal;
  now?: () => number;
}

export type WritePassOutcome =
  | { status: 'nothing'; plan: Plan; live: LiveState }
  | { status: 'cancelled'; plan: Plan; live: LiveState }
  | { status: 'refused'; plan: Plan; live: LiveState; error: FlowsyncError }
  | { status: 'applied'; plan: Plan; live: LiveState; result: ApplyResult; verification?: Verification; verifyError?: string };

/**
 * One write pass: nothing to write → no lease, no request; otherwise take the leases of the
 * sandboxes written, re-read and re-plan them, check the deletions (recording them in the leases'
 * ledger before they are sent), ask for approval, apply what was planned under the lease, verify.
 */
export async function writePass(opts: WritePassOptions): Promise<WritePassOutcome> {
  if (opts.plan.actions.length === 0) return { status: 'nothing', plan: opts.plan, live: opts.live };
  const now = opts.now ?? Date.now;
  // A plan refused without the ledger is refused with it too (recorded deletions only add): say so
  // before taking any lease, so a refused run writes nothing at all.
  const early = deletionRefusal(opts, opts.plan, opts.live, now());
  if (early) return { status: 'refused', plan: opts.plan, live: opts.live, error: early };
  return underWriteLeases(opts.client, sandboxesWritten(opts.plan), opts.live, { ...opts.lease, concurrency: opts.concurrency }, async (scope) => {
    const plan = withinLeases(makePlan(opts.input, scope.live), scope.leases);
    if (plan.actions.length === 0) return { status: 'nothing', plan, live: scope.live };
    let deletions: Map<string, number>;
    try {
      deletions = refuseUnsafeDeletions(plan, scope.live, opts.config, {
        allowMassDelete: opts.allowMassDelete,
        now: now(),
        ledger: scope.ledger,
        manager: opts.input.manager,
      });
    } catch (err) {
      if (isFlowsyncError(err, 'FS_APPLY_MASS_DELETE') || isFlowsyncError(err, 'FS_APPLY_DELETE_BUDGET')) return { status: 'refused', plan, live: scope.live, error: err };
      throw err;
    }
    if (opts.approve && !(await opts.approve(plan))) return { status: 'cancelled', plan, live: scope.live };
    // Recorded before the deletes are sent: a crash after this point over-counts, never under-counts.
    await scope.recordDeletions(deletions, now());
    const result = await applyLive(plan, {
      client: opts.client,
      secrets: opts.secrets,
      input: opts.input,
      live: scope.live,
      concurrency: opts.concurrency,
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const checked = opts.verify ? await verifyOrExplain(opts.client, opts.input, result, opts.concurrency) : {};
    return { status: 'applied', plan, live: scope.live, result, ...checked };
  });
}

/** The re-read after apply; an API gone by then leaves the outcomes standing, unverified, with the reason. */
export async function verifyOrExplain(
  client: FlowServiceClient,
  input: PlanInput,
  result: ApplyResult,
  concurrency: number,
): Promise<{ verification?: Verification; verifyError?: string }> {
  try {
    return { verification: await verifyApplied(client, input, result, concurrency) };
  } catch (err) {
    return { verifyError: err instanceof Error ? err.message : String(err) };
  }
}

/** The deletion guard's refusal as an error (undefined when the deletions may go ahead), without recording anything. */
function deletionRefusal(opts: Pick<WritePassOptions, 'config' | 'allowMassDelete' | 'input'>, plan: Plan, live: LiveState, now: number): FlowsyncError | undefined {
  try {
    refuseUnsafeDeletions(plan, live, opts.config, { allowMassDelete: opts.allowMassDelete, now, manager: opts.input.manager });
    return undefined;
  } catch (err) {
    if (isFlowsyncError(err, 'FS_APPLY_MASS_DELETE') || isFlowsyncError(err, 'FS_APPLY_DELETE_BUDGET')) return err;
    throw err;
  }
}
