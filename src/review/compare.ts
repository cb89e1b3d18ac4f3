// The pure heart of `flowsync plan --base`: from the base manifests, the head manifests and ONE read
// of live state, separate what the pull request changes from what has drifted in the live org.
//   drift        = plan(base) against live            (what applying the base alone would change)
//   pull request = plan(head) against live-after-base (the base plan simulated on the live model)
import type { DesiredState, LiveState } from '../domain/model.ts';
import type { DriftItem, Plan } from '../domain/plan.ts';
import { planChanges } from '../plan/index.ts';
import { simulatePlan } from './simulate.ts';

export interface CompareInput {
  /** Base manifests; undefined when they are not valid (then drift cannot be told apart). */
  base: DesiredState | undefined;
  head: DesiredState;
  live: LiveState;
  basePrune: boolean;
  headPrune: boolean;
  createdAt: string;
  /** This config's manager (both sides are the same config repo). */
  manager: string;
  org?: string;
  baseRevision?: string;
  headRevision?: string;
}

export interface Comparison {
  /** What merging changes: head planned against the live state as it would be after applying base. */
  pullRequest: Plan;
  /** What applying base alone would change; undefined when the base manifests are not valid. */
  drift: Plan | undefined;
  /** Base actions the simulation could not carry out (the API would refuse them), with why. */
  refused: { action: string; reason: string }[];
}

const driftKey = (d: DriftItem) => `${d.sandbox}/${d.resource}/${d.destination}`;

/** Sandboxes either side names: live state is read once for all of them. */
export function reviewSandboxes(base: DesiredState | undefined, head: DesiredState): string[] {
  return [...new Set([...(base?.sandboxes ?? []), ...head.sandboxes])].sort();
}

export function comparePlans(input: CompareInput): Comparison {
  const opts = (prune: boolean, revision: string | undefined) => ({
    prune,
    createdAt: input.createdAt,
    manager: input.manager,
    ...(input.org ? { org: input.org } : {}),
    ...(revision ? { revision } : {}),
  });
  if (!input.base) {
    return { pullRequest: planChanges(input.head, input.live, opts(input.headPrune, input.headRevision)), drift: undefined, refused: [] };
  }
  const drift = planChanges(input.base, input.live, opts(input.basePrune, input.baseRevision));
  const after = simulatePlan(input.live, drift.actions);
  const planned = planChanges(input.head, after.live, opts(input.headPrune, input.headRevision));
  // Drift the base plan only reports (drift: warn/ignore) is still there after it; it belongs to
  // the drift section, not to what the pull request changes.
  const reported = new Set(drift.drift.map(driftKey));
  const pullRequest: Plan = {
    ...planned,
    drift: planned.drift.filter((d) => !reported.has(driftKey(d))),
    warnings: [...planned.warnings, ...after.refused.map((r) => `the base plan's action ${r.action} would be refused (${r.reason}); the pull request was planned as if it had not run`)],
  };
  return { pullRequest, drift, refused: after.refused };
}
