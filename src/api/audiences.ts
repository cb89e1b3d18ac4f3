// The sandbox's audiences through the Segmentation Service (`GET /data/core/ups/audiences`): every
// origin (segment definitions, uploads, …), walked with Adobe's `start`/`limit` paging. flowsync
// reads /audiences rather than /segment/definitions: destinations activate any audience, and only
// /audiences lists them all. A 403 or 404 becomes AudienceListError ("cannot list"), which callers
// turn into a diagnostic instead of failing the run.
import type { Audience } from '../domain/model.ts';
import { ApiError, isApiError } from './errors.ts';
import { platformApiBase } from './options.ts';

export const SEGMENTATION_API_PATH = '/data/core/ups';
/** The largest page the Segmentation Service serves; fewer requests per walk. */
const PAGE = 100;
const MAX_PAGES = 10_000;

export type { Audience };

export class AudienceListError extends ApiError {
  constructor(cause: ApiError, sandbox: string) {
    super(cause.code, `cannot list the audiences of sandbox ${sandbox}: ${cause.message}`, {
      status: cause.status,
      entity: 'audiences',
      ...(cause.adobeCode ? { adobeCode: cause.adobeCode } : {}),
      ...(cause.requestId ? { requestId: cause.requestId } : {}),
    }, { hint: 'Reading audiences needs the Segmentation Service (Audiences) permission on the API project.' });
    this.name = 'AudienceListError';
  }
}

export function isAudienceListUnavailable(err: unknown): err is AudienceListError {
  return err instanceof AudienceListError;
}

/** The Segmentation Service base URL next to a Flow Service base URL. */
export function segmentationBase(flowServiceBase: string): string {
  return platformApiBase(flowServiceBase, SEGMENTATION_API_PATH);
}

/**
 * Where the next page starts: `_page.next` (Adobe's offset as a string) or the `start` of
 * `_links.next.href` (which Adobe writes as `@/audiences?start=…`, not a URL to follow).
 */
function nextStart(body: AudiencePage, start: number, seen: number): number | undefined {
  const fromPage = body._page?.next;
  if ((typeof fromPage === 'string' && /^\d+$/.test(fromPage)) || typeof fromPage === 'number') return Number(fromPage);
  const href = body._links?.next?.href;
  const fromLink = typeof href === 'string' ? /[?&]start=(\d+)/.exec(href)?.[1] : undefined;
  if (fromLink !== undefined) return Number(fromLink);
  // No readable next page, but the total says more exist: carry on by offset rather than miss some.
  const total = body._page?.totalCount;
  return typeof total === 'number' && seen < total ? start + (body.children?.length ?? 0) : undefined;
}

type AudiencePage = { children?: unknown[]; _page?: { next?: unknown; totalCount?: unknown }; _links?: { next?: { href?: unknown } } };

/** Every audience of the sandbox (id and name), page by page. */
export async function walkAudiences(get: (url: string) => Promise<unknown>, base: string, sandbox: string): Promise<Audience[]> {
  const out: Audience[] = [];
  let start = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    let body: unknown;
    try {
      body = await get(`${base}/audiences?start=${start}&limit=${PAGE}`);
    } catch (err) {
      if (isApiError(err) && err.code !== 'FS_API_ENTITLEMENT' && (err.status === 403 || err.status === 404)) throw new AudienceListError(err, sandbox);
      throw err;
    }
    const b = (body ?? {}) as AudiencePage;
    if (!Array.isArray(b.children)) throw new ApiError('FS_API_RESPONSE', `GET audiences (sandbox ${sandbox}): the answer has no children list`, { status: 200, entity: 'audiences' });
    for (const a of b.children as { id?: unknown; name?: unknown }[]) {
      if (typeof a?.id === 'string' && typeof a.name === 'string') out.push({ id: a.id.toLowerCase(), name: a.name });
    }
    const next = nextStart(b, start, out.length);
    // A next page that does not move forward would loop: the walk ends on it.
    if (next === undefined || next <= start || b.children.length === 0) return out;
    start = next;
  }
  throw new ApiError('FS_API_RESPONSE', `GET audiences (sandbox ${sandbox}): more than ${MAX_PAGES} pages`, { status: 200, entity: 'audiences' });
}
