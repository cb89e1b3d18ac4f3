// Runs a ListQuery over stored records: filter, order, keyset page. One pass to filter, a sort only when
// `orderby` is given (the default order is the store's write order, newest first), so a page of 100 out
// of 10,000 entities costs O(n) plus O(m log m) for the m matches.
import type { Filter, ListQuery, OrderKey, PathStep } from './list-query.ts';
import { nextPageQuery } from './list-query.ts';
import type { StoredRecord } from './store.ts';

/** Every value reached by a path; `[]` steps fan out, and a leaf array is compared element by element. */
export function valuesAt(doc: unknown, path: readonly PathStep[], hidden?: (path: readonly PathStep[]) => boolean): unknown[] {
  if (hidden?.(path)) return [];
  let current: unknown[] = [doc];
  for (const step of path) {
    const next: unknown[] = [];
    for (const v of current) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      const child = (v as Record<string, unknown>)[step.key];
      if (child === undefined) continue;
      if (step.each) {
        if (Array.isArray(child)) next.push(...child);
      } else next.push(child);
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function matches(doc: unknown, f: Filter, hidden?: (path: readonly PathStep[]) => boolean): boolean {
  const vals = valuesAt(doc, f.path, hidden);
  if (f.op === '==') return vals.some((v) => v !== null && typeof v !== 'object' && f.values.includes(String(v)));
  const bound = Number(f.values[0]);
  return vals.some((v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) return false;
    if (f.op === '>') return n > bound;
    if (f.op === '<') return n < bound;
    if (f.op === '>=') return n >= bound;
    return n <= bound;
  });
}

const typeRank = (v: unknown) => (v === undefined || v === null ? 3 : typeof v === 'number' ? 0 : typeof v === 'boolean' ? 1 : 2);

function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 3) return 0;
  if (ra === 0) return (a as number) - (b as number);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Sort key of a record under an ordering: the ordered fields, then the create sequence (unique). */
function sortKey(rec: StoredRecord, orderby: readonly OrderKey[]): unknown[] {
  if (orderby.length === 0) return [rec.seq];
  return [...orderby.map((o) => valuesAt(rec.doc, o.path)[0] ?? null), rec.cseq];
}

function compareKeys(a: readonly unknown[], b: readonly unknown[], orderby: readonly OrderKey[]): number {
  if (orderby.length === 0) return (b[0] as number) - (a[0] as number); // newest write first
  for (let i = 0; i < orderby.length; i++) {
    const va = a[i] ?? null;
    const vb = b[i] ?? null;
    let c = compareValues(va, vb);
    // missing values sort last in both directions
    if (orderby[i]?.desc && typeRank(va) !== 3 && typeRank(vb) !== 3) c = -c;
    if (c !== 0) return c;
  }
  return (a[orderby.length] as number) - (b[orderby.length] as number);
}

export interface ListPage {
  records: StoredRecord[];
  nextQuery: string | undefined;
  total: number;
}

interface Keyed {
  rec: StoredRecord;
  key: unknown[];
}

/** Sorted matches of one (filters, orderby) query, reused while the scope's data version is unchanged. */
export interface ListCache {
  version: number;
  entries: Map<string, Keyed[]>;
}

const CACHE_ENTRIES = 16;

function sortedMatches(records: Iterable<StoredRecord>, q: ListQuery, hidden?: (path: readonly PathStep[]) => boolean): Keyed[] {
  const keyed: Keyed[] = [];
  for (const rec of records) {
    if (q.filters.every((f) => matches(rec.doc, f, hidden))) keyed.push({ rec, key: sortKey(rec, q.orderby) });
  }
  if (q.orderby.length === 0) keyed.reverse();
  else keyed.sort((a, b) => compareKeys(a.key, b.key, q.orderby));
  return keyed;
}

function cachedMatches(records: Iterable<StoredRecord>, q: ListQuery, hidden: ((path: readonly PathStep[]) => boolean) | undefined, cache: ListCache | undefined, version: number): Keyed[] {
  if (!cache) return sortedMatches(records, q, hidden);
  if (cache.version !== version) {
    cache.entries.clear();
    cache.version = version;
  }
  const signature = JSON.stringify([q.filters.map((f) => f.raw), q.rawOrderby ?? '']);
  let keyed = cache.entries.get(signature);
  if (!keyed) {
    keyed = sortedMatches(records, q, hidden);
    if (cache.entries.size >= CACHE_ENTRIES) cache.entries.delete(cache.entries.keys().next().value as string);
    cache.entries.set(signature, keyed);
  }
  return keyed;
}

/** Index of the first entry strictly after `after` (binary search: the list is sorted by the same comparator). */
function firstAfter(keyed: readonly Keyed[], after: readonly unknown[], orderby: readonly OrderKey[]): number {
  let lo = 0;
  let hi = keyed.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys((keyed[mid] as Keyed).key, after, orderby) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function countMatches(records: Iterable<StoredRecord>, q: ListQuery, hidden?: (path: readonly PathStep[]) => boolean, cache?: ListCache, version = 0): number {
  return cachedMatches(records, q, hidden, cache, version).length;
}

/**
 * One page of a list. `records` in write order (oldest first), as the store keeps them. With a cache and
 * the scope's data version, the sorted matches are computed once and later pages cost O(log n + limit).
 */
export function listPage(records: Iterable<StoredRecord>, q: ListQuery, hidden?: (path: readonly PathStep[]) => boolean, cache?: ListCache, version = 0): ListPage {
  const keyed = cachedMatches(records, q, hidden, cache, version);
  const start = q.after ? firstAfter(keyed, q.after, q.orderby) : 0;
  const page = keyed.slice(start, start + q.limit);
  const last = page[page.length - 1];
  const more = start + q.limit < keyed.length && last !== undefined;
  return { records: page.map((k) => k.rec), nextQuery: more ? nextPageQuery(q, last.key) : undefined, total: keyed.length - start };
}
