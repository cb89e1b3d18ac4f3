// The planner's working set for one run: actions and findings collected while walking the
// manifests, plus the ids it claimed (owned or adopted) and the ids it deletes.
import type { DesiredState, LastWrite } from '../domain/model.ts';
import type { Action, Conflict, DriftItem, FieldChange, Orphan, LabelChange } from '../domain/plan.ts';
import type { Inventory } from './inventory.ts';

export interface PlanOptions {
  prune: boolean;
  /** ISO time, passed in by the caller: the planner has no clock. */
  createdAt: string;
  org?: string;
  revision?: string;
  /**
   * Accounts whose credentials are sent even though nothing shows they changed ("sandbox/name"):
   * for accounts flowsync adopted by import, which never saw their secret.
   */
  rotateCredentials?: string[];
  /** Who this config is (the `m=` of every tag it writes); entities of other managers are never written. */
  manager: string;
  /** Take over entities another manager owns when a manifest names them (a visible `takeover`). */
  forceConflicts?: boolean;
}

/** What the destinations of one account can rely on. */
export interface AccountStatus {
  name: string;
  /** The live base connection to use, when it exists and is kept. */
  baseId?: string;
  /** Id of the action that creates the base connection in this plan. */
  createActionId?: string;
  /** Why destinations of this account cannot be planned (reason shown as a warning). */
  blocked?: string;
}

export interface Ctx {
  desired: DesiredState;
  opts: PlanOptions;
  actions: Action[];
  drift: DriftItem[];
  labels: LabelChange[];
  warnings: string[];
  /** Untagged or tagged entity ids that this plan treats as flowsync's (owned primaries and adoptions). */
  claimed: Set<string>;
  /** Entity ids deleted by this plan (replace, duplicate or prune). */
  deleted: Set<string>;
  conflicts: Conflict[];
  orphans: Orphan[];
}

export function newCtx(desired: DesiredState, opts: PlanOptions): Ctx {
  return { desired, opts, actions: [], drift: [], labels: [], warnings: [], claimed: new Set(), deleted: new Set(), conflicts: [], orphans: [] };
}

export interface SandboxCtx extends Ctx {
  inv: Inventory;
  accounts: Map<string, AccountStatus>;
  /** Addresses (account or destination) that cannot be planned this time, with the reason shown as a warning. */
  blocked: Map<string, string>;
  /** Actions that need the sandbox's Profile Store source connection created first. */
  needsProfileStore: string[];
}

export function latest(writes: LastWrite[]): LastWrite | undefined {
  let best: LastWrite | undefined;
  for (const w of writes) if (!best || w.updatedAt > best.updatedAt) best = w;
  return best ? { ...best } : undefined;
}

export function fieldChange(field: string, from: unknown, to: unknown): FieldChange {
  return { field, from, to };
}
