// The contract between the daemon (scheduler, sources, server, status) and the reconcile core.
// The daemon never looks inside a cycle: it hands the reconcile a folder and a revision and
// records the CycleOutcome it gets back.
import type { Health } from '../health/rule.ts';

export type Trigger = 'startup' | 'change' | 'webhook' | 'interval' | 'retry';
export const TRIGGERS = ['startup', 'change', 'webhook', 'interval', 'retry'] as const satisfies readonly Trigger[];

export type Mode = 'apply' | 'observe';

/** The running flowsync: shown in /status and the flowsync_build_info metric. */
export interface BuildInfo {
  version: string;
  revision: string; // git commit it was built from ("-dirty": with uncommitted changes), or "unknown"
  node: string; // Node.js version running it
}

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
}

/**
 * One reconcile cycle. `signal` aborts on shutdown: finish the request in flight, make no further
 * writes, and return (or throw) promptly.
 */
export type Reconcile = (input: CycleInput, signal: AbortSignal) => Promise<CycleOutcome>;

/** What a source hands to a cycle: a folder to read and the revision it holds. */
export interface Snapshot {
  dir: string;
  revision: string;
}

/** A place manifests come from. Emits 'changed' when it knows the content moved. */
export interface Source {
  readonly kind: 'git' | 'folder';
  /** For logs and /status; never contains credentials. */
  describe(): string;
  /** Brings the working copy up to date and says what it holds. Throws FlowsyncError (FS_SOURCE_*). */
  sync(): Promise<Snapshot>;
  /** Starts watching or polling; 'changed' listeners are then called. */
  start(): Promise<void>;
  close(): Promise<void>;
  on(event: 'changed', listener: (why: string) => void): this;
  off(event: 'changed', listener: (why: string) => void): this;
}
