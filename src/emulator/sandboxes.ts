// The Sandbox Management API's read side, as flowsync uses it to find every sandbox of an org:
// `GET /data/foundation/sandbox-management/sandboxes` (limit/offset paging, `_page`, `_links`) and
// `GET …/sandboxes/{name}`, in the shapes of Adobe's sandbox API guide. The org's sandboxes come
// from its registry (tenants.ts).
import { ApiError } from './api-error.ts';
import type { ServiceResponse } from './flow-service.ts';

export const SANDBOX_API_PATH = '/data/foundation/sandbox-management';
export const DEFAULT_SANDBOXES: readonly string[] = ['prod', 'dev'];
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;
const CREATED = '2019-09-04 04:57:24';

export interface SandboxRequest {
  method: string;
  path: string; // under SANDBOX_API_PATH, e.g. /sandboxes/dev
  query: URLSearchParams;
}

function sandboxError(status: number, title: string): ApiError {
  return new ApiError(status, { type: `http://ns.adobe.com/aep/errors/SMS-${status}`, title, status });
}

function describe(name: string): Record<string, unknown> {
  const prod = name === 'prod';
  return {
    name,
    title: prod ? 'Production' : name,
    state: 'active',
    type: prod ? 'production' : 'development',
    region: 'VA7',
    isDefault: prod,
    eTag: 1,
    createdDate: CREATED,
    lastModifiedDate: CREATED,
    createdBy: 'flowsync-emulator@AdobeID',
    modifiedBy: 'flowsync-emulator@AdobeID',
  };
}

function count(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw sandboxError(400, `${name} must be a non-negative integer`);
  return Number(raw);
}

export function handleSandboxes(req: SandboxRequest, names: readonly string[]): ServiceResponse {
  const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'sandboxes' || parts.length > 2) throw sandboxError(404, `No route for ${req.method} ${SANDBOX_API_PATH}${req.path}`);
  if (req.method !== 'GET') throw sandboxError(405, `${req.method} is not supported by the emulator's Sandbox Management API`);
  const name = parts[1];
  if (name !== undefined) {
    if (!names.includes(name)) throw sandboxError(404, `Sandbox ${name} not found`);
    return { status: 200, body: describe(name) };
  }
  const limit = count(req.query, 'limit');
  const offset = count(req.query, 'offset');
  // the guide: limit and offset go together; neither means limit 50, offset 0
  if ((limit === undefined) !== (offset === undefined)) throw sandboxError(400, 'limit and offset must be given together');
  const size = Math.min(MAX_LIMIT, Math.max(1, limit ?? DEFAULT_LIMIT));
  const start = offset ?? 0;
  const page = names.slice(start, start + size);
  const href = (o: number) => `${SANDBOX_API_PATH}/sandboxes?limit=${size}&offset=${o}`;
  const links: Record<string, unknown> = { page: { href: href(start), templated: false } };
  if (start + size < names.length) links.next = { href: href(start + size), templated: false };
  if (start > 0) links.prev = { href: href(Math.max(0, start - size)), templated: false };
  return { status: 200, body: { sandboxes: page.map(describe), _page: { limit: size, count: page.length }, _links: links } };
}
