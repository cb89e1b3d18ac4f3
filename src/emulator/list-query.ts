// Parsing of list query parameters (property filters, orderby, limit, count, continuationToken) into a
// ListQuery, with the Flow Service's error codes. Pure: no store, no I/O.
import { badRequest } from './api-error.ts';

export type FilterOp = '==' | '>' | '<' | '>=' | '<=';

export interface PathStep {
  key: string;
  each: boolean; // `name[]`: reach into each element of the array
}

export interface Filter {
  raw: string;
  path: PathStep[];
  op: FilterOp;
  values: string[];
}

export interface OrderKey {
  path: PathStep[];
  field: string;
  desc: boolean;
}

export interface ListQuery {
  filters: Filter[];
  orderby: OrderKey[];
  rawOrderby: string | undefined;
  limit: number;
  limitGiven: boolean;
  count: boolean;
  /** Sort key of the last item of the previous page (keyset pagination); undefined on the first page. */
  after: unknown[] | undefined;
}

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 100;
const KNOWN_PARAMS = new Set(['property', 'limit', 'orderby', 'count', 'continuationToken', 'start']);
const FIELD = /^[A-Za-z_$@][A-Za-z0-9_$@-]*(\[\])?(\.[A-Za-z_$@][A-Za-z0-9_$@-]*(\[\])?)*$/;

export function parsePath(field: string): PathStep[] {
  return field.split('.').map((part) => (part.endsWith('[]') ? { key: part.slice(0, -2), each: true } : { key: part, each: false }));
}

export function parseFilter(raw: string, knownFields: ReadonlySet<string>): Filter {
  const m = /^([^=<>~!]*)(==|>=|<=|!=|=|>|<|~)?(.*)$/s.exec(raw);
  const field = m?.[1]?.trim() ?? '';
  const op = m?.[2];
  const rest = m?.[3] ?? '';
  if (!op) throw badRequest('1450', `Unknown operator in property filter "${raw}": use ==, >, <, >= or <=`, { property: raw });
  if (op === '~') throw badRequest('1440', `Operator "~" in property filter "${raw}" is not implemented`, { property: raw });
  if (op === '!=' || op === '=') throw badRequest('1450', `Unknown operator "${op}" in property filter "${raw}"`, { property: raw });
  if (!field || !FIELD.test(field)) throw badRequest('1452', `Invalid property name in filter "${raw}"`, { property: raw });
  const path = parsePath(field);
  if (!knownFields.has(path[0]?.key ?? '')) throw badRequest('1449', `Unknown field "${field}" in property filter "${raw}"`, { property: raw });
  if (rest.trim() === '') throw badRequest('1453', `Empty value in property filter "${raw}"`, { property: raw });
  const values = rest.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw badRequest('1453', `Empty value in the list of property filter "${raw}"`, { property: raw });
  if (op !== '==' && values.length > 1) throw badRequest('1443', `Operator "${op}" takes a single value, got ${values.length} in "${raw}"`, { property: raw });
  if (op !== '==' && !Number.isFinite(Number(values[0]))) throw badRequest('1452', `Operator "${op}" needs a number, got "${values[0]}" in "${raw}"`, { property: raw });
  return { raw, path, op: op as FilterOp, values };
}

export function parseOrderby(raw: string, knownFields: ReadonlySet<string>): OrderKey[] {
  return raw.split(',').map((part) => {
    // a literal '+' arrives as a space when the client did not percent-encode it
    const sign = part.startsWith('-') ? '-' : part.startsWith('+') || part.startsWith(' ') ? '+' : '';
    const field = part.slice(sign ? 1 : 0).trim();
    if (!field || !FIELD.test(field) || field.includes('[]')) throw badRequest('1432', `Invalid orderby "${raw}": use field, +field or -field, comma-separated`, { orderby: raw });
    const path = parsePath(field);
    if (!knownFields.has(path[0]?.key ?? '')) throw badRequest('1433', `Unknown orderby field "${field}"`, { orderby: raw });
    return { path, field, desc: sign === '-' };
  });
}

interface TokenBody {
  p: string[];
  o?: string;
  k: unknown[];
}

export function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function decodeToken(token: string): TokenBody {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenBody;
    if (!Array.isArray(body.p) || !Array.isArray(body.k)) throw new Error('shape');
    return body;
  } catch {
    throw badRequest('1452', 'Invalid continuationToken', { continuationToken: token });
  }
}

/** Parses a list request's query. `knownFields` are the top-level fields that may be filtered or sorted on. */
export function parseListQuery(params: URLSearchParams, knownFields: ReadonlySet<string>): ListQuery {
  for (const name of params.keys()) if (!KNOWN_PARAMS.has(name)) throw badRequest('1451', `Unknown query parameter "${name}"`, { parameter: name });
  const token = params.get('continuationToken');
  const fromToken = token ? decodeToken(token) : undefined;
  const rawFilters = fromToken ? fromToken.p : params.getAll('property');
  const rawOrderby = fromToken ? fromToken.o : (params.get('orderby') ?? undefined);
  const filters = rawFilters.map((f) => parseFilter(f, knownFields));
  const orderby = rawOrderby ? parseOrderby(rawOrderby, knownFields) : [];
  const limitRaw = params.get('limit');
  const countRaw = params.get('count');
  const count = countRaw !== null && countRaw.toLowerCase() === 'true';
  if (count && limitRaw !== null) throw badRequest('1401', 'The parameters "limit" and "count" cannot be used together');
  let limit = DEFAULT_LIMIT;
  if (limitRaw !== null) {
    limit = Number(limitRaw);
    // The spec's limit parameter: `{type: integer, maximum: 100}`, "Must be a positive number". A value
    // over the maximum is refused like any bad value (1452, "bad value" in the error catalogue), not capped.
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest('1452', `Invalid limit "${limitRaw}": a whole number from 1 to ${MAX_LIMIT}`, { limit: limitRaw });
  }
  return { filters, orderby, rawOrderby, limit, limitGiven: limitRaw !== null, count, after: fromToken?.k };
}

/** The query string of the next page: the same filters and ordering plus the continuation token. */
export function nextPageQuery(q: ListQuery, lastKey: unknown[]): string {
  const params = new URLSearchParams();
  for (const f of q.filters) params.append('property', f.raw);
  if (q.rawOrderby) params.set('orderby', q.rawOrderby);
  if (q.limitGiven) params.set('limit', String(q.limit));
  params.set('continuationToken', encodeToken({ p: q.filters.map((f) => f.raw), ...(q.rawOrderby ? { o: q.rawOrderby } : {}), k: lastKey }));
  return params.toString();
}
