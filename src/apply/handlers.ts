// One handler per action type: the exact Flow Service calls that carry the action out.
// Handlers record the IDs they create in the run context so dependent actions can use them.
import { FlowsyncError } from '../domain/errors.ts';
import { credentialFingerprint } from '../domain/fingerprint.ts';
import { formatOwnerTag, isOurs, parseOwnerTag, tagOf } from '../domain/owner-tag.ts';
import type { Action, DeleteAction, PatchOp } from '../domain/plan.ts';
import { PROFILE_STORE_SPEC_ID } from '../domain/specs.ts';
import type { ApplyClient, Collection, EntityRef } from './client.ts';
import type { RunContext } from './context.ts';

/** Resolved secret params of one account (the manifest loader's Secrets structure satisfies this). */
export interface SecretSource {
  forAccount(sandbox: string, account: string): Record<string, string> | undefined;
}

export interface HandlerDeps {
  client: ApplyClient;
  secrets: SecretSource;
  ctx: RunContext;
}

const EMPTY_TRANSFORMATIONS = [
  { name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } },
];

/** The action of one type (a delete type picks DeleteAction, whose `type` is a union of four). */
type ActionOf<T extends Action['type']> = Action & { type: T };
type Handler<T extends Action['type']> = (action: ActionOf<T>, deps: HandlerDeps) => Promise<EntityRef | undefined>;

async function createAccount(action: ActionOf<'create-account'>, { client, ctx, secrets }: HandlerDeps): Promise<EntityRef> {
  const sb = action.sandbox;
  const body = {
    name: action.name,
    description: action.description,
    connectionSpec: { id: action.specId, version: '1.0' },
    auth: { specName: action.authSpecName, params: fullAuthParams(action, secrets) },
  };
  const ref = await client.create(sb, 'connections', body, { findExisting: () => findOwned(client, sb, 'connections', action.name, action.description) });
  ctx.accountIds.set(`${sb}/${action.account}`, ref.id);
  return ref;
}

async function updateAccount(action: ActionOf<'update-account'>, { client, ctx, secrets }: HandlerDeps): Promise<EntityRef> {
  const ops: PatchOp[] = [...action.patch];
  if (action.rotateCredentials) ops.push({ op: 'replace', path: '/auth/params', value: fullAuthParams(action, secrets) });
  return ctx.wrote(await client.patch(action.sandbox, 'connections', action.entityId, ctx.etagFor(action.entityId, action.etag), ops), action.etag);
}

async function createProfileStore(action: ActionOf<'create-profile-store'>, { client, ctx }: HandlerDeps): Promise<EntityRef> {
  const sb = action.sandbox;
  let baseId = action.baseConnectionId;
  if (!baseId) {
    const base = await client.create(
      sb,
      'connections',
      { name: action.baseName, description: action.description, connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' } },
      { findExisting: () => findOwned(client, sb, 'connections', action.baseName, action.description) },
    );
    baseId = base.id;
  }
  const source = await client.create(
    sb,
    'sourceConnections',
    {
      name: action.sourceName,
      description: action.description,
      baseConnectionId: baseId,
      connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
      params: {},
    },
    { findExisting: () => findOwned(client, sb, 'sourceConnections', action.sourceName, action.description) },
  );
  ctx.sourceIds.set(sb, source.id);
  return source;
}

async function createTargetConnection(action: ActionOf<'create-target-connection'>, { client, ctx }: HandlerDeps): Promise<EntityRef> {
  const sb = action.sandbox;
  const baseConnectionId = ctx.accountIds.get(`${sb}/${action.account}`) ?? action.baseConnectionId;
  if (!baseConnectionId) throw missingId(action.address, `base connection of account ${action.account}`);
  const body = {
    name: action.name,
    description: action.description,
    baseConnectionId,
    connectionSpec: { id: action.specId, version: '1.0' },
    data: { format: action.format },
    params: action.params,
  };
  const ref = await client.create(sb, 'targetConnections', body, {
    findExisting: () => findOwned(client, sb, 'targetConnections', action.name, action.description),
  });
  ctx.targetIds.set(`${sb}/${action.destination}`, ref.id);
  return ref;
}

/** An update of a target connection or a flow: the planned patch, under the etag this run last saw. */
async function patchEntity(collection: Collection, action: ActionOf<'update-target-connection' | 'update-flow'>, { client, ctx }: HandlerDeps): Promise<EntityRef> {
  return ctx.wrote(await client.patch(action.sandbox, collection, action.entityId, ctx.etagFor(action.entityId, action.etag), action.patch), action.etag);
}

async function createFlow(action: ActionOf<'create-flow'>, { client, ctx }: HandlerDeps): Promise<EntityRef> {
  const sb = action.sandbox;
  const targetId = ctx.targetIds.get(`${sb}/${action.destination}`) ?? action.targetConnectionId;
  const sourceId = ctx.sourceIds.get(sb) ?? action.sourceConnectionId;
  if (!targetId) throw missingId(action.address, `target connection of destination ${action.destination}`);
  if (!sourceId) throw missingId(action.address, `Profile Store source connection of sandbox ${sb}`);
  // Created without the spec hash: only the last write below stamps it, so a flow left
  // half-finished by a crash is seen as unfinished (a manifest change), never as drift.
  const { userDescription, tag } = parseOwnerTag(action.description);
  const provisional = tag ? `${userDescription ? `${userDescription} ` : ''}${formatOwnerTag({ kind: tag.kind, name: tag.name, ...(tag.manager ? { manager: tag.manager } : {}) })}` : action.description;
  const body = {
    name: action.name,
    description: provisional,
    flowSpec: { id: action.flowSpecId, version: '1.0' },
    sourceConnectionIds: [sourceId],
    targetConnectionIds: [targetId],
    transformations: EMPTY_TRANSFORMATIONS,
  };
  let ref = await client.create(sb, 'flows', body, {
    findExisting: () => findOwned(client, sb, 'flows', action.name, action.description),
  });
  if (!action.enabled) ref = await client.flowAction(sb, ref.id, 'disable');
  return client.patch(sb, 'flows', ref.id, ref.etag, [
    ...action.segments.map((s) => ({
      op: 'add' as const,
      path: '/transformations/0/params/segmentSelectors/selectors/-',
      value: { type: 'PLATFORM_SEGMENT', value: s.name ? { id: s.id, name: s.name } : { id: s.id } },
    })),
    ...action.profileAttributes.map((path) => ({
      op: 'add' as const,
      path: '/transformations/0/params/profileSelectors/selectors/-',
      value: { type: 'JSON_PATH', value: { path, operator: 'EXISTS' } },
    })),
    { op: 'replace' as const, path: '/description', value: action.description },
  ]);
}

async function setFlowState(action: ActionOf<'set-flow-state'>, { client, ctx }: HandlerDeps): Promise<EntityRef> {
  // The action endpoint takes no If-Match in the documented calls; the etag guard is the
  // saved-plan check before apply starts (and the state check the API itself makes).
  const ref = await client.flowAction(action.sandbox, action.entityId, action.to === 'enabled' ? 'enable' : 'disable');
  return ctx.wrote(ref, action.etag);
}

async function deleteEntity(action: DeleteAction, { client }: HandlerDeps): Promise<undefined> {
  await client.delete(action.sandbox, deleteCollection(action), action.entityId);
  return undefined;
}

/**
 * Every action type has its handler: a type added to the Action union without one does not compile. Typed
 * (not only `satisfies`) as the mapped type, so `HANDLERS[action.type]` is the handler of that action's type.
 */
const HANDLERS: { [T in Action['type']]: Handler<T> } = {
  'create-account': createAccount,
  'update-account': updateAccount,
  'create-profile-store': createProfileStore,
  'create-target-connection': createTargetConnection,
  'update-target-connection': (action, deps) => patchEntity('targetConnections', action, deps),
  'create-flow': createFlow,
  'update-flow': (action, deps) => patchEntity('flows', action, deps),
  'set-flow-state': setFlowState,
  'delete-flow': deleteEntity,
  'delete-target-connection': deleteEntity,
  'delete-account': deleteEntity,
  'delete-profile-store': deleteEntity,
};

/** Carries out one action: the exact Flow Service calls of its type. */
export function runAction<T extends Action['type']>(action: ActionOf<T>, deps: HandlerDeps): Promise<EntityRef | undefined> {
  const handler: Handler<T> = HANDLERS[action.type];
  return handler(action, deps);
}

/** Where a delete goes; a Profile Store pair is deleted half by half (source, then base connection). */
function deleteCollection(action: DeleteAction): Collection {
  switch (action.type) {
    case 'delete-flow':
      return 'flows';
    case 'delete-target-connection':
      return 'targetConnections';
    case 'delete-account':
      return 'connections';
    case 'delete-profile-store':
      return action.resource === 'base-connection' ? 'connections' : 'sourceConnections';
  }
}

/** Every auth param to send: the plan's non-secret ones plus the secrets, checked against the reviewed fingerprint. */
function fullAuthParams(
  action: { sandbox: string; account: string; address: string; authParams: Record<string, string>; secretParams: string[]; credentialFingerprint: string },
  secrets: SecretSource,
): Record<string, string> {
  const secretValues = secrets.forAccount(action.sandbox, action.account) ?? {};
  const missing = action.secretParams.filter((p) => secretValues[p] === undefined);
  if (missing.length > 0) {
    throw new FlowsyncError('FS_APPLY_SECRET_MISSING', `${action.address}: the secret auth param(s) ${missing.join(', ')} could not be resolved`, {
      details: { address: action.address, params: missing },
    });
  }
  const params = { ...action.authParams };
  for (const p of action.secretParams) params[p] = secretValues[p]!;
  const fingerprint = credentialFingerprint(params, { sandbox: action.sandbox, account: action.account });
  if (fingerprint !== action.credentialFingerprint) {
    throw new FlowsyncError('FS_APPLY_SECRET_CHANGED', `${action.address}: the credentials resolved now differ from the ones the plan was made with`, {
      details: { address: action.address },
    });
  }
  return params;
}

/**
 * Looks for an entity this run may already have created (a retried or re-run create): same name
 * and the tag the create sends (kind/name), written by this manager or before managers existed;
 * another manager's entity of that name is never taken for ours.
 */
async function findOwned(client: ApplyClient, sandbox: string, collection: Collection, name: string, description: string): Promise<EntityRef | undefined> {
  const want = tagOf(description);
  if (!want) return undefined;
  const items = await client.list<{ id: string; etag: string; name?: string; description?: string }>(sandbox, collection, {
    property: [`name==${name}`],
  });
  const mine = items.find((e) => {
    const tag = parseOwnerTag(e.description).tag;
    return e.name === name && tag?.kind === want.kind && tag.name === want.name && isOurs(tag, want.manager ?? '');
  });
  return mine ? { id: mine.id, etag: mine.etag } : undefined;
}

function missingId(address: string, what: string): FlowsyncError {
  return new FlowsyncError('FS_APPLY_DEPENDENCY', `${address}: the ${what} is unknown (it was neither live nor created by this apply)`);
}
