// The deletion guard in every writing path (CLI apply with --prune, saved plans, the daemon): the
// config's limits applied to a plan before its first write. The caller records the returned counts
// in the lease's ledger before sending the deletes (see docs/concepts/several-writers.md "Deleting safely").
import { FlowsyncError } from '../domain/errors.ts';
import type { LiveState } from '../domain/model.ts';
import type { Plan } from '../domain/plan.ts';
import type { FlowsyncConfig } from '../manifest/index.ts';
import { isOurs, tagOf } from '../domain/owner-tag.ts';
import { guardDeletions, type DeletionGuardResult, type DeletionLedger } from '../plan/deletion-guard.ts';

export interface DeletionCheckOptions {
  /** --allow-mass-delete: the deletions are intended; nothing is refused (they are still counted). */
  allowMassDelete: boolean;
  /** Epoch ms. */
  now: number;
  /** The budget's memory (the lease entities'); absent: nothing recorded. */
  ledger?: DeletionLedger;
  /** Whose entities count as owned (mine and legacy tags); absent: any flowsync tag. */
  manager?: string;
}

/** The guard with the config's limits; refusals are dropped when --allow-mass-delete is given. */
export function checkDeletions(plan: Plan, live: LiveState, config: FlowsyncConfig, opts: DeletionCheckOptions): DeletionGuardResult {
  const { maxDeleteRatio, deleteBudget } = config.reconcile;
  const result = guardDeletions({
    actions: plan.actions,
    live,
    limits: { maxDeleteRatio, deleteBudget: { share: deleteBudget.share, windowMs: deleteBudget.windowMs } },
    now: opts.now,
    ...(opts.ledger ? { ledger: opts.ledger } : {}),
    ...(opts.manager !== undefined ? { isOwned: ownedBy(opts.manager) } : {}),
  });
  return opts.allowMassDelete ? { ...result, refusals: [] } : result;
}

/**
 * Throws the first refusal's coded error (naming every refusal) before anything is written;
 * otherwise returns the deletions per sandbox that the caller records before deleting.
 */
export function refuseUnsafeDeletions(plan: Plan, live: LiveState, config: FlowsyncConfig, opts: DeletionCheckOptions): Map<string, number> {
  const { refusals, deletionsBySandbox } = checkDeletions(plan, live, config, opts);
  const first = refusals[0];
  if (!first) return deletionsBySandbox;
  const message = `refusing to apply: ${refusals.map((r) => r.message).join('; and ')}; nothing was written`;
  throw new FlowsyncError(first.code, message, { details: { refusals } });
}

/** The entities a manager may write: its own tags and pre-manager (legacy) ones. */
export function ownedBy(manager: string): (description: string) => boolean {
  return (description) => isOurs(tagOf(description), manager);
}
