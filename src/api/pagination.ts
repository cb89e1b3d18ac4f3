// Where the next page of a list is. Flow Service answers `_links.next.href` (relative to the
// Flow Service base in the docs, absolute or host-relative elsewhere) or a bare continuation
// token; this resolves every form against our own base and never leaves our origin, so the
// Authorization header only ever goes to the configured endpoint.

/** The URL of the next page, or undefined on the last page. */
export function nextPageUrl(body: unknown, base: string, firstUrl: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const links = (b._links ?? {}) as Record<string, unknown>;
  const next = links.next as unknown;
  const href = typeof next === 'string' ? next : next && typeof next === 'object' ? (next as Record<string, unknown>).href : undefined;
  if (typeof href === 'string' && href.trim() !== '') return withFirstParams(resolveHref(href.trim(), base, firstUrl), firstUrl);
  const page = (b._page ?? {}) as Record<string, unknown>;
  const token = b.continuationToken ?? page.continuationToken ?? page.next;
  if (typeof token === 'string' && token !== '') {
    const url = new URL(firstUrl);
    url.searchParams.set('continuationToken', token);
    return url.toString();
  }
  return undefined;
}

function resolveHref(href: string, base: string, firstUrl: string): URL {
  const baseUrl = new URL(base);
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) {
    const abs = new URL(href);
    url = new URL(`${abs.pathname}${abs.search}`, baseUrl.origin); // same path, our origin
  } else if (href.startsWith('?')) {
    url = new URL(href, firstUrl); // only a new query: same collection
  } else if (href.startsWith('/')) {
    url = href.startsWith(`${basePath}/`) || href === basePath ? new URL(href, baseUrl.origin) : new URL(`${basePath}${href}`, baseUrl.origin);
  } else {
    url = new URL(`${basePath}/${href}`, baseUrl.origin);
  }
  return url;
}

/** Keeps our filters and page size when the server's next link leaves them out. */
function withFirstParams(next: URL, firstUrl: string): string {
  const first = new URL(firstUrl);
  for (const key of new Set(first.searchParams.keys())) {
    if (next.searchParams.has(key)) continue;
    for (const value of first.searchParams.getAll(key)) next.searchParams.append(key, value);
  }
  return next.toString();
}
