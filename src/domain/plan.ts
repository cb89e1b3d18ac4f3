// The plan is data: a closed set of actions in execution order. `src/plan` computes it (pure),
// `src/render` shows it, `src/apply` carries it out. Its JSON form is versioned and never contains
// a secret: credential values are looked up again at apply time and checked against the fingerprint
// recorded here.
//
// schemas/plan.schema.json is generated from these types (`npm run schemas`): the JSDoc below is
// the schema's descriptions, and its tags (@pattern, @minLength, @minimum, @asType, @discriminator)
// are the schema's constraints. Every object forbids properties it does not declare.
import type { DesiredSegment, DestinationType, LastWrite, TargetParams } from './model.ts';

export const PLAN_FORMAT_VERSION = 2 as const;

/** @minLength 1 */
type NonEmptyString = string;

/**
 * @asType integer
 * @minimum 0
 */
type Count = number;

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
  /** @pattern ^/ */
  path: string;
  value?: unknown;
}

/** One field's old and new value. A side is absent when the field had (or gets) no value. */
export interface FieldChange {
  /** E.g. "name", "description", "params.stream", "state". */
  field: string;
  from?: unknown;
  to?: unknown;
}

interface ActionBase {
  /** Unique and stable within a plan, e.g. "prod/destination/summer-campaign/flow". */
  id: NonEmptyString;
  change: ChangeKind;
  origin: Origin;
  sandbox: NonEmptyString;
  /** Human address: "prod/account/kinesis-prod", "prod/destination/summer-campaign". */
  address: NonEmptyString;
  /** Ids of actions that must succeed first. */
  dependsOn: string[];
  /** One line a reviewer reads, e.g. "create dataflow summer-campaign (Amazon Kinesis)". */
  summary: string;
}

/** An action on an entity that already exists: guarded by the etag it was computed from. */
interface ExistingEntity {
  entityId: NonEmptyString;
  /** Verbatim, with its quotes: sent as If-Match. */
  etag: NonEmptyString;
}

export interface CreateAccountAction extends ActionBase {
  type: 'create-account';
  account: string;
  destinationType: DestinationType;
  name: string;
  /** With the ownership tag. */
  description: string;
  specId: string;
  authSpecName: string;
  /** Non-secret params only. */
  authParams: Record<string, string>;
  /** Names of the secret params, filled from the manifests' secret refs at apply time. */
  secretParams: string[];
  credentialFingerprint: string;
}

export interface UpdateAccountAction extends ActionBase, ExistingEntity {
  type: 'update-account';
  account: string;
  /** Secret params appear as { field: "auth.secretKey", from: "(unknown)", to: "(changed)" }. */
  changes: FieldChange[];
  /** Non-secret ops (name, description). Apply adds `replace /auth/params` when rotateCredentials. */
  patch: PatchOp[];
  rotateCredentials: boolean;
  /** The non-secret params to send with a rotation. */
  authParams: Record<string, string>;
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
  /** With the ownership tag. */
  description: string;
}

export interface CreateTargetConnectionAction extends ActionBase {
  type: 'create-target-connection';
  destination: string;
  name: string;
  /** With the ownership tag. */
  description: string;
  specId: string;
  /** Resolved to a base connection id at apply time (it may be created by this plan). */
  account: string;
  /** Known when the account already exists. */
  baseConnectionId?: string;
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
  /** With the ownership tag. */
  description: string;
  flowSpecId: string;
  /** Known when the target connection already exists. */
  targetConnectionId?: string;
  /** Known when the Profile Store source connection already exists. */
  sourceConnectionId?: string;
  /** Selectors added by a PATCH right after the create (the documented pattern). */
  segments: DesiredSegment[];
  profileAttributes: string[];
  /** New flows start enabled; false adds a disable action after the patch. */
  enabled: boolean;
}

export interface UpdateFlowAction extends ActionBase, ExistingEntity {
  type: 'update-flow';
  destination: string;
  /** Name and description. */
  changes: FieldChange[];
  addSegments: DesiredSegment[];
  removeSegments: { id: string; index: Count; name?: string }[];
  addAttributes: string[];
  removeAttributes: { path: string; index: Count }[];
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

/** @discriminator type */
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
  /** The destination's name, or the account's for accounts. */
  destination: string;
  resource: 'account' | 'destination';
  drift: 'heal' | 'warn' | 'ignore';
  changes: FieldChange[];
  lastWrite?: LastWrite;
}

/**
 * A live segment selector whose audience the sandbox now names differently (renamed in AEP). Ids
 * are what is compared, so it is only shown: the same audience stays activated and nothing is sent.
 */
export interface LabelChange {
  /** Sandbox of the destination. */
  sandbox: string;
  /** Destination (manifest) name. */
  destination: string;
  /** Audience id (unchanged). */
  id: string;
  /** Name on the live selector. */
  from: string;
  /** The audience's name now. */
  to: string;
}

/** Which manifest an entity belongs to, and which live entity it is. */
export interface EntityRef {
  sandbox: string;
  /** The plan address of the manifest, e.g. "prod/destination/summer-campaign". */
  address: string;
  resource: 'account' | 'destination' | 'profile-store';
  entity: 'base-connection' | 'source-connection' | 'target-connection' | 'flow';
  id: string;
  /** The live entity's name. */
  name: string;
}

/** A manifest whose name another manager's entity holds: flowsync writes nothing there (unless --force-conflicts). */
export interface Conflict extends EntityRef {
  /** The other manager. */
  manager: string;
}

/** An entity this manager owns whose manifest is gone: deleted only with --prune. */
export interface Orphan extends EntityRef {
  reason: 'no-manifest' | 'sandbox-not-in-config';
}

export interface PlanSummary {
  create: Count;
  update: Count;
  delete: Count;
  replace: Count;
  /** Delete actions of second copies (origin 'duplicate'); not counted in `delete`. */
  duplicate: Count;
  /** Orphans left in place (prune off). */
  orphan: Count;
  conflict: Count;
}

/**
 * A flowsync plan; saved as JSON by `plan --out` and read back by `apply PLANFILE`. Holds no secret
 * values: credentials are read again at apply time and checked against credentialFingerprint.
 *
 * @title flowsync plan
 */
export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** ISO time, passed in by the caller (the planner has no clock). */
  createdAt: NonEmptyString;
  /** The IMS org the plan was made against (--org > FLOWSYNC_ORG_ID > flowsync.yaml); apply refuses a saved plan for another org. */
  org?: string;
  /** The API base the plan was made against (--endpoint > FLOWSYNC_ENDPOINT > api.endpoint), without credentials; apply refuses a saved plan for another endpoint. */
  endpoint?: string;
  /** The config repo folder (absolute) the plan was made from; apply refuses a saved plan from another folder. */
  configDir?: string;
  /** Git revision of the manifests, when known. */
  revision?: string;
  prune: boolean;
  /**
   * The manager the plan was made for: the m= of every ownership tag it writes (MANAGER_RE, src/domain/owner-tag.ts).
   *
   * @pattern ^[A-Za-z0-9._/-]{1,128}$
   */
  manager: string;
  /**
   * Digest of the desired state (manifests) the plan was made from; apply refuses a saved plan once the manifests moved.
   *
   * @pattern ^[0-9a-f]{12}$
   */
  desiredHash?: string;
  sandboxes: NonEmptyString[];
  /** The sandboxes `--sandbox` limited the plan to (absent: every sandbox the manifests name). Applying the saved plan keeps the same scope. */
  scope?: NonEmptyString[];
  /** Execution order: dependencies first, deletions in reverse dependency order. */
  actions: Action[];
  drift: DriftItem[];
  /** Audiences renamed in AEP since their selector was written (absent when none): shown only; ids are compared, so the same audience stays activated and nothing is sent. */
  labels?: LabelChange[];
  unowned: UnownedEntity[];
  /** Entities another manager owns whose name a manifest holds: nothing is written to them (unless --force-conflicts). */
  conflicts: Conflict[];
  /** Entities this manager owns that no manifest claims: deleted only with --prune. */
  orphans: Orphan[];
  warnings: string[];
  summary: PlanSummary;
}
