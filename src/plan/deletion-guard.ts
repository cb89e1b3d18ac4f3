// The deletion guard (pure): a plan may not wipe an org, at once or bit by bit.
//   mass delete  prune/orphan deletions > maxDeleteRatio × the entities this manager owns now
//   budget       over a rolling window, recorded deletions + planned > share × what was owned at
//                the window's start (owned now + recorded), summed over the sandboxes
// Duplicate deletions (the kept entity stays) and the delete halves of replaces (a new entity takes
// the place) never count. The ledger is the budget's memory (the lease entity holds it); the caller
// records `deletionsBySandbox` there before sending the deletes. See docs/concepts/several-writers.md.
import { parseOwnerTag } from '../domain/owner-tag.ts';
import type { LiveSandbox, LiveState } from '../domain/model.ts';
import type { Action } from '../domain/plan.ts';

export type DeletionRefusalCode = 'FS_APPLY_MASS_DELETE' | 'FS_APPLY_DELETE_BUDGET';

export interface DeletionRefusal {
  code: DeletionRefusalCode;
  message: string;
}

/** Deletions recorded per sandbox (prune and orphan deletions, never duplicates or replaces). */
export interface DeletionLedger {
  deletionsSince(sandbox: string, sinceMs: number): number;
}

export interface DeletionLimits {
  maxDeleteRatio: number;
  deleteBudget: { share: number; windowMs: number };
}

export interface DeletionGuardInput {
  actions: readonly Action[];
  live: LiveState;
  /** Whether a live entity (by its description) is this manager's. Default: it carries a flowsync tag. */
  isOwned?: (description: string) => boolean;
  limits: DeletionLimits;
  /** Epoch ms. */
  now: number;
  /** Absent: nothing recorded (every sandbox counts 0). */
  ledger?: DeletionLedger;
}

export interface DeletionGuardResult {
  refusals: DeletionRefusal[];
  /** The plan's counted deletions per sandbox: what the caller records in the ledger before deleting. */
  deletionsBySandbox: Map<string, number>;
}

export const hasOwnerTag = (description: string): boolean => parseOwnerTag(description).tag !== undefined;

/** A deletion the guard counts: pruning an entity whose manifest is gone (orphans included). */
export function countsAsDeletion(a: Action): boolean {
  return a.change === 'delete' && a.origin === 'prune';
}

function ownedIn(sb: LiveSandbox, isOwned: (description: string) => boolean): number {
  let owned = 0;
  for (const e of [...sb.baseConnections, ...sb.sourceConnections, ...sb.targetConnections, ...sb.flows]) if (isOwned(e.description)) owned += 1;
  return owned;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

export function guardDeletions(input: DeletionGuardInput): DeletionGuardResult {
  const deletionsBySandbox = new Map<string, number>();
  for (const a of input.actions) if (countsAsDeletion(a)) deletionsBySandbox.set(a.sandbox, (deletionsBySandbox.get(a.sandbox) ?? 0) + 1);
  const refusals: DeletionRefusal[] = [];
  const planned = sum(deletionsBySandbox.values());
  if (planned === 0) return { refusals, deletionsBySandbox };

  const isOwned = input.isOwned ?? hasOwnerTag;
  const owned = sum(Object.values(input.live.sandboxes).map((sb) => ownedIn(sb, isOwned)));
  const { maxDeleteRatio } = input.limits;
  if (planned > maxDeleteRatio * owned) {
    const share = owned === 0 ? 1 : planned / owned;
    refusals.push({
      code: 'FS_APPLY_MASS_DELETE',
      message: `the plan would delete ${planned} of ${owned} owned entities (${percent(share)}), more than reconcile.maxDeleteRatio ${percent(maxDeleteRatio)}`,
    });
  }

  // Like the ratio, the budget is measured against everything this manager owns in the sandboxes read.
  const { share, windowMs } = input.limits.deleteBudget;
  const since = input.now - windowMs;
  let recorded = 0;
  for (const sandbox of new Set([...Object.keys(input.live.sandboxes), ...deletionsBySandbox.keys()])) recorded += input.ledger?.deletionsSince(sandbox, since) ?? 0;
  const atWindowStart = owned + recorded;
  const allowed = share * atWindowStart;
  if (recorded + planned > allowed) {
    refusals.push({
      code: 'FS_APPLY_DELETE_BUDGET',
      message: `${recorded} deletion(s) recorded in the last ${formatWindow(windowMs)} plus the plan's ${planned} would be ${recorded + planned} of the ${atWindowStart} entities owned at the window's start, more than reconcile.deleteBudget.share ${percent(share)} (${Math.floor(allowed)})`,
    });
  }
  return { refusals, deletionsBySandbox };
}

function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
