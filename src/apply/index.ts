// Carries out a plan: dependency order, independent destinations in parallel (bounded), every
// PATCH guarded by If-Match, a 412 answered by re-reading the entity and recomputing that one
// action (live mode only), and a summary of every outcome. Verification is the caller's re-plan,
// once the flows written have settled. Waiting between two writes to one flow is the client's (src/api/flow-settle.ts).
import { FlowsyncError, isFlowsyncError } from '../domain/errors.ts';
import type { Action, Overwrite, Plan } from '../domain/plan.ts';
import type { ApplyClient } from './client.ts';
import { RunContext } from './context.ts';
import { runDag } from './executor.ts';
import { runAction, type SecretSource } from './handlers.ts';
import { withEntityOrdering } from './order.ts';

export type { ApplyClient } from './client.ts';
export type { SecretSource } from './handlers.ts';
export { findStaleEntities, type StaleEntity } from './guard.ts';

/** `unknown`: a create whose answer was lost and whose entity could be neither found nor ruled out (FS_API_OUTCOME_UNKNOWN). */
export type OutcomeStatus = 'applied' | 'failed' | 'skipped' | 'unneeded' | 'unknown';

export interface ActionOutcome {
  id: string;
  address: string;
  type: Action['type'];
  summary: string;
  status: OutcomeStatus;
  /** How many times a 412 made apply re-read the entity and recompute the action. */
  recomputed: number;
  entityId?: string;
  error?: { code: string; message: string; hint?: string };
  /** After a recompute: the concurrent change's fields this action overwrote, and who made it. */
  overwrote?: Overwrite;
}

export interface ApplyResult {
  outcomes: ActionOutcome[];
  counts: Record<OutcomeStatus, number>;
}

export type ApplyEvent =
  | { type: 'start'; action: Action }
  | { type: 'recompute'; action: Action; attempt: number }
  | { type: 'settled'; outcome: ActionOutcome; done: number; total: number };

export interface ApplyOptions {
  client: ApplyClient;
  secrets: SecretSource;
  concurrency?: number;
  /**
   * Live mode: after a 412, return the action recomputed against the entity as it is now (null when
   * nothing is left to do). Saved-plan mode omits it: a 412 then fails the action, as reviewed.
   */
  recompute?: (action: Action) => Promise<Action | null>;
  maxRecomputes?: number;
  onEvent?: (event: ApplyEvent) => void;
  /** Once aborted (daemon shutdown), no further action starts; the one in flight finishes. */
  signal?: AbortSignal;
}

export async function applyPlan(plan: Pick<Plan, 'actions'>, opts: ApplyOptions): Promise<ApplyResult> {
  const ctx = new RunContext();
  const actions = withEntityOrdering(plan.actions);
  const outcomes = new Map<string, ActionOutcome>();
  const maxRecomputes = opts.maxRecomputes ?? 3;
  let done = 0;

  const run = async (action: Action): Promise<void> => {
    if (opts.signal?.aborted) throw new FlowsyncError('FS_APPLY_ABORTED', `${action.address}: not started: flowsync is shutting down`);
    opts.onEvent?.({ type: 'start', action });
    let current: Action = action;
    for (let attempt = 0; ; attempt++) {
      try {
        const ref = await runAction(current, { client: opts.client, secrets: opts.secrets, ctx });
        const over = attempt > 0 && 'overwrites' in current ? current.overwrites : undefined;
        outcomes.set(action.id, { ...outcome(action, 'applied', attempt, ref?.id ?? ('entityId' in current ? current.entityId : undefined)), ...(over ? { overwrote: over } : {}) });
        return;
      } catch (err) {
        if (!isFlowsyncError(err, 'FS_API_PRECONDITION') || !opts.recompute || attempt >= maxRecomputes) throw err;
        opts.onEvent?.({ type: 'recompute', action, attempt: attempt + 1 });
        const next = await opts.recompute(current);
        if (next === null) {
          outcomes.set(action.id, outcome(action, 'unneeded', attempt + 1));
          return;
        }
        current = next;
      }
    }
  };

  await runDag(actions, run, {
    concurrency: Math.max(1, opts.concurrency ?? 4),
    onSettled: (action, result) => {
      let final = outcomes.get(action.id);
      if (result.status === 'failed') {
        const unknown = isFlowsyncError(result.error, 'FS_API_OUTCOME_UNKNOWN');
        final = outcome(action, unknown ? 'unknown' : 'failed', 0, undefined, errorSummary(result.error));
      }
      if (result.status === 'skipped') {
        const because = actions.find((a) => a.id === result.skippedBecause);
        final = outcome(action, 'skipped', 0, undefined, {
          code: 'FS_APPLY_DEPENDENCY',
          message: because ? `not attempted: ${because.summary} did not succeed` : `not attempted: ${result.skippedBecause ?? 'dependency'}`,
        });
      }
      if (!final) final = outcome(action, 'applied', 0);
      outcomes.set(action.id, final);
      done += 1;
      opts.onEvent?.({ type: 'settled', outcome: final, done, total: actions.length });
    },
  });

  // Flow updates and enable/disable finish asynchronously: wait for them, so what follows (the
  // verifying re-plan, the next daemon cycle) reads settled flows.
  await opts.client.settleWritten?.();
  const ordered = actions.map((a) => outcomes.get(a.id)!);
  const counts: Record<OutcomeStatus, number> = { applied: 0, failed: 0, skipped: 0, unneeded: 0, unknown: 0 };
  for (const o of ordered) counts[o.status] += 1;
  return { outcomes: ordered, counts };
}

function outcome(action: Action, status: OutcomeStatus, recomputed: number, entityId?: string, error?: ActionOutcome['error']): ActionOutcome {
  return {
    id: action.id,
    address: action.address,
    type: action.type,
    summary: action.summary,
    status,
    recomputed,
    ...(entityId ? { entityId } : {}),
    ...(error ? { error } : {}),
  };
}

function errorSummary(err: unknown): ActionOutcome['error'] {
  if (err instanceof FlowsyncError) return { code: err.code, message: err.message, hint: err.hint };
  return { code: 'FS_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
