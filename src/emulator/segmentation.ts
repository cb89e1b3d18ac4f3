// The Segmentation Service under its real base path /data/core/ups, as Adobe's guides and OpenAPI file
// (segmentation.yaml) show it: `/audiences` (every origin: `children` + `_page` + `_links`, `start`/`limit`
// paging, `name`/`description` contain-filters, `property=attr==value`, `sort`) and `/segment/definitions`
// (PQL segment definitions only: `segments` + `page` + `link`, `limit`/`page`/`start` paging, no name
// filter documented). Both are views of one store per org and sandbox (audiences.ts).
import { ApiError } from './api-error.ts';
import type { Audience, Audiences } from './audiences.ts';
import { isRecord, sandboxId } from './entity-common.ts';
import type { ServiceResponse } from './flow-service.ts';

export const SEGMENTATION_PATH = '/data/core/ups';
const DEFAULT_AUDIENCE_LIMIT = 20;
const DEFAULT_DEFINITION_LIMIT = 100;
const MAX_LIMIT = 100;

export interface SegmentationRequest {
  method: string;
  path: string; // under SEGMENTATION_PATH, e.g. /audiences
  query: URLSearchParams;
  body: unknown;
}

export interface SegmentationContext {
  audiences: Audiences;
  org: string;
  sandbox: string;
  user: string;
  now: number;
  /** True when a flow of this sandbox activates the audience (it cannot be deleted then). */
  activated: (id: string) => boolean;
}

/** The Segmentation Service's error shape: `{errors: {"<status>": [{code, message}]}, type: …/UPAPI-<n>-<status>, title, status}`. */
export function upsError(status: number, code: string, message: string, details: string[] = []): ApiError {
  return new ApiError(status, {
    errors: { [String(status)]: [message, ...details].map((m) => ({ code: status, message: m })) },
    type: `https://ns.adobe.com/aep/errors/${code}-${status}`,
    title: message,
    status,
  });
}

/** segmentation.yaml, "Audience not found": UPAPI-113430-404. */
function audienceNotFound(id: string): ApiError {
  return upsError(404, 'UPAPI-113430', `The audience entity ${id} is not found. Use a valid entity and try again.`);
}

/** segmentation.yaml, "Validation error (Name is a mandatory field)": a 400 whose type says UPLIB-101206-500. */
function extractionError(details: string[]): ApiError {
  const err = upsError(400, 'UPLIB-101206', 'There is a problem extracting the user JSON, field(s) missing or invalid.  Correct and try again.', details);
  return new ApiError(400, { ...err.body, type: 'https://ns.adobe.com/aep/errors/UPLIB-101206-500' });
}

function count(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw upsError(400, 'UPAPI-113400', `Query parameter ${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

function sandboxOf(ctx: Pick<SegmentationContext, 'org' | 'sandbox'>) {
  const prod = ctx.sandbox === 'prod';
  return { sandboxId: sandboxId(ctx.org, ctx.sandbox), sandboxName: ctx.sandbox, type: prod ? 'production' : 'development', default: prod };
}

const etagOf = (a: Audience) => `"${a.seq.toString(16).padStart(8, '0')}-0000-0200-0000-${Math.floor(a.updatedAt / 1000).toString(16).padStart(8, '0')}0000"`;

const EVALUATION = { batch: { enabled: true }, continuous: { enabled: false }, synchronous: { enabled: false } };

/** An audience as `/audiences` shows it. */
export function audienceView(a: Audience, ctx: Pick<SegmentationContext, 'org' | 'sandbox'>): Record<string, unknown> {
  const platform = a.type === 'SegmentDefinition';
  return {
    id: a.id,
    audienceId: a.id,
    schema: { name: a.schemaName },
    imsOrgId: ctx.org,
    sandbox: sandboxOf(ctx),
    name: a.name,
    description: a.description,
    ...(platform ? { expression: { ...a.expression }, evaluationInfo: EVALUATION, dataGovernancePolicy: { excludeOptOut: true }, profileInstanceId: 'ups', dependents: [], dependencies: [] } : {}),
    isSystem: false,
    type: a.type,
    originName: a.originName,
    namespace: a.namespace,
    lifecycleState: a.lifecycleState,
    createdBy: a.createdBy,
    labels: [],
    creationTime: a.createdAt,
    createEpoch: Math.floor(a.createdAt / 1000),
    updateTime: a.updatedAt,
    updateEpoch: Math.floor(a.updatedAt / 1000),
    _etag: etagOf(a),
  };
}

/** A segment definition as `/segment/definitions` shows it. */
function definitionView(a: Audience, ctx: SegmentationContext): Record<string, unknown> {
  return {
    id: a.id,
    schema: { name: a.schemaName },
    profileInstanceId: 'ups',
    imsOrgId: ctx.org,
    sandbox: sandboxOf(ctx),
    name: a.name,
    description: a.description,
    expression: { ...a.expression },
    evaluationInfo: EVALUATION,
    dataGovernancePolicy: { excludeOptOut: true },
    creationTime: a.createdAt,
    updateEpoch: Math.floor(a.updatedAt / 1000),
    updateTime: a.updatedAt,
  };
}

const SORTABLE: Readonly<Record<string, (a: Audience) => string | number>> = {
  name: (a) => a.name.toLowerCase(),
  creationTime: (a) => a.createdAt,
  createEpoch: (a) => a.createdAt,
  updateTime: (a) => a.updatedAt,
  updateEpoch: (a) => a.updatedAt,
};

/** `sort=attr:asc|desc` (default: newest first, as the guides' "the last two audiences created"). */
function sorted(list: Audience[], sort: string | null): Audience[] {
  const [field = 'creationTime', dir = 'desc'] = (sort ?? 'creationTime:desc').split(':');
  const key = SORTABLE[field];
  if (!key || (dir !== 'asc' && dir !== 'desc')) throw upsError(400, 'UPAPI-113400', `Cannot sort by "${sort ?? ''}"; use <${Object.keys(SORTABLE).join('|')}>:<asc|desc>`);
  const sign = dir === 'asc' ? 1 : -1;
  return [...list].sort((x, y) => {
    const a = key(x);
    const b = key(y);
    return sign * (a < b ? -1 : a > b ? 1 : x.seq - y.seq);
  });
}

const PROPERTIES: Readonly<Record<string, (a: Audience) => string>> = {
  id: (a) => a.id,
  audienceId: (a) => a.id,
  name: (a) => a.name,
  type: (a) => a.type,
  originName: (a) => a.originName,
  namespace: (a) => a.namespace,
  lifecycleState: (a) => a.lifecycleState,
};

/** `property=attr==value` filters (exact match; several `property` params all apply). */
function propertyFilters(query: URLSearchParams): { test: (a: Audience) => boolean; byAudienceId: boolean } {
  const tests = query.getAll('property').map((p) => {
    const m = /^([A-Za-z]+)==(.*)$/.exec(p);
    const get = m ? PROPERTIES[m[1] as string] : undefined;
    if (!m || !get) throw upsError(400, 'UPAPI-113400', `Unsupported property filter "${p}"; use property=<${Object.keys(PROPERTIES).join('|')}>==<value>`);
    return { field: m[1] as string, test: (a: Audience) => get(a) === m[2] };
  });
  return { test: (a) => tests.every((t) => t.test(a)), byAudienceId: tests.some((t) => t.field === 'audienceId') };
}

const contains = (hay: string, needle: string | null) => needle === null || hay.toLowerCase().includes(needle.toLowerCase());

function listAudiences(query: URLSearchParams, ctx: SegmentationContext): ServiceResponse {
  const start = count(query, 'start') ?? 0;
  const limit = Math.min(MAX_LIMIT, Math.max(1, count(query, 'limit') ?? DEFAULT_AUDIENCE_LIMIT));
  const props = propertyFilters(query);
  const name = query.get('name');
  const description = query.get('description');
  const entityType = query.get('entityType');
  // the guide: inactive audiences are left out, unless asked for by property=audienceId
  const matching = ctx.audiences.list(ctx.org, ctx.sandbox).filter((a) =>
    (props.byAudienceId || a.lifecycleState !== 'inactive') && props.test(a) && contains(a.name, name) && contains(a.description, description) &&
    (entityType === null || a.schemaName === entityType));
  const all = sorted(matching, query.get('sort'));
  const page = all.slice(start, start + limit);
  const next = start + limit < all.length ? start + limit : undefined;
  const links: Record<string, unknown> = {};
  if (next !== undefined) {
    const q = new URLSearchParams(query);
    q.set('start', String(next));
    q.set('limit', String(limit));
    q.set('totalCount', String(all.length));
    links.next = { href: `@/audiences?${q.toString()}` };
  }
  return {
    status: 200,
    body: {
      children: page.map((a) => audienceView(a, ctx)),
      _page: { totalCount: all.length, pageSize: page.length, ...(next !== undefined ? { next: String(next) } : {}) },
      _links: links,
    },
  };
}

function listDefinitions(query: URLSearchParams, ctx: SegmentationContext): ServiceResponse {
  const limit = Math.min(MAX_LIMIT, Math.max(1, count(query, 'limit') ?? DEFAULT_DEFINITION_LIMIT));
  const pageNo = count(query, 'page');
  const start = count(query, 'start') ?? (pageNo ?? 0) * limit;
  const sort = query.get('sort') ?? 'creationTime:desc';
  const all = sorted(ctx.audiences.list(ctx.org, ctx.sandbox).filter((a) => a.type === 'SegmentDefinition'), sort);
  const page = all.slice(start, start + limit);
  const [sortField, dir] = sort.split(':');
  const link: Record<string, unknown> = {};
  if (start + limit < all.length) link.next = `/segment/definitions?start=${start + limit}&limit=${limit}`;
  return {
    status: 200,
    body: {
      segments: page.map((a) => definitionView(a, ctx)),
      page: { totalCount: all.length, totalPages: Math.ceil(all.length / limit), sortField, sort: dir, pageSize: page.length, limit },
      link,
    },
  };
}

/** POST /segment/definitions: name, expression {type PQL, format pql/text|pql/json, value} and schema {name|id} are required. */
function createDefinition(body: unknown, ctx: SegmentationContext): ServiceResponse {
  if (!isRecord(body)) throw extractionError(['The request body must be a JSON object']);
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  const problems: string[] = [];
  const name = text(body.name)?.trim();
  if (!name) problems.push('No usable value for name\nDid not find value which can be converted into java.lang.String');
  const e = isRecord(body.expression) ? body.expression : undefined;
  if (!e) problems.push('No usable value for expression');
  else {
    if (e.type !== 'PQL') problems.push(`expression.type must be "PQL" (got ${JSON.stringify(e.type)})`);
    if (e.format !== 'pql/text' && e.format !== 'pql/json') problems.push(`expression.format must be "pql/text" or "pql/json" (got ${JSON.stringify(e.format)})`);
    if (!text(e.value)) problems.push('No usable value for expression.value');
  }
  const schema = isRecord(body.schema) ? body.schema : undefined;
  if (!schema || !(text(schema.name) || text(schema.id))) problems.push('No usable value for schema (give schema.name, e.g. "_xdm.context.profile", or schema.id)');
  if (body.description !== undefined && typeof body.description !== 'string') problems.push('description must be a string');
  if (problems.length > 0 || !name || !e || !schema) throw extractionError(problems);
  // segmentation.yaml: "name: … This value must be unique"; 422 "The segment definition already exists"
  if (ctx.audiences.list(ctx.org, ctx.sandbox).some((a) => a.type === 'SegmentDefinition' && a.name === name)) {
    throw upsError(422, 'UPAPI-113434', `There is a problem in audience validation. A segment definition named "${name}" already exists in sandbox ${ctx.sandbox}`);
  }
  const created = ctx.audiences.create(ctx.org, ctx.sandbox, {
    name,
    description: typeof body.description === 'string' ? body.description : '',
    type: 'SegmentDefinition',
    originName: 'REAL_TIME_CUSTOMER_PROFILE',
    namespace: 'AEPSegments',
    lifecycleState: 'published',
    expression: { type: 'PQL', format: String(e.format), value: String(e.value) },
    schemaName: text(schema.name) ?? '_xdm.context.profile',
    createdBy: ctx.user,
  }, ctx.now);
  return { status: 200, body: definitionView(created, ctx), headers: { 'x-location': `${SEGMENTATION_PATH}/segment/definitions/${created.id}` } };
}

/** DELETE: an audience a destination activates cannot be deleted (the guide's note; UPAPI-113631 in segmentation.yaml). */
function remove(id: string, ctx: SegmentationContext, only?: Audience['type']): void {
  const a = ctx.audiences.get(ctx.org, ctx.sandbox, id);
  if (!a || (only && a.type !== only)) throw audienceNotFound(id);
  if (ctx.activated(id)) throw upsError(400, 'UPAPI-113631', 'The audience cannot be deleted.', [`Audience ${id} is activated to a destination in sandbox ${ctx.sandbox}; remove it from the dataflow first`]);
  ctx.audiences.remove(ctx.org, ctx.sandbox, id);
}

function unsupported(req: SegmentationRequest): ApiError {
  return upsError(405, 'UPAPI-113405', `${req.method} ${SEGMENTATION_PATH}${req.path} is not supported by the emulator`);
}

export function handleSegmentation(req: SegmentationRequest, ctx: SegmentationContext): ServiceResponse {
  const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'audiences' && parts.length <= 2) {
    const id = parts[1];
    if (id === undefined) {
      if (req.method === 'GET') return listAudiences(req.query, ctx);
      throw unsupported(req);
    }
    if (req.method === 'GET') {
      const a = ctx.audiences.get(ctx.org, ctx.sandbox, id);
      if (!a) throw audienceNotFound(id);
      return { status: 200, body: audienceView(a, ctx) };
    }
    if (req.method === 'DELETE') {
      remove(id, ctx);
      return { status: 204 };
    }
    throw unsupported(req);
  }
  if (parts[0] === 'segment' && parts[1] === 'definitions' && parts.length <= 3) {
    const id = parts[2];
    if (id === undefined) {
      if (req.method === 'GET') return listDefinitions(req.query, ctx);
      if (req.method === 'POST') return createDefinition(req.body, ctx);
      throw unsupported(req);
    }
    if (req.method === 'GET') {
      const a = ctx.audiences.get(ctx.org, ctx.sandbox, id);
      if (!a || a.type !== 'SegmentDefinition') throw audienceNotFound(id);
      return { status: 200, body: definitionView(a, ctx) };
    }
    if (req.method === 'DELETE') {
      remove(id, ctx, 'SegmentDefinition');
      return { status: 200 };
    }
    throw unsupported(req);
  }
  throw upsError(404, 'UPAPI-113404', `No route for ${req.method} ${SEGMENTATION_PATH}${req.path}`);
}
