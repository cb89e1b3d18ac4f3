// Runs a ListQuery over stored records: filter, order, keyset page. One pass to filter, a sort only when
// `orderby` is given (the default order is the store's write order, newest first), so a page of 100 out
// of 10,000 entities costs O(n) plus O(m log m) for the m matches.
import type { Filter, ListQuery, OrderKey, PathStep } from './list-query.ts';
import { nextPageQuery } from './list-query.ts';
import type { KeyedRecord, ListCache, StoredRecord } from './types.ts';

type Predicate = (doc: unknown) => boolean;

/** Compiles a filter into a predicate that walks the document without allocating (lists scan every entity). */
function compileFilter(f: Filter, hidden?: (path: readonly PathStep[]) => boolean): Predicate {
  if (hidden?.(f.path)) return () => false;
  const wanted = new Set(f.values);
  const bound = Number(f.values[0]);
  const testLeaf = (v: unknown): boolean => {
    if (f.op === '==') return v !== null && typeof v !== 'object' && wanted.has(String(v));
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) return false;
    if (f.op === '>') return n > bound;
    if (f.op === '<') return n < bound;
    if (f.op === '>=') return n >= bound;
    return n <= bound;
  };
  const path = f.path;
  const visit = (v: unknown, i: number): boolean => {
    if (i === path.length) return Array.isArray(v) ? v.some(testLeaf) : testLeaf(v);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const step = path[i] as PathStep;
    const child = (v as Record<string, unknown>)[step.key];
    if (child === undefined) return false;
    if (!step.each) return visit(child, i + 1);
    if (!Array.isArray(child)) return false;
    for (const c of child) if (visit(c, i + 1)) return true;
    return false;
  };
  return (doc) => visit(doc, 0);
}

/** The first value at a dotted path (orderby fields have no `[]`). */
function firstValue(doc: unknown, path: readonly PathStep[]): unknown {
  let v: unknown = doc;
  for (const step of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[step.key];
  }
  return Array.isArray(v) ? v[0] : v;
}

const typeRank = (v: unknown) => (v === undefined || v === null ? 3 : typeof v === 'number' ? 0 : typeof v === 'boolean' ? 1 : 2);

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
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
  const key: unknown[] = orderby.map((o) => firstValue(rec.doc, o.path) ?? null);
  key.push(rec.cseq);
  return key;
}

type KeyComparator = (a: readonly unknown[], b: readonly unknown[]) => number;
const newestFirst: KeyComparator = (a, b) => (b[0] as number) - (a[0] as number);

/** A comparator for sort keys under an ordering, built once per query (sorting 10,000 keys calls it ~130,000 times). */
function comparator(orderby: readonly OrderKey[]): KeyComparator {
  if (orderby.length === 0) return newestFirst;
  const desc = orderby.map((o) => o.desc);
  const n = desc.length;
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const va = a[i] ?? null;
      const vb = b[i] ?? null;
      let c: number;
      if (typeof va === 'string' && typeof vb === 'string') c = va < vb ? -1 : va > vb ? 1 : 0;
      else c = compareValues(va, vb);
      if (c !== 0) return desc[i] && va !== null && vb !== null ? -c : c; // missing values last either way
    }
    return (a[n] as number) - (b[n] as number);
  };
}

export interface ListPage {
  records: StoredRecord[];
  nextQuery: string | undefined;
  total: number;
}

const CACHE_ENTRIES = 16;

function sortedMatches(records: Iterable<StoredRecord>, q: ListQuery, hidden?: (path: readonly PathStep[]) => boolean): KeyedRecord[] {
  const predicates = q.filters.map((f) => compileFilter(f, hidden));
  const keyed: KeyedRecord[] = [];
  outer: for (const rec of records) {
    for (const p of predicates) if (!p(rec.doc)) continue outer;
    keyed.push({ rec, key: sortKey(rec, q.orderby) });
  }
  if (q.orderby.length === 0) keyed.reverse();
  else {
    const cmp = comparator(q.orderby);
    keyed.sort((a, b) => cmp(a.key, b.key));
  }
  return keyed;
}

function cachedMatches(records: Iterable<StoredRecord>, q: ListQuery, hidden: ((path: readonly PathStep[]) => boolean) | undefined, cache: ListCache | undefined, version: number): KeyedRecord[] {
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
function firstAfter(keyed: readonly KeyedRecord[], after: readonly unknown[], orderby: readonly OrderKey[]): number {
  const cmp = comparator(orderby);
  let lo = 0;
  let hi = keyed.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp((keyed[mid] as KeyedRecord).key, after) <= 0) lo = mid + 1;
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
