// The daemon's own types: the running build, and the sources manifests come from. The cycle contract
// (input, outcome, conditions, the Reconcile function) is reconcile's (src/reconcile/contract.ts); it is
// re-exported here because the daemon's modules all speak it.

export type {
  ActivationStatus,
  Condition,
  CycleChange,
  CycleDrift,
  CycleError,
  CycleInput,
  CycleOutcome,
  CycleResult,
  EntityStatus,
  Mode,
  Reconcile,
  Trigger,
} from '../reconcile/contract.ts';
export { CONDITIONS, CYCLE_RESULTS, TRIGGERS } from '../reconcile/contract.ts';

/** The running flowsync: shown in /status and the flowsync_build_info metric. */
export interface BuildInfo {
  version: string;
  revision: string; // git commit it was built from ("-dirty": with uncommitted changes), or "unknown"
  node: string; // Node.js version running it
}

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
