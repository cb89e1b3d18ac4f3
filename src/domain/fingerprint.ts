// Digests stored in ownership tags. Both are one-way; the credential one is salted and slow so a
// short secret cannot be recovered by trying candidates quickly.
import { createHash, pbkdf2Sync } from 'node:crypto';

/** Canonical JSON: object keys sorted, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  // The planner hashes every entity each cycle; putting keys in order first and then one native
  // stringify is several times faster than the replacer below and gives the same text for plain
  // data (anything else takes the replacer).
  try {
    return JSON.stringify(canonical(value));
  } catch (err) {
    if (err !== NOT_PLAIN) throw err;
  }
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

const NOT_PLAIN = new Error('not plain data');
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;
const isIndex = (k: string) => ARRAY_INDEX.test(k) && Number(k) < 4294967295;
/** Object key order after Object.fromEntries of codepoint-sorted entries: array indexes first, ascending. */
const byKeyOrder = (a: string, b: string) => {
  const ia = isIndex(a);
  const ib = isIndex(b);
  if (ia !== ib) return ia ? -1 : 1;
  if (ia) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
};

/** Keys in byKeyOrder; without array-index keys (almost always) that is the default sort, with no comparator calls. */
function sortedKeys(keys: string[]): string[] {
  if (keys.length < 2) return keys;
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && isIndex(k)) return keys.sort(byKeyOrder);
  }
  return keys.sort();
}

/**
 * The value with every object's keys in canonical order, for one native JSON.stringify: the value
 * itself when it already is canonical (no copy), else a copy of the parts that are not. Throws
 * NOT_PLAIN for anything JSON.stringify would read differently (toJSON, class instances, bigint).
 */
function canonical(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') throw NOT_PLAIN;
    return v;
  }
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      const c = canonical(item);
      if (c !== item) (copy ??= v.slice())[i] = c;
    }
    return copy ?? v;
  }
  const proto = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
  const keys = Object.keys(v);
  const sorted = sortedKeys(keys.slice());
  let changed = false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== sorted[i]) changed = true;
  const values = sorted.map((k) => {
    const item = (v as Record<string, unknown>)[k];
    const c = canonical(item);
    if (c !== item) changed = true;
    return c;
  });
  if (!changed) return v;
  // No prototype: a key named __proto__ stays an ordinary key, as in the input.
  const out = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < sorted.length; i++) out[sorted[i]!] = values[i];
  return out;
}

/** 12 hex digits of sha256 over the canonical JSON of a desired spec. */
export function specHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
}

const CREDENTIAL_ITERATIONS = 20_000;

/**
 * 16 hex digits of PBKDF2-SHA256 over every auth param (secrets included), salted with the
 * account's identity. Truncation keeps it a fingerprint, not a verifier with full entropy.
 */
export function credentialFingerprint(params: Record<string, string>, salt: { sandbox: string; account: string }): string {
  const input = canonicalJson(params);
  return pbkdf2Sync(input, `flowsync:${salt.sandbox}/${salt.account}`, CREDENTIAL_ITERATIONS, 8, 'sha256').toString('hex');
}
