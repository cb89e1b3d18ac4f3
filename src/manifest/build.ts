// Valid manifests -> the normalized desired-state model (defaults applied, sets sorted), with
// auth references resolved: printable params into the model, secret ones into Secrets only.
import type { Diagnostic } from '../domain/diagnostics.ts';
import { createHash } from 'node:crypto';
import { canonicalJson, credentialFingerprint } from '../domain/fingerprint.ts';
import { intern, ownCopy } from '../domain/intern.ts';
import type { DesiredAccount, DesiredDestination, DesiredSegment, HealthSpec, SegmentRef, TargetParams } from '../domain/model.ts';
import { DESTINATION_TYPE_SPECS } from '../domain/specs.ts';
import { where } from './checks.ts';
import { diag } from './diag.ts';
import type { AccountManifest, DestinationManifest } from './documents.ts';
import { tryResolveRef, type RefContext } from './secrets.ts';
import { rememberSecret } from '../domain/redact.ts';
import type { ParsedDoc } from './types.ts';

const byCodepoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// The credential fingerprint is deliberately slow (PBKDF2, ~10 ms). The daemon reloads the repo every
// cycle, so results are kept in memory keyed by a fast digest of the same input (never printed, never
// stored), bounded to the most recent entries.
const FINGERPRINT_CACHE_MAX = 20_000;
const fingerprintCache = new Map<string, string>();

function cachedFingerprint(params: Record<string, string>, salt: { sandbox: string; account: string }): string {
  const key = createHash('sha256').update(canonicalJson({ params, salt })).digest('base64');
  const hit = fingerprintCache.get(key);
  if (hit !== undefined) return hit;
  const value = credentialFingerprint(params, salt);
  if (fingerprintCache.size >= FINGERPRINT_CACHE_MAX) fingerprintCache.delete(fingerprintCache.keys().next().value!);
  fingerprintCache.set(key, value);
  return value;
}

export interface BuiltAccount {
  account: DesiredAccount;
  secretValues: Record<string, string> | undefined; // undefined when not all secrets resolved
}

export async function buildAccount(m: AccountManifest, ctx: RefContext, resolveSecrets: boolean): Promise<{ built: BuiltAccount; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const spec = DESTINATION_TYPE_SPECS[m.spec.type];
  const authParams: Record<string, string> = {};
  const secretValues: Record<string, string> = {};
  let complete = resolveSecrets;
  for (const param of spec.authParams) {
    const value = m.spec.auth[param];
    if (value === undefined) continue; // the schema requires every param; nothing to resolve
    const isSecret = spec.secretParams.includes(param);
    if (typeof value === 'string') {
      authParams[param] = ownCopy(value);
      continue;
    }
    // Printable params (accessKeyId, region, …) are read even with resolveSecrets false: the model needs them.
    const read = resolveSecrets || !isSecret;
    const res = await tryResolveRef(value, ctx, read);
    if (!res.ok) {
      complete = false;
      const severity = res.code === 'FS_SECRET_UNRESOLVED' && !resolveSecrets ? 'warning' : 'error';
      diagnostics.push(diag(severity, res.code, `spec.auth.${param}: ${res.reason}`, res.hint, where(m, ['spec', 'auth', param])));
      continue;
    }
    if (isSecret) {
      if (resolveSecrets) {
        secretValues[param] = res.value;
        rememberSecret(res.value);
      }
    } else authParams[param] = res.value;
  }
  const secretParams = [...spec.secretParams].sort(byCodepoint);
  // The model's strings are copies (src/domain/intern.ts): a slice of the manifest text would keep the whole file alive.
  const account: DesiredAccount = {
    name: intern(m.name),
    sandbox: intern(m.sandbox),
    type: intern(m.spec.type) as DesiredAccount['type'],
    description: ownCopy(m.spec.description ?? ''),
    authParams,
    secretParams,
    credentialFingerprint: complete ? cachedFingerprint({ ...authParams, ...secretValues }, { sandbox: m.sandbox, account: m.name }) : '',
    source: { file: m.doc.file, line: m.doc.start.line, column: m.doc.start.column },
  };
  return { built: { account, secretValues: complete ? secretValues : undefined }, diagnostics };
}

export function buildDestination(m: DestinationManifest, account: AccountManifest): DesiredDestination {
  const target: TargetParams = {};
  for (const [k, v] of Object.entries(m.spec.target)) target[k] = typeof v === 'string' ? ownCopy(v) : v;
  if (account.spec.type === 'amazon-kinesis' && target.region === undefined && typeof account.spec.auth.region === 'string') {
    target.region = intern(account.spec.auth.region);
  }
  const segments = new Map<string, DesiredSegment>();
  const refs: SegmentRef[] = [];
  for (const [i, s] of (m.spec.segments ?? []).entries()) {
    const id = s.id === undefined ? undefined : intern(s.id.toLowerCase());
    const at = new LazyPosition(m.doc.file, i, m.doc.locate);
    const name = s.name === undefined ? undefined : ownCopy(s.name);
    refs.push(segmentRef(id, name, at));
    if (id !== undefined && !segments.has(id)) segments.set(id, name === undefined ? { id } : { id, name });
  }
  // The model's strings are copies (src/domain/intern.ts): a slice of the manifest text would keep the whole file alive.
  return {
    name: ownCopy(m.name),
    sandbox: intern(m.sandbox),
    account: intern(m.spec.account),
    type: intern(account.spec.type) as DesiredDestination['type'],
    description: ownCopy(m.spec.description ?? ''),
    target: Object.fromEntries(Object.entries(target).sort(([a], [b]) => byCodepoint(a, b))),
    format: m.spec.format ?? 'json',
    enabled: m.spec.enabled ?? true,
    drift: intern(m.spec.drift ?? 'heal') as DesiredDestination['drift'],
    ...(m.spec.health ? { health: healthOf(m.spec.health) } : {}),
    segments: [...segments.values()].sort((a, b) => byCodepoint(a.id, b.id)),
    ...(refs.length > 0 ? { segmentRefs: refs } : {}),
    profileAttributes: [...new Set(m.spec.profileAttributes ?? [])].sort(byCodepoint).map(intern),
    source: { file: m.doc.file, line: m.doc.start.line, column: m.doc.start.column },
  };
}

function healthOf(h: HealthSpec): HealthSpec {
  const out: HealthSpec = { ...h };
  if (h.lateAfter !== undefined) out.lateAfter = intern(h.lateAfter);
  if (h.window !== undefined) out.window = intern(h.window);
  return out;
}

/**
 * One literal per shape: an object literal that starts with a spread gets a hidden class of its own
 * in V8, and 200,000 of them (one per segment entry at 10,000 destinations) took 40 MB of heap.
 */
function segmentRef(id: string | undefined, name: string | undefined, at: SegmentRef['at']): SegmentRef {
  if (id === undefined) return name === undefined ? { at } : { name, at };
  return name === undefined ? { id, at } : { id, name, at };
}

/**
 * Where a field is, found only when a diagnostic reads it: exact positions come from the slow YAML
 * parser, and asking for each of 200,000 segment entries made loading 10,000 destinations parse
 * every document twice. A class, so that 200,000 of them share their getters and hold only an
 * index; it keeps the document's locator (its file's text), not the document's value.
 */
type FieldAt = SegmentRef['at'];

class LazyPosition implements FieldAt {
  // Private (#) so that comparing two loads' models compares what they say, not their locators.
  #pos: { line: number; column: number } | undefined;
  readonly #index: number;
  readonly #locate: ParsedDoc['locate'];

  constructor(
    readonly file: string,
    index: number,
    locate: ParsedDoc['locate'],
  ) {
    this.#index = index;
    this.#locate = locate;
  }

  get path(): string {
    return `spec.segments[${this.#index}]`;
  }

  get line(): number {
    return this.#find().line;
  }

  get column(): number {
    return this.#find().column;
  }

  #find(): { line: number; column: number } {
    return (this.#pos ??= this.#locate(['spec', 'segments', this.#index]));
  }

  toJSON(): FieldAt {
    return { file: this.file, line: this.line, column: this.column, path: this.path };
  }
}

export function byEntityKey<T extends { sandbox: string; name: string }>(a: T, b: T): number {
  return byCodepoint(a.sandbox, b.sandbox) || byCodepoint(a.name, b.name);
}
