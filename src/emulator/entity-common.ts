// What every entity shares: server fields (ids, times, who, scope, etag), the read view that omits
// secret auth params, If-Match checks and the checks on read-only fields in a patch.
import { createHash, randomUUID } from 'node:crypto';
import { ApiError, badRequest, flowError, staleEtag } from './api-error.ts';
import { SECRET_AUTH_PARAMS } from './catalog.ts';
import type { Store, Scope } from './store.ts';
import type { Collection, Entity, PatchOp } from './types.ts';
import type { RunSettings } from './runs.ts';

/** Who is writing and where; handlers get one per request. */
export interface WriteContext {
  store: Store;
  scope: Scope;
  org: string;
  sandbox: string;
  user: string; // e.g. flowsync-emulator@AdobeID or ui-user@AdobeID
  client: string; // the API client id, or exc_app for the UI
  now: number; // epoch ms
  /** How long an API write keeps a flow in a transitional state (transitions.ts); 0 or absent: settled at once. */
  transitionMs?: number;
  /** Run production settings (runs.ts); absent: no runs are produced for this request. */
  runs?: RunSettings;
  /** Whether an id names an audience of the sandbox; absent: segment ids are not checked (out-of-band edits). */
  isAudience?: (id: string) => boolean;
}

export function sandboxId(org: string, sandbox: string): string {
  const h = createHash('sha1').update(`${org}/${sandbox}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A new quoted etag shaped like the real ones: `"0400117f-0000-0200-0000-62d9bca50000"`. */
export function mintEtag(seq: number, now: number): string {
  const counter = (seq >>> 0).toString(16).padStart(8, '0');
  const secs = Math.floor(now / 1000).toString(16).padStart(8, '0');
  return `"${counter}-0000-0200-0000-${secs}0000"`;
}

export function newMeta(ctx: WriteContext): Entity {
  const etag = mintEtag(ctx.store.nextSeq(), ctx.now);
  return {
    id: randomUUID(),
    createdAt: ctx.now,
    updatedAt: ctx.now,
    createdBy: ctx.user,
    updatedBy: ctx.user,
    createdClient: ctx.client,
    updatedClient: ctx.client,
    sandboxId: sandboxId(ctx.org, ctx.sandbox),
    sandboxName: ctx.sandbox,
    imsOrgId: ctx.org,
    etag,
    version: etag,
  };
}

/** Stamps a write: new etag/version, updatedAt/By/Client. */
export function touch(doc: Entity, ctx: WriteContext): Entity {
  const etag = mintEtag(ctx.store.nextSeq(), ctx.now);
  return { ...doc, etag, version: etag, updatedAt: ctx.now, updatedBy: ctx.user, updatedClient: ctx.client };
}

function stripSecrets(params: unknown): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  return Object.fromEntries(Object.entries(params).filter(([k]) => !SECRET_AUTH_PARAMS.has(k)));
}

const SECRET_PATH = /^\/auth\/params\/(.+)$/;

/** lastOperation.ops with secret values omitted (a `replace /auth/params` value loses its secret keys). */
export function redactOps(ops: readonly PatchOp[]): PatchOp[] {
  return ops.map((op) => {
    if (op.path === '/auth/params' || op.path === '/auth') {
      if (op.value === undefined) return { ...op };
      const value = op.path === '/auth' && typeof op.value === 'object' && op.value !== null
        ? { ...(op.value as Record<string, unknown>), params: stripSecrets((op.value as Record<string, unknown>).params) }
        : stripSecrets(op.value);
      return { ...op, value };
    }
    const m = SECRET_PATH.exec(op.path);
    if (m && SECRET_AUTH_PARAMS.has(m[1] ?? '')) {
      const { value: _omitted, ...rest } = op;
      return rest;
    }
    return { ...op };
  });
}

/**
 * The entity as GET returns it, without secret auth params. Stored documents are never mutated (every
 * write stores a new object), so the view shares their nested parts and is only fit for serializing;
 * in-process callers get a structuredClone of it.
 */
export function view(doc: Entity): Entity {
  const out: Entity = { ...doc };
  const auth = doc.auth;
  if (isRecord(auth)) out.auth = { ...auth, params: stripSecrets(auth.params) };
  const lastOp = doc.lastOperation;
  if (isRecord(lastOp) && Array.isArray(lastOp.ops)) out.lastOperation = { ...lastOp, ops: redactOps(lastOp.ops as PatchOp[]) };
  return out;
}

/**
 * Checks If-Match against the stored etag. Missing: 1403-400; stale or unquoted: 412. `*` is refused with
 * 412 too: the spec's if-match is "the eTag value of the entity to be updated ... wrap this header in double
 * quotes", and an unquoted value gets 412 (digest §5), so the wildcard never matches.
 */
export function checkIfMatch(doc: Entity, ifMatch: string | undefined, required: boolean): void {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    if (required) throw badRequest('1403', "The header 'If-Match' is missing");
    return;
  }
  const sent = ifMatch.trim();
  if (sent !== doc.etag) throw staleEtag(sent, doc.etag);
}

/** Top-level fields the server owns; a patch touching them is refused. */
const SERVER_FIELDS = new Set([
  'id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'createdClient', 'updatedClient', 'sandboxId',
  'sandboxName', 'imsOrgId', 'etag', 'version', 'inheritedAttributes', 'lastOperation', 'runs', 'lastRunDetails', 'state',
]);
const FIXED_FIELDS: Record<Collection, readonly string[]> = {
  connections: ['connectionSpec'],
  sourceConnections: ['connectionSpec', 'baseConnectionId', 'typeInfo'],
  targetConnections: ['connectionSpec', 'baseConnectionId'],
  flows: ['flowSpec'],
};

/**
 * `allowState`: out-of-band (UI) edits may enable or disable an entity by replacing /state. A `test` (only
 * those edits accept it) changes nothing, so it may read any field, the etag included.
 */
export function checkPatchable(collection: Collection, ops: readonly PatchOp[], allowState = false): void {
  for (const op of ops) {
    if (op.op === 'test') continue;
    for (const path of [op.path, op.from].filter((p): p is string => p !== undefined)) {
      const top = path.split('/')[1] ?? '';
      if (allowState && path === '/state' && op.op === 'replace') {
        if (op.value !== 'enabled' && op.value !== 'disabled') throw badRequest('1100', 'state can only be replaced with "enabled" or "disabled"', { path });
        continue;
      }
      if (path === '' || path === '/') throw badRequest('1455', `Invalid patch target: path "${path}" replaces the whole entity`, { path });
      if (top === 'connectionSpec' && collection === 'connections') throw badRequest('1414', 'The connection spec of a connection cannot be changed', { path });
      if (SERVER_FIELDS.has(top) || FIXED_FIELDS[collection].includes(top)) {
        throw badRequest('1455', `Invalid patch target: "${path}" is read-only on ${collection}`, { path });
      }
    }
  }
}

/**
 * A spec reference must name a version the catalog has. The docs only document 422 for a missing
 * `connectionSpec.version`; an unknown one is the same mistake in the same field, so it gets the same 422.
 */
export function checkSpecVersion(spec: Record<string, unknown> | undefined, version: string, where: string): void {
  if (spec && spec.version !== version) {
    throw new ApiError(422, flowError(422, '1100', `${where}.version "${version}" is not a version of spec ${String(spec.id)} (the catalog has "${String(spec.version)}")`).body);
  }
}

/** Validation error of a request body (the catalogue's generic "invalid request"). */
export function invalidBody(message: string, report: Record<string, unknown> = {}) {
  return flowError(400, '1100', message, report);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
