// The org's sandboxes through the Sandbox Management API (`GET /data/foundation/sandbox-management/
// sandboxes`), walking limit/offset pages. Listing needs sandbox-administration rights: a 403 (or a
// 404 where the API is not offered) becomes SandboxListError, which callers treat as "cannot list".
import { ApiError, isApiError } from './errors.ts';
import { platformApiBase } from './options.ts';

export const SANDBOX_API_PATH = '/data/foundation/sandbox-management';
const PAGE = 100;
const MAX_PAGES = 1_000;

/** The sandbox list is not available to this client (no sandbox-admin permission, or no such API). */
export class SandboxListError extends ApiError {
  readonly reason: 'forbidden' | 'not-found';
  constructor(cause: ApiError) {
    const reason = cause.status === 404 ? 'not-found' : 'forbidden';
    super(cause.code, `cannot list the org's sandboxes: ${cause.message}`, {
      status: cause.status,
      entity: 'sandboxes',
      ...(cause.adobeCode ? { adobeCode: cause.adobeCode } : {}),
      ...(cause.requestId ? { requestId: cause.requestId } : {}),
    }, { hint: 'Listing sandboxes needs sandbox administration rights on the API project; without them only the sandboxes the config names are read.' });
    this.name = 'SandboxListError';
    this.reason = reason;
  }
}

export function isSandboxListUnavailable(err: unknown): err is SandboxListError {
  return err instanceof SandboxListError;
}

/** The Sandbox Management base URL next to a Flow Service base URL. */
export function sandboxApiBase(flowServiceBase: string): string {
  return platformApiBase(flowServiceBase, SANDBOX_API_PATH);
}

/**
 * Every sandbox name, page by page. The real API's `_links.next` is a URI template
 * (`?limit={limit}&offset={offset}`), so the walk counts offsets itself and stops at a short page
 * or when there is no next link.
 */
export async function walkSandboxes(get: (url: string) => Promise<unknown>, base: string): Promise<string[]> {
  const names: string[] = [];
  for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
    const url = `${base}/sandboxes?limit=${PAGE}&offset=${offset}`;
    let body: unknown;
    try {
      body = await get(url);
    } catch (err) {
      if (isApiError(err) && err.code !== 'FS_API_ENTITLEMENT' && (err.status === 403 || err.status === 404)) throw new SandboxListError(err);
      throw err;
    }
    const b = (body ?? {}) as { sandboxes?: unknown; _links?: { next?: unknown } };
    if (!Array.isArray(b.sandboxes)) throw new ApiError('FS_API_RESPONSE', 'GET sandboxes: the answer has no sandboxes list', { status: 200, entity: 'sandboxes' });
    for (const s of b.sandboxes) {
      const name = (s as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && name !== '') names.push(name);
    }
    if (b.sandboxes.length < PAGE || !b._links?.next) return [...new Set(names)];
    offset += b.sandboxes.length;
  }
  throw new ApiError('FS_API_RESPONSE', `GET sandboxes: more than ${MAX_PAGES} pages`, { status: 200, entity: 'sandboxes' });
}
