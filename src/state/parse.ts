// Flow Service entities (as GET and list answers hold them) → the live model of src/domain/model.ts.
// One parser per entity so apply can re-read a single entity after a 412 and parse it the same way.
// Tolerant where the API varies (inheritedAttributes as arrays or objects, masked or absent
// secrets, etag or version, missing optional fields); strict only where flowsync cannot work
// without a value (id, etag).
import { ApiError } from '../api/errors.ts';
import { intern } from '../domain/intern.ts';
import type {
  LastWrite,
  LiveAttributeSelector,
  LiveBaseConnection,
  LiveFlow,
  LiveSegmentSelector,
  LiveSourceConnection,
  LiveTargetConnection,
} from '../domain/model.ts';

type Raw = Record<string, unknown>;

const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
/** The API types some inherited attributes as objects while every example sends arrays: read both. */
const many = (v: unknown): Raw[] => (Array.isArray(v) ? v.map(obj) : v && typeof v === 'object' ? [obj(v)] : []);

function identity(raw: unknown, collection: string): { entity: Raw; id: string; etag: string } {
  const entity = obj(raw);
  const id = text(entity.id);
  if (!id) throw new ApiError('FS_API_RESPONSE', `${collection}: an entity in the answer has no id`, { status: 200, entity: collection });
  const etag = text(entity.etag) || text(entity.version);
  if (!etag) throw new ApiError('FS_API_RESPONSE', `${collection}/${id}: the entity has no etag`, { status: 200, entity: `${collection}/${id}` });
  return { entity, id, etag };
}

function epochMs(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

export function parseLastWrite(entity: Raw): LastWrite {
  const updatedAt = epochMs(entity.updatedAt) || epochMs(entity.createdAt);
  // Pooled (src/domain/intern.ts), as are the spec ids, states and shared connection ids below: a few
  // values repeated on every entity of an org.
  const updatedBy = intern(text(entity.updatedBy) || text(entity.createdBy));
  const client = intern(text(entity.updatedClient) || text(entity.createdClient));
  return { updatedAt, updatedBy, ...(client ? { updatedClient: client } : {}) };
}

export function parseBaseConnection(raw: unknown, sandbox: string): LiveBaseConnection {
  const { entity, id, etag } = identity(raw, 'connections');
  const auth = obj(entity.auth);
  const specName = text(auth.specName);
  return {
    id,
    etag,
    sandbox,
    name: text(entity.name),
    description: text(entity.description),
    specId: intern(text(obj(entity.connectionSpec).id)),
    ...(specName ? { authSpecName: specName } : {}),
    authParams: { ...obj(auth.params) },
    state: text(entity.state),
    lastWrite: parseLastWrite(entity),
    createdAt: epochMs(entity.createdAt),
  };
}

function baseConnectionIdOf(entity: Raw): string {
  return text(entity.baseConnectionId) || text(many(obj(entity.inheritedAttributes).baseConnection)[0]?.id);
}

/** What source and target connections share: identity, names, spec, base connection, state. */
function connectionFields(raw: unknown, sandbox: string, collection: 'sourceConnections' | 'targetConnections'): { entity: Raw; fields: LiveSourceConnection } {
  const { entity, id, etag } = identity(raw, collection);
  return {
    entity,
    fields: {
      id,
      etag,
      sandbox,
      name: text(entity.name),
      description: text(entity.description),
      specId: intern(text(obj(entity.connectionSpec).id)),
      baseConnectionId: intern(baseConnectionIdOf(entity)),
      state: intern(text(entity.state)),
      lastWrite: parseLastWrite(entity),
      createdAt: epochMs(entity.createdAt),
    },
  };
}

export function parseSourceConnection(raw: unknown, sandbox: string): LiveSourceConnection {
  return connectionFields(raw, sandbox, 'sourceConnections').fields;
}

export function parseTargetConnection(raw: unknown, sandbox: string): LiveTargetConnection {
  const { entity, fields: f } = connectionFields(raw, sandbox, 'targetConnections');
  // Written out, not spread: a literal that starts with a spread gets a hidden class of its own in V8 (one per target connection).
  return {
    id: f.id, etag: f.etag, sandbox: f.sandbox, name: f.name, description: f.description, specId: f.specId, baseConnectionId: f.baseConnectionId,
    state: f.state, lastWrite: f.lastWrite, createdAt: f.createdAt, format: intern(text(obj(entity.data).format)), params: { ...obj(entity.params) },
  };
}

/** transformations[0].params: the selectors' indexes are positions in these arrays (what PATCH paths address). */
function selectorParams(entity: Raw): Raw {
  const transformations = Array.isArray(entity.transformations) ? entity.transformations : [];
  return obj(obj(transformations[0]).params);
}

export function parseSegmentSelectors(entity: Raw): LiveSegmentSelector[] {
  const selectors = obj(selectorParams(entity).segmentSelectors).selectors;
  if (!Array.isArray(selectors)) return [];
  return selectors.map((s, index) => {
    const value = obj(obj(s).value);
    const name = text(value.name);
    // Only id and name matter; server-added keys (createTime, updateTime, …) are ignored.
    const id = intern(text(value.id).toLowerCase());
    return name ? { index, id, name } : { index, id };
  });
}

export function parseAttributeSelectors(entity: Raw): LiveAttributeSelector[] {
  const selectors = obj(selectorParams(entity).profileSelectors).selectors;
  if (!Array.isArray(selectors)) return [];
  return selectors.map((s, index) => {
    const value = obj(obj(s).value);
    // JSON_PATH selectors carry `path`; batch-style mappings carry `sourceAttribute`/`source`.
    return { index, path: intern(text(value.path) || text(value.sourceAttribute) || text(value.source)) };
  });
}

export function parseFlow(raw: unknown, sandbox: string): LiveFlow {
  const { entity, id, etag } = identity(raw, 'flows');
  const inherited = obj(entity.inheritedAttributes);
  const sourceIds = strings(entity.sourceConnectionIds);
  const targetIds = strings(entity.targetConnectionIds);
  return {
    id,
    etag,
    sandbox,
    name: text(entity.name),
    description: text(entity.description),
    flowSpecId: intern(text(obj(entity.flowSpec).id)),
    state: intern(text(entity.state)),
    sourceConnectionIds: (sourceIds.length ? sourceIds : many(inherited.sourceConnections).map((c) => text(c.id)).filter(Boolean)).map(intern),
    targetConnectionIds: targetIds.length ? targetIds : many(inherited.targetConnections).map((c) => text(c.id)).filter(Boolean),
    segments: parseSegmentSelectors(entity),
    profileAttributes: parseAttributeSelectors(entity),
    lastWrite: parseLastWrite(entity),
    createdAt: epochMs(entity.createdAt),
  };
}

/** Whether a flow is a destination dataflow (the list filter asks for these; this double-checks). */
export function isDestinationFlow(raw: unknown): boolean {
  const props = many(obj(obj(raw).inheritedAttributes).properties)[0];
  const flag = props?.isDestinationFlow;
  return flag === undefined || flag === true || flag === 'true';
}
