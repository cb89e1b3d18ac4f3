// The plan is data: a closed set of actions in execution order. `src/plan` computes it (pure),
// `src/render` shows it, `src/apply` carries it out. Its JSON form is versioned (schemas/plan.schema.json)
// and never contains a secret: credential values are looked up again at apply time and checked
// against the fingerprint recorded here.
import type { DesiredSegment, DestinationType, LastWrite, TargetParams } from './model.ts';

export const PLAN_FORMAT_VERSION = 2 as const;

/** Terraform-style markers: + create, ~ update, - delete, -/+ replace. Adoption shows as ~. */
export type ChangeKind = 'create' | 'update' | 'delete' | 'replace';

/**
 * Why an action exists: the manifests changed, the live entity drifted, an untagged entity is
 * adopted, an owned entity lost its manifest (prune), a second copy of an owned entity goes
 * (duplicate), or a tag of another manager or from before managers is rewritten (takeover).
 */
export type Origin = 'manifest' | 'drift' | 'adoption' | 'prune' | 'duplicate' | 'takeover';

/** One JSON Patch operation as sent to the Flow Service (RFC 6902 subset the API documents). */
export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export interface FieldChange {
  field: string; // e.g. "name", "description", "params.stream", "state"
  from: unknown;
  to: unknown;
}

interface ActionBase {
  /** Unique and stable within a plan, e.g. "prod/destination/summer-campaign/flow". */
  id: string;
  change: ChangeKind;
  origin: Origin;
  sandbox: string;
  /** Human address: "prod/account/kinesis-prod", "prod/destination/summer-campaign". */
  address: string;
  /** Ids of actions that must succeed first. */
  dependsOn: string[];
  /** One line a reviewer reads, e.g. "create dataflow summer-campaign (Amazon Kinesis)". */
  summary: string;
}

/** An action on an entity that already exists: guarded by the etag it was computed from. */
interface ExistingEntity {
  entityId: string;
  etag: string;
}

export interface CreateAccountAction extends ActionBase {
  type: 'create-account';
  account: string;
  destinationType: DestinationType;
  name: string;
  description: string; // with ownership tag
  specId: string;
  authSpecName: string;
  authParams: Record<string, string>; // non-secret params only
  secretParams: string[]; // filled from manifests' secret refs at apply time
  credentialFingerprint: string;
}

export interface UpdateAccountAction extends ActionBase, ExistingEntity {
  type: 'update-account';
  account: string;
  changes: FieldChange[]; // secret params appear as { field: "auth.secretKey", from: "(unknown)", to: "(changed)" }
  /** Non-secret ops (name, description). Apply adds `replace /auth/params` when rotateCredentials. */
  patch: PatchOp[];
  rotateCredentials: boolean;
  authParams: Record<string, string>; // the non-secret params to send with a rotation
  secretParams: string[];
  credentialFingerprint: string;
}

export interface DeleteAction extends ActionBase, ExistingEntity {
  type: 'delete-account' | 'delete-target-connection' | 'delete-flow' | 'delete-profile-store';
  name: string;
  /** For delete-profile-store: which of the pair this deletes (source connection first, then base). */
  resource?: 'source-connection' | 'base-connection';
}

/** Base + source connection to the Profile Store, one pair per sandbox (created once, then reused). */
export interface CreateProfileStoreAction extends ActionBase {
  type: 'create-profile-store';
  /** An existing Profile Store base connection to reuse; when absent one is created first. */
  baseConnectionId?: string;
  baseName: string;
  sourceName: string;
  description: string; // with tag
}

export interface CreateTargetConnectionAction extends ActionBase {
  type: 'create-target-connection';
  destination: string;
  name: string;
  description: string; // with tag
  specId: string;
  account: string; // resolved to a base connection id at apply time (it may be created by this plan)
  baseConnectionId?: string; // known when the account already exists
  params: TargetParams;
  format: 'json';
}

/**
 * Live values an update replaces that were changed outside flowsync since it last wrote the entity
 * (a manifest change meeting a UI change; or, in an apply outcome, a concurrent change recomputed over).
 */
export interface Overwrite {
  changes: FieldChange[];
  lastWrite?: LastWrite;
}

export interface UpdateTargetConnectionAction extends ActionBase, ExistingEntity {
  type: 'update-target-connection';
  destination: string;
  changes: FieldChange[];
  patch: PatchOp[];
  overwrites?: Overwrite;
}

export interface CreateFlowAction extends ActionBase {
  type: 'create-flow';
  destination: string;
  destinationType: DestinationType;
  name: string;
  description: string; // with tag
  flowSpecId: string;
  targetConnectionId?: string; // known when the target connection already exists
  sourceConnectionId?: string; // known when the Profile Store source connection already exists
  /** Selectors added by a PATCH right after the create (the documented pattern). */
  segments: DesiredSegment[];
  profileAttributes: string[];
  enabled: boolean; // new flows start enabled; false adds a disable action after the patch
}

export interface UpdateFlowAction extends ActionBase, ExistingEntity {
  type: 'update-flow';
  destination: string;
  changes: FieldChange[]; // name/description
  addSegments: DesiredSegment[];
  removeSegments: { id: string; index: number; name?: string }[];
  addAttributes: string[];
  removeAttributes: { path: string; index: number }[];
  /** The exact ops, removals first in descending index order, then adds, then replaces. */
  patch: PatchOp[];
  overwrites?: Overwrite;
}

export interface SetFlowStateAction extends ActionBase, ExistingEntity {
  type: 'set-flow-state';
  destination: string;
  from: string;
  to: 'enabled' | 'disabled';
}

export type Action =
  | CreateAccountAction
  | UpdateAccountAction
  | CreateProfileStoreAction
  | CreateTargetConnectionAction
  | UpdateTargetConnectionAction
  | CreateFlowAction
  | UpdateFlowAction
  | SetFlowStateAction
  | DeleteAction;

export type ActionType = Action['type'];

/** A live entity flowsync saw but does not own; listed so reviewers know it was left alone. */
export interface UnownedEntity {
  sandbox: string;
  resource: 'base-connection' | 'target-connection' | 'flow';
  id: string;
  name: string;
}

/** A destination whose live state differs from what was last applied, though its manifest did not change. */
export interface DriftItem {
  sandbox: string;
  destination: string; // or account name for accounts
  resource: 'account' | 'destination';
  drift: 'heal' | 'warn' | 'ignore';
  changes: FieldChange[];
  lastWrite?: { updatedAt: number; updatedBy: string; updatedClient?: string };
}

/**
 * A live segment selector whose audience the sandbox now names differently (renamed in AEP). Ids
 * are what is compared, so it is only shown: the same audience stays activated and nothing is sent.
 */
export interface LabelChange {
  sandbox: string;
  destination: string;
  id: string;
  from: string; // the name on the live selector
  to: string; // the audience's name now
}

/** Which manifest an entity belongs to, and which live entity it is. */
export interface EntityRef {
  sandbox: string;
  /** The plan address of the manifest, e.g. "prod/destination/summer-campaign". */
  address: string;
  resource: 'account' | 'destination' | 'profile-store';
  entity: 'base-connection' | 'source-connection' | 'target-connection' | 'flow';
  id: string;
  name: string; // the live entity's name
}

/** A manifest whose name another manager's entity holds: flowsync writes nothing there (unless --force-conflicts). */
export interface Conflict extends EntityRef {
  manager: string; // the other manager
}

/** An entity this manager owns whose manifest is gone: deleted only with --prune. */
export interface Orphan extends EntityRef {
  reason: 'no-manifest' | 'sandbox-not-in-config';
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  /** Delete actions of second copies (origin 'duplicate'); not counted in `delete`. */
  duplicate: number;
  /** Orphans left in place (prune off). */
  orphan: number;
  conflict: number;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  createdAt: string; // ISO time, passed in by the caller (the planner has no clock)
  /** The org and endpoint requests went to (flag > env > flowsync.yaml), and the config folder (absolute). */
  org?: string;
  endpoint?: string;
  configDir?: string;
  revision?: string; // git revision of the manifests, when known
  prune: boolean;
  /** The manager the plan was made for (the `m=` of every tag it writes). */
  manager: string;
  /** Digest of the desired state the plan was made from; a saved plan refuses to apply once the manifests moved. */
  desiredHash?: string;
  sandboxes: string[];
  /** The sandboxes `--sandbox` limited the plan to; absent when it covers every sandbox the manifests name. */
  scope?: string[];
  actions: Action[]; // execution order (dependencies first, deletions in reverse dependency order)
  drift: DriftItem[];
  /** Audiences renamed in AEP since their selector was written (absent when none). */
  labels?: LabelChange[];
  unowned: UnownedEntity[];
  conflicts: Conflict[];
  orphans: Orphan[];
  warnings: string[];
  summary: PlanSummary;
}
