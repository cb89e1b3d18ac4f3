// The domain model shared by the manifest loader (desired state), the live-state reader
// (live state), the planner and the views. Plain data only: no I/O, no classes, no secrets.

export const DESTINATION_TYPES = ['amazon-kinesis', 'azure-event-hubs'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

export const DRIFT_POLICIES = ['heal', 'warn', 'ignore'] as const;
export type DriftPolicy = (typeof DRIFT_POLICIES)[number];

/** Where a manifest value came from. `file` is relative to the config repo root, line/column 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/** A `DestinationAccount` manifest, normalized. Becomes one base connection. */
export interface DesiredAccount {
  name: string;
  sandbox: string;
  type: DestinationType;
  description: string; // '' when the manifest has none
  /** Non-secret auth params, resolved (e.g. accessKeyId, region / sasKeyName, namespace). Printable. */
  authParams: Record<string, string>;
  /** Names of the secret auth params (secretKey / sasKey); their values live only in `Secrets`. */
  secretParams: string[];
  /**
   * Non-reversible digest (salted, slow hash) of every auth param, secrets included. Stored on the
   * base connection's ownership tag so a credential change is detected without storing the secret.
   * '' when a secret reference could not be resolved (validate-only runs).
   */
  credentialFingerprint: string;
  source: SourcePos;
}

export interface DesiredSegment {
  id: string; // UUID, lowercase
  name?: string; // the audience's name (a label shown in plans; sent as the selector's value.name on add)
}

/**
 * A segment as the manifest writes it: by audience name, by id, or both. Names are resolved (and
 * ids checked) per sandbox at plan time against the sandbox's audiences (src/plan/audiences.ts).
 */
export interface SegmentRef {
  id?: string; // lowercase
  name?: string;
  /** Where the entry is (file, line, column) and its field path, e.g. spec.segments[2]. */
  at: SourcePos & { path: string };
}

/** An audience of a sandbox as the Segmentation Service lists it (id lowercase). */
export interface Audience {
  id: string;
  name: string;
}

/** Kinesis: { stream, region }; Event Hubs: { eventHubName }. Optional booleans includeSegmentNames/includeSegmentTimestamps. */
export type TargetParams = Record<string, string | boolean>;

/** `spec.health` as written: thresholds of the activation health rule (src/health/rule.ts). */
export interface HealthSpec {
  failedRuns?: number;
  maxFailedRecordsPercent?: number;
  lateAfter?: string; // duration, e.g. "2h"
  window?: string;
}

/** A `StreamingDestination` manifest, normalized. Becomes a target connection and a dataflow. */
export interface DesiredDestination {
  name: string;
  sandbox: string;
  account: string; // DesiredAccount.name in the same sandbox
  type: DestinationType; // the account's type
  description: string; // '' when none
  target: TargetParams;
  format: 'json';
  enabled: boolean;
  drift: DriftPolicy;
  /** Only when the manifest sets spec.health (defaults apply otherwise; not part of what is applied). */
  health?: HealthSpec;
  segments: DesiredSegment[]; // sorted by id, unique
  /**
   * The segments as written, until resolved against the sandbox's audiences: then `segments` holds
   * every one of them and this is gone. Before that, `segments` holds only the ones with an id.
   */
  segmentRefs?: SegmentRef[];
  profileAttributes: string[]; // sorted, unique XDM paths
  source: SourcePos;
}

export interface DesiredState {
  accounts: DesiredAccount[]; // sorted by (sandbox, name)
  destinations: DesiredDestination[]; // sorted by (sandbox, name)
  /** Every sandbox that any manifest or the config's default names, sorted. */
  sandboxes: string[];
  /**
   * Where each sandbox is first named: a manifest's `metadata.sandbox`, or flowsync.yaml's `sandbox`
   * (for it and for manifests without one). Absent for the built-in default `prod`.
   */
  sandboxSources?: Record<string, SourcePos>;
}

// ---- live state (what the API says), already parsed out of the Flow Service entity shapes ----

/** Who last wrote an entity, so views can say "changed in the AEP UI by …". */
export interface LastWrite {
  updatedAt: number; // epoch ms
  updatedBy: string;
  updatedClient?: string;
}

export interface LiveBaseConnection {
  id: string;
  etag: string; // verbatim, with its quotes
  sandbox: string;
  name: string;
  description: string; // raw, including any ownership tag
  specId: string;
  authSpecName?: string;
  authParams: Record<string, unknown>; // as returned; secret params are masked or absent
  state: string;
  lastWrite: LastWrite;
  /** Epoch ms the API gives (0 when missing): the keep rule among duplicates prefers the oldest. */
  createdAt: number;
}

export interface LiveSourceConnection {
  id: string;
  etag: string;
  sandbox: string;
  name: string;
  description: string;
  specId: string;
  baseConnectionId: string;
  state: string;
  lastWrite: LastWrite;
  /** Epoch ms the API gives (0 when missing): the keep rule among duplicates prefers the oldest. */
  createdAt: number;
}

export interface LiveTargetConnection {
  id: string;
  etag: string;
  sandbox: string;
  name: string;
  description: string;
  specId: string;
  baseConnectionId: string;
  format: string;
  params: Record<string, unknown>;
  state: string;
  lastWrite: LastWrite;
  /** Epoch ms the API gives (0 when missing): the keep rule among duplicates prefers the oldest. */
  createdAt: number;
}

export interface LiveSegmentSelector {
  index: number; // position in transformations[0].params.segmentSelectors.selectors
  id: string;
  name?: string;
}

export interface LiveAttributeSelector {
  index: number; // position in transformations[0].params.profileSelectors.selectors
  path: string;
}

export interface LiveFlow {
  id: string;
  etag: string;
  sandbox: string;
  name: string;
  description: string;
  flowSpecId: string;
  state: string; // 'enabled' | 'disabled' | transitional
  sourceConnectionIds: string[];
  targetConnectionIds: string[];
  segments: LiveSegmentSelector[]; // server order
  profileAttributes: LiveAttributeSelector[]; // server order
  lastWrite: LastWrite;
  createdAt: number;
}

export interface LiveSandbox {
  baseConnections: LiveBaseConnection[];
  sourceConnections: LiveSourceConnection[];
  targetConnections: LiveTargetConnection[];
  flows: LiveFlow[];
}

export interface LiveState {
  sandboxes: Record<string, LiveSandbox>;
  /** What the reader could not look at (e.g. the org's sandbox list), shown as plan warnings. */
  notes?: string[];
}
