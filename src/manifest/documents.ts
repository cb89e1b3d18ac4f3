// One parsed YAML document -> a typed manifest of a known kind, or diagnostics saying why not.
import type { Diagnostic } from '../domain/diagnostics.ts';
import type { DestinationType, DriftPolicy, HealthSpec } from '../domain/model.ts';
import { diag } from './diag.ts';
import { didYouMean, schemaDiagnostics } from './schema-diagnostics.ts';
import { schemaErrors, type SchemaName } from './schemas.ts';
import { documentSandboxes, sandboxView } from './sandboxes.ts';
import type { SecretRef } from './secrets.ts';
import type { ParsedDoc } from './types.ts';

export const API_VERSION = 'flowsync/v1';
export const KINDS = { DestinationAccount: 'account', StreamingDestination: 'destination' } as const satisfies Record<string, SchemaName>;
export type Kind = keyof typeof KINDS;

/** Auth values as written: plain text or a reference. */
export type AuthValue = string | SecretRef;

/** What every manifest kind has: the document (as its sandbox sees it), its name and sandbox. */
interface ManifestBase {
  doc: ParsedDoc;
  name: string;
  sandbox: string;
  /** The document lists several sandboxes (metadata.sandboxes): its diagnostics name the sandbox. */
  shared: boolean;
}

export interface AccountManifest extends ManifestBase {
  kind: 'DestinationAccount';
  spec: { type: DestinationType; description?: string; auth: Record<string, AuthValue> };
}

export interface DestinationManifest extends ManifestBase {
  kind: 'StreamingDestination';
  spec: {
    account: string;
    description?: string;
    target: Record<string, string | boolean>;
    format?: 'json';
    enabled?: boolean;
    drift?: DriftPolicy;
    health?: HealthSpec;
    segments?: { id?: string; name?: string }[];
    profileAttributes?: string[];
  };
}

export type Manifest = AccountManifest | DestinationManifest;

/** A document that names itself but failed the schema: its name still counts, to avoid follow-on errors. */
export interface BrokenManifest {
  kind: Kind;
  name: string | undefined;
  sandbox: string;
}

const SCHEMA_CODES = { schema: 'FS_MANIFEST_SCHEMA', apiVersion: 'FS_MANIFEST_API_VERSION', plainSecret: 'FS_SECRET_PLAIN' };

/** A metadata.sandbox / metadata.sandboxes pair is refused below with its own message, not the schema's `not`. */
const isSandboxPairError = (e: { instancePath: string; keyword: string }) => e.instancePath === '/metadata/sandbox' && e.keyword === 'not';

export function classify(doc: ParsedDoc, defaultSandbox: string): { manifests: Manifest[]; broken: BrokenManifest[]; diagnostics: Diagnostic[] } {
  const at = (p: string[], key = false) => ({ file: doc.file, ...doc.locate(p, { key }), path: p.join('.') });
  const value = doc.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      manifests: [],
      broken: [],
      diagnostics: [diag('error', 'FS_MANIFEST_SCHEMA', 'document must be a map with apiVersion, kind, metadata and spec', 'Each YAML document (separated by ---) is one manifest; see README "Manifest format".', { file: doc.file, ...doc.start })],
    };
  }
  const raw = value as Record<string, unknown>;
  const diagnostics: Diagnostic[] = [];
  const none = () => ({ manifests: [], broken: [], diagnostics });
  if (raw.apiVersion === undefined) {
    diagnostics.push(diag('error', 'FS_MANIFEST_API_VERSION', 'apiVersion is required', `Add \`apiVersion: ${API_VERSION}\` at the top of the document.`, at([])));
  } else if (raw.apiVersion !== API_VERSION) {
    diagnostics.push(diag('error', 'FS_MANIFEST_API_VERSION', `apiVersion must be ${API_VERSION}`, `Set \`apiVersion: ${API_VERSION}\`; it is the only manifest version this flowsync reads.`, at(['apiVersion'])));
  }
  const kinds = Object.keys(KINDS);
  if (raw.kind === undefined) {
    diagnostics.push(diag('error', 'FS_MANIFEST_KIND', 'kind is required', `Add \`kind:\` with one of ${kinds.join(', ')}.`, at([])));
    return none();
  }
  if (typeof raw.kind !== 'string' || !(raw.kind in KINDS)) {
    const guess = typeof raw.kind === 'string' ? didYouMean(raw.kind, kinds) : undefined;
    const isConfig = raw.kind === 'Config';
    diagnostics.push(
      diag(
        'error',
        'FS_MANIFEST_KIND',
        isConfig ? 'kind Config belongs in flowsync.yaml at the repo root, not in a manifest folder' : `kind must be one of ${kinds.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`,
        isConfig ? 'Move this document to flowsync.yaml at the root, or narrow `manifests` in flowsync.yaml.' : 'flowsync reads DestinationAccount and StreamingDestination documents; see README "Manifest format".',
        at(['kind']),
      ),
    );
    return none();
  }
  const kind = raw.kind as Kind;
  const meta = (raw.metadata ?? {}) as Record<string, unknown>;
  const sandboxes = documentSandboxes(meta, defaultSandbox);
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  // apiVersion is reported above already; skip the schema's copy of it.
  const errors = schemaErrors(KINDS[kind], value).filter((e) => e.instancePath !== '/apiVersion' && !isSandboxPairError(e));
  diagnostics.push(...schemaDiagnostics(errors, doc, SCHEMA_CODES));
  diagnostics.push(...sandboxListDiagnostics(doc, meta, sandboxes));
  const brokenAll = () => ({ manifests: [], broken: sandboxes.map((sandbox) => ({ kind, name, sandbox })), diagnostics });
  if (diagnostics.length) return brokenAll();
  const spec = raw.spec as Record<string, unknown>;
  if (!Array.isArray(meta.sandboxes) && spec.overrides === undefined) {
    return { manifests: [manifestOf(kind, doc, name!, sandboxes[0]!, false, spec)], broken: [], diagnostics };
  }
  // Each sandbox's merged document must be a whole manifest too (an override may, say, drop an auth field's type).
  const shared = Array.isArray(meta.sandboxes);
  const manifests: Manifest[] = [];
  for (const sandbox of sandboxes) {
    const view = sandboxView(doc, sandbox);
    const merged = schemaDiagnostics(schemaErrors(KINDS[kind], view.value), view, SCHEMA_CODES).map((d) => ({ ...d, sandbox }));
    diagnostics.push(...merged);
    manifests.push(manifestOf(kind, view, name!, sandbox, shared, (view.value as { spec: unknown }).spec));
  }
  return diagnostics.length ? brokenAll() : { manifests, broken: [], diagnostics };
}

/** The schema checked the document against its kind: its spec has that kind's shape. */
function manifestOf(kind: Kind, doc: ParsedDoc, name: string, sandbox: string, shared: boolean, spec: unknown): Manifest {
  const m = { kind, doc, name, sandbox, shared, spec };
  return m as Manifest;
}

/** metadata.sandbox and metadata.sandboxes together, and overrides for sandboxes the document does not list. */
function sandboxListDiagnostics(doc: ParsedDoc, meta: Record<string, unknown>, sandboxes: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (meta.sandbox !== undefined && meta.sandboxes !== undefined) {
    out.push(
      diag('error', 'FS_MANIFEST_SANDBOXES', 'metadata.sandbox and metadata.sandboxes cannot both be set', 'Use metadata.sandbox for one sandbox, or list every sandbox in metadata.sandboxes (e.g. [dev, prod]).', {
        file: doc.file,
        ...doc.locate(['metadata', 'sandboxes'], { key: true }),
        path: 'metadata.sandboxes',
      }),
    );
    return out;
  }
  const overrides = (doc.value as { spec?: { overrides?: unknown } }).spec?.overrides;
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) return out;
  for (const key of Object.keys(overrides)) {
    if (sandboxes.includes(key)) continue;
    out.push(
      diag('error', 'FS_MANIFEST_OVERRIDE', `spec.overrides.${key}: sandbox ${key} is not one of this manifest's sandboxes (${sandboxes.join(', ')})`, `Add ${key} to metadata.sandboxes, or remove the override (a typo in the sandbox name?).`, {
        file: doc.file,
        ...doc.locate(['spec', 'overrides', key], { key: true }),
        path: `spec.overrides.${key}`,
      }),
    );
  }
  return out;
}
