// The cycle contract between the reconcile core and whatever runs it (the daemon's scheduler): a folder and
// a revision go in, a CycleOutcome comes out. It belongs to reconcile, as controller-runtime keeps
// `Reconciler` in its reconcile package, so reconcile imports nothing from the daemon.
import type { Health } from '../health/rule.ts';

export type Trigger = 'startup' | 'change' | 'webhook' | 'interval' | 'retry';
export const TRIGGERS = ['startup', 'change', 'webhook', 'interval', 'retry'] as const satisfies readonly Trigger[];

export type Mode = 'apply' | 'observe';

export interface CycleInput {
  dir: string; // folder holding flowsync.yaml and the manifests, at `revision`
  revision: string;
  trigger: Trigger;
  mode: Mode;
}

export type Condition = 'Ready' | 'Drifted' | 'Failed' | 'Suspended';
export const CONDITIONS = ['Ready', 'Drifted', 'Failed', 'Suspended'] as const satisfies readonly Condition[];

export interface EntityStatus {
  sandbox: string;
  kind: 'account' | 'destination';
  name: string;
  condition: Condition;
  reason: string;
  message?: string;
  /** Destinations only, when this cycle read the runs: activation health (src/health/rule.ts). */
  activation?: ActivationStatus;
}

/** A destination's activation health as one cycle saw it, and the runs it was judged on. */
export interface ActivationStatus {
  health: Health;
  reason: string;
  message: string;
  lastRun?: { id: string; createdAt: number; status: string; input: number; activated: number; failed: number };
  /** Every finished run in the health window (the records counter counts each run once). */
  runs: { id: string; activated: number; failed: number }[];
}

export type CycleResult = 'success' | 'invalid' | 'failed' | 'suspended' | 'refused';
export const CYCLE_RESULTS = ['success', 'invalid', 'failed', 'suspended', 'refused'] as const satisfies readonly CycleResult[];

export interface CycleChange {
  sandbox: string;
  name: string;
  action: string;
  summary: string;
}

export interface CycleDrift {
  sandbox: string;
  name: string;
  policy: 'heal' | 'warn' | 'ignore';
  healed: boolean;
  fields: string[];
  changedBy?: string;
}

export interface CycleError {
  code: string;
  message: string;
  hint?: string;
}

export interface CycleOutcome {
  /** invalid = manifests failed validation; refused = safety (delete ratio). */
  result: CycleResult;
  /** Every owned account/destination with its condition this cycle. */
  entities: EntityStatus[];
  /** Writes made. */
  changes: CycleChange[];
  drift: CycleDrift[];
  diagnostics?: { summary: string; file?: string; line?: number }[];
  error?: CycleError;
  apiReachable: boolean;
  /**
   * How the cycle read the org: `light` (only what changed since the last read, see steady.ts) or
   * `full`. Absent when it read nothing (invalid manifests, suspended, a failure before the read).
   */
  read?: CycleRead;
}

export type CycleRead = 'light' | 'full';

/**
 * One reconcile cycle. `signal` aborts on shutdown: finish the request in flight, make no further
 * writes, and return (or throw) promptly.
 */
export type Reconcile = (input: CycleInput, signal: AbortSignal) => Promise<CycleOutcome>;
