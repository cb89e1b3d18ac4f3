// Base, source and target connections: create-body validation, the state after a patch, delete checks.
import { badRequest, invalidSpecId, ApiError, flowError } from './api-error.ts';
import { connectionSpec } from './catalog.ts';
import { checkSpecVersion, invalidBody, isRecord, newMeta, type WriteContext } from './entity-common.ts';
import { validateAuth, validateTargetParams } from './spec-validation.ts';
import { referrers, type Scope } from './store.ts';
import type { Collection, Entity } from './types.ts';
import { clone } from './clone.ts';

function requireName(body: Record<string, unknown>, collection: string): string {
  if (typeof body.name !== 'string' || body.name.trim() === '') throw invalidBody(`${collection}: "name" must be a non-empty string`);
  if (body.description !== undefined && typeof body.description !== 'string') throw invalidBody(`${collection}: "description" must be a string`);
  return body.name;
}

/** The connection spec reference of a body: unknown id → 400 {message}; missing version → 422. */
function specRef(body: Record<string, unknown>, collection: string): { id: string; version: string } {
  const ref = body.connectionSpec;
  if (!isRecord(ref) || typeof ref.id !== 'string' || !connectionSpec(ref.id)) throw invalidSpecId();
  if (typeof ref.version !== 'string' || ref.version === '') {
    throw new ApiError(422, flowError(422, '1100', `${collection}: connectionSpec.version is required`).body);
  }
  checkSpecVersion(connectionSpec(ref.id), ref.version, `${collection}: connectionSpec`);
  return { id: ref.id, version: ref.version };
}

/**
 * Streaming destinations and the Profile Store exchange JSON: the streaming tutorial's source and target
 * connection bodies carry `"data": {"format": "json"}` and no other value is documented for them.
 */
const DATA_FORMAT = 'json';

function checkDataFormat(data: Record<string, unknown> | undefined, where: string): void {
  if (data?.format !== undefined && data.format !== DATA_FORMAT) {
    throw invalidBody(`${where}: data.format "${String(data.format)}" is not supported; streaming destinations take "${DATA_FORMAT}"`);
  }
}

function baseOf(scope: Scope, body: Record<string, unknown>, collection: string): Entity {
  if (typeof body.baseConnectionId !== 'string' || body.baseConnectionId === '') throw invalidBody(`${collection}: "baseConnectionId" is required`);
  const base = scope.connections.get(body.baseConnectionId)?.doc;
  if (!base) throw badRequest('1430', `Base connection ${body.baseConnectionId} referenced by ${collection} was not found in this sandbox`, { id: body.baseConnectionId });
  return base;
}

function specIdOf(doc: Entity): string {
  return (doc.connectionSpec as { id: string }).id;
}

export function createConnection(ctx: WriteContext, body: Record<string, unknown>): Entity {
  const name = requireName(body, 'connections');
  const spec = specRef(body, 'connections');
  validateAuth(spec.id, body.auth, 'connections');
  const doc: Entity = {
    ...newMeta(ctx),
    name,
    description: body.description ?? '',
    connectionSpec: spec,
    state: 'enabled',
  };
  if (body.auth !== undefined) doc.auth = clone(body.auth);
  return doc;
}

function childConnection(ctx: WriteContext, body: Record<string, unknown>, collection: 'sourceConnections' | 'targetConnections'): Entity {
  const name = requireName(body, collection);
  const spec = specRef(body, collection);
  const base = baseOf(ctx.scope, body, collection);
  if (specIdOf(base) !== spec.id) {
    throw invalidBody(`${collection}: connectionSpec ${spec.id} does not match the spec ${specIdOf(base)} of base connection ${base.id}`, { id: base.id });
  }
  if (body.data !== undefined && !isRecord(body.data)) throw invalidBody(`${collection}: "data" must be an object`);
  checkDataFormat(body.data, collection);
  if (body.params !== undefined && !isRecord(body.params)) throw invalidBody(`${collection}: "params" must be an object`);
  return {
    ...newMeta(ctx),
    name,
    description: body.description ?? '',
    baseConnectionId: base.id,
    connectionSpec: spec,
    data: clone(body.data ?? { format: 'json' }),
    params: clone(body.params ?? {}),
    state: 'enabled',
    inheritedAttributes: { baseConnection: { id: base.id, connectionSpec: clone(base.connectionSpec) } },
  };
}

export function createSourceConnection(ctx: WriteContext, body: Record<string, unknown>): Entity {
  const doc = childConnection(ctx, body, 'sourceConnections');
  if (connectionSpec(specIdOf(doc))?.sourceSpec && (connectionSpec(specIdOf(doc))?.sourceSpec as { type?: string }).type === 'ProfileFragments') {
    doc.typeInfo = { type: 'ProfileFragments', id: 'ups' };
  }
  return doc;
}

export function createTargetConnection(ctx: WriteContext, body: Record<string, unknown>): Entity {
  const doc = childConnection(ctx, body, 'targetConnections');
  validateTargetParams(specIdOf(doc), doc.params, 'targetConnections');
  return doc;
}

/** Re-checks a connection after a patch (the patched document must still satisfy its spec). */
export function validatePatchedConnection(collection: Collection, doc: Entity): void {
  if (typeof doc.name !== 'string' || doc.name.trim() === '') throw invalidBody(`${collection} ${doc.id}: "name" must stay a non-empty string`);
  if (doc.description !== undefined && typeof doc.description !== 'string') throw invalidBody(`${collection} ${doc.id}: "description" must be a string`);
  if (collection === 'connections') validateAuth(specIdOf(doc), doc.auth, `connections ${doc.id}`);
  if (collection === 'sourceConnections' || collection === 'targetConnections') checkDataFormat(isRecord(doc.data) ? doc.data : undefined, `${collection} ${doc.id}`);
  if (collection === 'targetConnections') {
    if (!isRecord(doc.params)) throw invalidBody(`targetConnections ${doc.id}: "params" must be an object`);
    validateTargetParams(specIdOf(doc), doc.params, `targetConnections ${doc.id}`);
  }
}

/** Delete rules: a base connection whose source/target connections a flow uses → 1418; a connection a flow uses → 1447. */
export function checkDeletable(scope: Scope, collection: Collection, id: string): void {
  if (collection === 'connections') {
    for (const child of referrers(scope, id)) {
      const flows = [...referrers(scope, child)].filter((f) => scope.flows.has(f));
      if (flows.length > 0) {
        throw badRequest('1418', `Connection ${id} cannot be deleted: it is used by connection ${child} of flow ${flows[0]}. Delete the flows first.`, { id });
      }
    }
  }
  if (collection === 'sourceConnections' || collection === 'targetConnections') {
    const flows = [...referrers(scope, id)].filter((f) => scope.flows.has(f));
    if (flows.length > 0) throw badRequest('1447', `${collection} ${id} cannot be deleted: flow ${flows[0]} references it. Delete the flow first.`, { id });
  }
}
