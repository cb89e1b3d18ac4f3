// What the emulator's request log says a run sent, and the fewest requests a no-op plan could send.
import type { Collection, RequestLogEntry, StoreSnapshot } from '../../src/emulator/types.ts';

export const PAGE_SIZE = 100; // the Flow Service's largest list page (flow-service-api.md §4)

export interface RequestSummary {
  total: number; // every request the emulator answered or dropped, IMS included
  ims: number; // token requests
  flowService: number;
  reads: number; // GET on the Flow Service
  writes: number; // POST/PATCH/PUT/DELETE on the Flow Service
  throttled: number; // answered 429
  failed: number; // answered >= 500 or dropped
  byRoute: Record<string, number>; // "GET /flows", "PATCH /flows/{id}", ...
}

const ID_RE = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function route(e: RequestLogEntry): string {
  const path = e.path.replace(/^\/data\/foundation\/flowservice/, '').replace(ID_RE, '/{id}');
  return `${e.method} ${path}`;
}

export function isIms(e: RequestLogEntry): boolean {
  return e.path.includes('/ims/');
}

export function summarize(entries: readonly RequestLogEntry[]): RequestSummary {
  const s: RequestSummary = { total: 0, ims: 0, flowService: 0, reads: 0, writes: 0, throttled: 0, failed: 0, byRoute: {} };
  for (const e of entries) {
    // The admin routes (fault knobs, snapshots) are the harness talking, not the client.
    if (e.path.startsWith('/__') || e.path.includes('/admin')) continue;
    s.total++;
    if (e.status === 429) s.throttled++;
    if (e.status === 0 || e.status >= 500) s.failed++;
    const r = route(e);
    s.byRoute[r] = (s.byRoute[r] ?? 0) + 1;
    if (isIms(e)) {
      s.ims++;
      continue;
    }
    s.flowService++;
    if (e.write) s.writes++;
    else s.reads++;
  }
  return s;
}

/** First request in to last answer out, as the emulator saw it: a run's API-bound part, start-up excluded. */
export function apiSpanMs(entries: readonly RequestLogEntry[]): number {
  if (entries.length === 0) return Number.NaN;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const e of entries) {
    first = Math.min(first, e.at);
    last = Math.max(last, e.at + e.durationMs);
  }
  return last - first;
}

export type CollectionCounts = Record<Collection, number>;

/** Live entity counts per sandbox, from the emulator's store. */
export function countsBySandbox(snapshot: StoreSnapshot): Record<string, CollectionCounts> {
  const out: Record<string, CollectionCounts> = {};
  for (const [scope, collections] of Object.entries(snapshot.scopes)) {
    const sandbox = scope.slice(scope.lastIndexOf('/') + 1);
    const c = (out[sandbox] ??= { connections: 0, sourceConnections: 0, targetConnections: 0, flows: 0 });
    for (const name of Object.keys(c) as Collection[]) c[name] += collections[name]?.length ?? 0;
  }
  return out;
}

/**
 * The fewest requests that can read the live state of `sandboxes`: one list walk per collection per
 * sandbox, ceil(n / 100) pages each and at least one, plus the IMS token request(s).
 */
export function minimumListPages(counts: Record<string, CollectionCounts>, sandboxes: readonly string[], tokenRequests = 1): number {
  let pages = tokenRequests;
  for (const sandbox of sandboxes) {
    const c = counts[sandbox] ?? { connections: 0, sourceConnections: 0, targetConnections: 0, flows: 0 };
    for (const n of Object.values(c)) pages += Math.max(1, Math.ceil(n / PAGE_SIZE));
  }
  return pages;
}
