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
  const written = m.spec.segments ?? [];
  const refs: SegmentRef[] = new Array<SegmentRef>(written.length);
  const place: DocPlace = { file: m.doc.file, locate: m.doc.locate };
  for (const [i, s] of written.entries()) {
    const id = s.id === undefined ? undefined : intern(s.id.toLowerCase());
    const name = s.name === undefined ? undefined : ownCopy(s.name);
    refs[i] = new SegmentEntry(id, name, i, place);
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

/** Where a document is: its file and its locator (not its value, which the model does not keep). */
interface DocPlace {
  file: string;
  locate: ParsedDoc['locate'];
}

/**
 * A segment entry as written, whose position is found only when a diagnostic reads `at`: exact
 * positions come from the slow YAML parser, and asking for each of 200,000 entries made loading
 * 10,000 destinations parse every document twice. One object per entry, sharing its document's
 * place: a plain reference plus a position object each took 80 bytes, 16 MB of the heap at that size.
 * Private (#) fields, so that comparing two loads' models compares what they say, not their locators.
 */
class SegmentEntry implements SegmentRef {
  declare readonly id?: string;
  declare readonly name?: string;
  readonly #index: number;
  readonly #place: DocPlace;
  #at: SegmentRef['at'] | undefined;

  constructor(id: string | undefined, name: string | undefined, index: number, place: DocPlace) {
    if (id !== undefined) this.id = id;
    if (name !== undefined) this.name = name;
    this.#index = index;
    this.#place = place;
  }

  get at(): SegmentRef['at'] {
    if (!this.#at) {
      const pos = this.#place.locate(['spec', 'segments', this.#index]);
      this.#at = { file: this.#place.file, line: pos.line, column: pos.column, path: `spec.segments[${this.#index}]` };
    }
    return this.#at;
  }

  toJSON(): SegmentRef {
    return { ...(this.id !== undefined ? { id: this.id } : {}), ...(this.name !== undefined ? { name: this.name } : {}), at: this.at };
  }
}

export function byEntityKey<T extends { sandbox: string; name: string }>(a: T, b: T): number {
  return byCodepoint(a.sandbox, b.sandbox) || byCodepoint(a.name, b.name);
}
