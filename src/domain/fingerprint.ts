// Digests stored in ownership tags. Both are one-way; the credential one is salted and slow so a
// short secret cannot be recovered by trying candidates quickly.
import { createHash, pbkdf2Sync } from 'node:crypto';

/** Canonical JSON: object keys sorted, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
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
