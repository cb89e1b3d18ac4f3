// The Flow Service routes under /data/foundation/flowservice: catalogs, the four entity collections,
// flow actions and runs. Takes a parsed request and the caller, returns status and body; no sockets.
import { contentTypeError, flowError, notFound } from './api-error.ts';
import { CONNECTION_SPECS, FLOW_SPECS, SECRET_AUTH_PARAMS } from './catalog.ts';
import { checkDeletable, createConnection, createSourceConnection, createTargetConnection, validatePatchedConnection } from './connections.ts';
import { checkIfMatch, checkPatchable, isRecord, touch, view, type WriteContext } from './entity-common.ts';
import { applyAction, createFlow, finishFlowPatch } from './flows.ts';
import { applyPatch, parsePatch } from './json-patch.ts';
import { countMatches, listPage } from './list.ts';
import { parseListQuery, type PathStep } from './list-query.ts';
import type { Store } from './store.ts';
import { COLLECTIONS, type Collection, type Entity, type ListCache, type PatchOp } from './types.ts';
import { clone } from './clone.ts';
import { checkSettled, settleFlows, startOperation } from './transitions.ts';
import { findRun, produceRuns, storedRuns } from './runs.ts';

export interface ServiceRequest {
  method: string;
  path: string; // under the base path, e.g. /flows/123/action
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown; // parsed JSON, undefined when empty
}

export interface ServiceResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const COMMON_FIELDS = ['id', 'name', 'description', 'state', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'createdClient', 'updatedClient',
  'sandboxId', 'sandboxName', 'imsOrgId', 'etag', 'version', 'connectionSpec', 'inheritedAttributes', 'labels', 'lastOperation'];
const FIELDS: Record<Collection | 'runs' | 'specs', ReadonlySet<string>> = {
  connections: new Set([...COMMON_FIELDS, 'auth']),
  sourceConnections: new Set([...COMMON_FIELDS, 'baseConnectionId', 'data', 'params', 'typeInfo']),
  targetConnections: new Set([...COMMON_FIELDS, 'baseConnectionId', 'data', 'params']),
  flows: new Set([...COMMON_FIELDS, 'flowSpec', 'sourceConnectionIds', 'targetConnectionIds', 'transformations', 'runs', 'lastRunDetails']),
  runs: new Set(['id', 'flowId', 'state', 'flowSpec', 'etag', 'metrics', 'activities', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'createdClient', 'updatedClient', 'sandboxId', 'sandboxName', 'imsOrgId']),
  specs: new Set(['id', 'name', 'providerId', 'version', 'attributes', 'sourceConnectionSpecIds', 'targetConnectionSpecIds', 'authSpec', 'targetSpec', 'sourceSpec']),
};

/** Secret auth params never take part in a filter, so a filter cannot be used to guess a secret. */
const hiddenPath = (path: readonly PathStep[]) => path[0]?.key === 'auth' && path[1]?.key === 'params' && SECRET_AUTH_PARAMS.has(path[2]?.key ?? '');

function listResponse(
  records: Parameters<typeof listPage>[0], query: URLSearchParams, fields: ReadonlySet<string>, basePath: string, map: (e: Entity) => unknown,
  cache?: { cache: ListCache; version: number },
): ServiceResponse {
  const q = parseListQuery(query, fields);
  if (q.count) return { status: 200, body: { count: countMatches(records, q, hiddenPath, cache?.cache, cache?.version) } };
  const page = listPage(records, q, hiddenPath, cache?.cache, cache?.version);
  const body: Record<string, unknown> = { items: page.records.map((r) => map(r.doc)) };
  if (page.nextQuery) body._links = { next: { href: `${basePath}?${page.nextQuery}` } };
  return { status: 200, body };
}

function catalogResponse(items: readonly Record<string, unknown>[], kind: string, id: string | undefined, query: URLSearchParams): ServiceResponse {
  if (id !== undefined) {
    const item = items.find((s) => s.id === id);
    if (!item) throw notFound(kind, id);
    return { status: 200, body: { items: [clone(item)] } };
  }
  const records = items.map((doc, i) => ({ doc: doc as Entity, seq: items.length - i, cseq: i }));
  return listResponse(records, query, FIELDS.specs, `/${kind}`, (e) => clone(e));
}

/**
 * The spec: "All requests with a payload in the request body (such as POST, PUT, and PATCH calls) must
 * include the header `Content-Type` with a value of `application/json`", and every requestBody it
 * declares, PATCH included, is `application/json` only (no `application/json-patch+json`). A write
 * without a body (DELETE, the enable/disable action, whose documented curl sends neither body nor
 * Content-Type) may omit the header; a write that names another type is refused the same way (choice:
 * the docs are silent there, and a form type announces a body the API does not take).
 */
function checkContentType(req: ServiceRequest, bodyRequired: boolean): void {
  const value = headerValue(req, 'content-type')?.trim();
  if (value === undefined || value === '') {
    if (bodyRequired || req.body !== undefined) throw contentTypeError();
    return;
  }
  if (!/^application\/json\s*(;|$)/i.test(value)) throw contentTypeError();
}

/**
 * If-Match from the header or, as Adobe's own Postman collection sends it on PATCH, from the
 * `if-match` query parameter; the header wins when both are present.
 */
function ifMatchOf(req: ServiceRequest): string | undefined {
  return headerValue(req, 'if-match') ?? req.query.get('if-match') ?? undefined;
}

const CREATORS: Record<Collection, (ctx: WriteContext, body: Record<string, unknown>) => Entity> = {
  connections: createConnection,
  sourceConnections: createSourceConnection,
  targetConnections: createTargetConnection,
  flows: createFlow,
};

/** Applies a patch to a stored entity as `ctx` (API caller or UI user). Returns the new stored doc. */
export function patchEntity(
  ctx: WriteContext, collection: Collection, current: Entity, ops: PatchOp[], opts: { operation?: string; allowState?: boolean; strictSelectors?: boolean; transitionMs?: number } = {},
): Entity {
  const operation = opts.operation ?? 'update';
  checkPatchable(collection, ops, opts.allowState);
  let next = touch(applyPatch(current, ops), ctx);
  if (collection === 'flows') {
    next = finishFlowPatch(ctx, current, next, ops, operation, opts.strictSelectors ?? true);
    if (opts.transitionMs !== undefined) startOperation(ctx.scope, next, 'update', ops, String(current.state), ctx.now, opts.transitionMs);
  } else validatePatchedConnection(collection, next);
  ctx.store.put(ctx.scope, collection, next);
  return next;
}

export function handleFlowService(req: ServiceRequest, ctx: WriteContext): ServiceResponse {
  const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [kind, id, sub] = parts;
  if (parts.length > 3 || kind === undefined) throw flowError(404, '1101', `No route for ${req.method} ${req.path}`);

  if (kind === 'connectionSpecs' || kind === 'flowSpecs') {
    if (req.method !== 'GET' || sub !== undefined) throw flowError(405, '1100', `${req.method} is not allowed on /${kind}`);
    return catalogResponse(kind === 'connectionSpecs' ? CONNECTION_SPECS : FLOW_SPECS, kind, id, req.query);
  }
  if (ctx.runs) {
    // runs due before this request exist before it is handled (a disable stops runs from now on)
    settleFlows(ctx.store, ctx.scope, ctx.now);
    produceRuns(ctx.scope, ctx.org, ctx.sandbox, ctx.now, ctx.runs);
  }
  if (kind === 'runs') {
    if (req.method !== 'GET' || sub !== undefined) throw flowError(405, '1100', `${req.method} is not allowed on ${req.path}`);
    if (id !== undefined) {
      const run = findRun(ctx.scope, id);
      if (!run) throw notFound('runs', id);
      return { status: 200, body: { items: [clone(run)] } };
    }
    return listResponse(storedRuns(ctx.scope), req.query, FIELDS.runs, '/runs', (e) => clone(e));
  }
  if (!(COLLECTIONS as readonly string[]).includes(kind)) throw flowError(404, '1101', `No route for ${req.method} ${req.path}`);
  const collection = kind as Collection;
  const map = ctx.scope[collection];
  if (collection === 'flows') settleFlows(ctx.store, ctx.scope, ctx.now);
  const transitionMs = ctx.transitionMs ?? 0;

  if (id === undefined) {
    if (req.method === 'GET') {
      return listResponse(map.values(), req.query, FIELDS[collection], `/${collection}`, view, { cache: ctx.scope.listCache[collection], version: ctx.scope.version });
    }
    if (req.method === 'POST') {
      checkContentType(req, true);
      if (!isRecord(req.body)) throw flowError(400, '1100', `${collection}: the request body must be a JSON object`);
      const doc = CREATORS[collection](ctx, req.body);
      ctx.store.put(ctx.scope, collection, doc);
      return { status: 201, body: { id: doc.id, etag: doc.etag }, headers: { location: `/data/foundation/flowservice/${collection}/${doc.id}` } };
    }
    throw flowError(405, '1100', `${req.method} is not allowed on /${collection}`);
  }

  const current = map.get(id)?.doc;
  if (sub !== undefined) {
    if (collection !== 'flows' || sub !== 'action' || req.method !== 'POST') throw flowError(404, '1101', `No route for ${req.method} ${req.path}`);
    if (!current) throw notFound(collection, id);
    checkContentType(req, false);
    checkIfMatch(current, ifMatchOf(req), false);
    checkSettled(current, 'action');
    const { state, op } = applyAction(current, req.query.get('op'));
    const next = startOperation(ctx.scope, touch(clone(current), ctx), op, [], state, ctx.now, transitionMs);
    ctx.store.put(ctx.scope, collection, next);
    return { status: 200, body: { id, etag: next.etag } };
  }
  if (!current) throw notFound(collection, id);
  switch (req.method) {
    case 'GET':
      return { status: 200, body: { items: [view(current)] } };
    case 'PATCH': {
      checkIfMatch(current, ifMatchOf(req), true);
      checkContentType(req, true);
      if (collection === 'flows') checkSettled(current, 'update');
      const next = patchEntity(ctx, collection, current, parsePatch(req.body), { transitionMs });
      return { status: 200, body: { id, etag: next.etag } };
    }
    case 'DELETE':
      checkContentType(req, false);
      checkIfMatch(current, ifMatchOf(req), false);
      if (collection === 'flows') checkSettled(current, 'delete');
      checkDeletable(ctx.scope, collection, id);
      if (collection === 'flows' && transitionMs > 0) {
        // asynchronous like the other flow operations: listed as delete-finalizing, then gone
        ctx.store.put(ctx.scope, collection, startOperation(ctx.scope, clone(current), 'delete', [], null, ctx.now, transitionMs), map.get(id)!.cseq);
      } else ctx.store.remove(ctx.scope, collection, id);
      return { status: 202 };
    default:
      throw flowError(405, '1100', `${req.method} is not allowed on /${collection}/{id}`);
  }
}

function headerValue(req: ServiceRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
