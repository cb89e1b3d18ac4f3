// Digests stored in ownership tags. Both are one-way; the credential one is salted and slow so a
// short secret cannot be recovered by trying candidates quickly.
import { createHash, pbkdf2Sync } from 'node:crypto';

/** Canonical JSON: object keys sorted, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  // The planner hashes every entity each cycle; a direct walk is several times faster than the
  // replacer below and gives the same text for plain data (anything else takes the replacer).
  try {
    return plainJson(value) as string;
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

function plainJson(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object': {
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
        const items: string[] = [];
        for (let i = 0; i < v.length; i++) items.push(plainJson(v[i]) ?? 'null'); // holes too, as JSON does
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(v);
      if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
      const parts: string[] = [];
      for (const k of Object.keys(v).sort(byKeyOrder)) {
        const s = plainJson((v as Record<string, unknown>)[k]);
        if (s !== undefined) parts.push(`${JSON.stringify(k)}:${s}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw NOT_PLAIN;
  }
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
