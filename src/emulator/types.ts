// Public types of the embedded Flow Service emulator. Other modules code against these: add, never rename.
import type { AudienceSeed } from './audiences.ts';

export type { AudienceSeed, AudienceType, LifecycleState } from './audiences.ts';

export type Collection = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';
export const COLLECTIONS: readonly Collection[] = ['connections', 'sourceConnections', 'targetConnections', 'flows'];

/** One RFC 6902 operation as the Flow Service accepts it (value is accepted and ignored on remove). */
export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

/** A one-shot fault: the next `count` matching requests answer `status` without being handled. */
export interface FailNextRule {
  count: number;
  status: number;
  method?: string;
  /** Matches the full path (`/data/foundation/flowservice/flows`) or the path under the base (`/flows`). */
  pathPrefix?: string;
  /** Retry-After seconds sent with a 429 (defaults to FaultConfig.retryAfterSeconds). */
  retryAfterSeconds?: number;
}

/** A one-shot fault for writes: the request takes effect, then the socket is destroyed before the answer. */
export interface DropAfterCommitRule {
  count: number;
  method?: string;
  pathPrefix?: string;
}

/**
 * Late commits: the next `count` matching creates wait `delayMs`, then commit, then answer. A client
 * whose timeout is shorter gives up; the entity still appears `delayMs` after the request.
 */
export interface LateCommitRule {
  count: number;
  delayMs: number;
  method?: string;
  pathPrefix?: string;
}

export interface FaultConfig {
  /** Added before every Flow Service answer, in ms. */
  latencyMs: number;
  /** Extra random latency in [0, latencyJitterMs), from the seeded generator. */
  latencyJitterMs: number;
  /** Share (0..1) of Flow Service requests answered with a 5xx from `errorStatuses`. */
  errorRate: number;
  errorStatuses: number[];
  /** Share (0..1) of Flow Service requests answered 429 with Retry-After. */
  throttleRate: number;
  retryAfterSeconds: number;
  /** Requests per second per emulator (0 = off); over it: 429 with Retry-After until the window ends. */
  rateLimit: number;
  /** Share (0..1) of Flow Service requests whose socket is destroyed without an answer (nothing is written). */
  dropRate: number;
  /** Seed of the generator behind every random knob: the same seed and requests give the same faults. */
  seed: number;
  failNext: FailNextRule[];
  dropAfterCommit: DropAfterCommitRule[];
  /**
   * Every create (POST on a collection) commits only after this many ms and answers after the
   * commit (0 = off); `lateCommitCount` limits it to that many more creates (0 = every create).
   */
  lateCommitMs: number;
  lateCommitCount: number;
  lateCommit: LateCommitRule[];
  /**
   * A hostile API: every error answer (IMS included) echoes the request it answers, i.e. the form
   * or JSON body and the Authorization header, in its message. Secret-hygiene tests use it.
   */
  echoRequest: boolean;
  /**
   * Target params the API "forgets": every read of a target connection (GET one, GET list) leaves
   * these keys out of `params`, though they are stored as sent. Models an API that drops (or renames)
   * a param on read, so a test can prove the planner does not see permanent drift.
   */
  dropParamsOnRead: string[];
  /**
   * How long (ms) a flow stays `updating`/`enabling`/`disabling` after an API PATCH or action, refusing
   * writes (1416/1420/1421) until it settles (default 300; 0 = settled at once). A setting of the
   * emulator more than a fault: reset() keeps it.
   */
  transitionMs: number;
  /**
   * Period of dataflow runs in ms: every enabled flow gets one run per period (runs.ts; default
   * 5000, 0 = no runs). A setting more than a fault: reset() keeps it.
   */
  runIntervalMs: number;
  /** Share (0..1) of runs that fail as a whole (status failed, every record failed, a documented error). */
  runFailureRate: number;
  /** Share (0..1) of the other runs in which some records fail (status success, failedRecordCount > 0). */
  runPartialFailureRate: number;
}

export interface FaultsInput extends Partial<Omit<FaultConfig, 'failNext' | 'dropAfterCommit' | 'lateCommit'>> {
  failNext?: FailNextRule | FailNextRule[];
  dropAfterCommit?: DropAfterCommitRule | DropAfterCommitRule[];
  lateCommit?: LateCommitRule | LateCommitRule[];
}

export interface RequestLogEntry {
  seq: number;
  at: number; // epoch ms when the request arrived
  method: string;
  path: string; // without the query string
  query: string; // raw query string without '?', '' when none
  status: number; // 0 when the connection was dropped without an answer
  org: string | undefined;
  sandbox: string | undefined;
  durationMs: number;
  write: boolean; // POST/PATCH/PUT/DELETE on the Flow Service
  fault?: string; // which fault answered, if any
  userAgent?: string; // tells two writers apart in tests
}

export interface RequestCounters {
  total: number;
  writes: number;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
}

export interface OutOfBandEdit {
  orgId?: string;
  sandbox: string;
  collection: Collection;
  id: string;
  ops: PatchOp[];
  /** Who made the change; defaults to `ui-user@AdobeID` with client `exc_app`. */
  user?: string;
  client?: string;
}

export type Entity = Record<string, unknown> & { id: string; etag: string };

export interface StoreSnapshot {
  /** `${org}/${sandbox}` → collection → entities (stored form, secrets included). */
  scopes: Record<string, Record<Collection, Entity[]>>;
}

export interface EmulatorAdmin {
  requests(): RequestLogEntry[];
  counters(): RequestCounters;
  resetRequests(): void;
  faults(): FaultConfig;
  setFaults(partial: FaultsInput): FaultConfig;
  /** Applies a JSON Patch the way a person in the AEP UI would; returns the new entity (as GET shows it). */
  outOfBandEdit(edit: OutOfBandEdit): Entity;
  issueToken(opts?: { clientId?: string; ttlSeconds?: number }): string;
  /** Creates a sandbox in an org (default the demo org); false when it existed already. */
  addSandbox(name: string, orgId?: string): boolean;
  /** The org's sandboxes, prod first (default the demo org). */
  sandboxes(orgId?: string): string[];
  /** Binds a client id to an org: its tokens are entitled to that org only. */
  addClient(clientId: string, orgId: string): void;
  /**
   * Creates an audience in a sandbox, as someone in AEP would, or renames the one with the seed's id;
   * returns it as `GET /audiences/{id}` shows it. The sandbox must exist.
   */
  addAudience(seed: AudienceSeed): Record<string, unknown>;
  /** A sandbox's audiences as `/audiences` shows them, oldest first (default the demo org). */
  audiences(sandbox: string, orgId?: string): Record<string, unknown>[];
  snapshot(): StoreSnapshot;
  /** Empties the store, the request log and the faults (the seed, sandboxes, clients and audiences are kept). */
  reset(): void;
}

export interface EmulatorOptions {
  port?: number; // 0 = ephemeral (tests); the CLI default is 4010
  host?: string; // default 127.0.0.1
  stateFile?: string; // persistence; in memory when absent
  faults?: FaultsInput;
  tokenTtlSeconds?: number; // default 86399
  now?: () => number; // clock (epoch ms), for token expiry tests
  /** Debounce of state-file writes in ms (default 50). Acknowledged writes are flushed on close. */
  persistDebounceMs?: number;
  /** Sandboxes every org has besides prod (default dev); others exist once added (admin addSandbox). */
  sandboxes?: string[];
  /** API clients and the org each belongs to (clientId → org); the demo client belongs to the demo org. */
  clients?: Record<string, string>;
  /** Most request log entries kept (default 100000); counters are never capped. */
  requestLogLimit?: number;
  /** Duration of asynchronous flow operations in ms (default 300; 0 = off). Same as faults.transitionMs. */
  transitionMs?: number;
  /** Period of dataflow runs in ms (default 5000; 0 = none). Same as faults.runIntervalMs. */
  runIntervalMs?: number;
  /**
   * Audiences to start with (default: the example repo's, EXAMPLE_AUDIENCES); each names an existing
   * sandbox. With a state file that holds audiences, the file's are kept as they are and seeds are not applied.
   */
  audiences?: readonly AudienceSeed[];
}

export interface Emulator {
  url: string;
  flowServiceUrl: string;
  imsUrl: string;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

/** An entity as the store keeps it. */
export interface StoredRecord {
  doc: Entity;
  seq: number; // sequence number of the last write (orders the default listing)
  cseq: number; // sequence number of the create (tie-breaker for orderby: stable and unique)
}

/** A record with its sort key, as a list query orders it. */
export interface KeyedRecord {
  rec: StoredRecord;
  key: unknown[];
}

/** Sorted matches of one (filters, orderby) query, reused while the scope's data version is unchanged. */
export interface ListCache {
  version: number;
  entries: Map<string, KeyedRecord[]>;
}
