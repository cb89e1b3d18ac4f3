// One parsed YAML document -> a typed manifest of a known kind, or diagnostics saying why not.
import type { Diagnostic } from '../domain/diagnostics.ts';
import type { DestinationType, DriftPolicy } from '../domain/model.ts';
import { diag } from './diag.ts';
import { didYouMean, schemaDiagnostics } from './schema-diagnostics.ts';
import { schemaErrors, type SchemaName } from './schemas.ts';
import type { SecretRef } from './secrets.ts';
import type { ParsedDoc } from './types.ts';

export const API_VERSION = 'flowsync/v1';
export const KINDS = { DestinationAccount: 'account', StreamingDestination: 'destination' } as const satisfies Record<string, SchemaName>;
export type Kind = keyof typeof KINDS;

/** Auth values as written: plain text or a reference. */
export type AuthValue = string | SecretRef;

export interface AccountManifest {
  kind: 'DestinationAccount';
  doc: ParsedDoc;
  name: string;
  sandbox: string;
  spec: { type: DestinationType; description?: string; auth: Record<string, AuthValue> };
}

export interface DestinationManifest {
  kind: 'StreamingDestination';
  doc: ParsedDoc;
  name: string;
  sandbox: string;
  spec: {
    account: string;
    description?: string;
    target: Record<string, string | boolean>;
    format?: 'json';
    enabled?: boolean;
    drift?: DriftPolicy;
    segments?: { id: string; name?: string }[];
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

export function classify(doc: ParsedDoc, defaultSandbox: string): { manifest?: Manifest; broken?: BrokenManifest; diagnostics: Diagnostic[] } {
  const at = (p: string[], key = false) => ({ file: doc.file, ...doc.locate(p, { key }), path: p.join('.') });
  const value = doc.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      diagnostics: [diag('error', 'FS_MANIFEST_SCHEMA', 'document must be a map with apiVersion, kind, metadata and spec', 'Each YAML document (separated by ---) is one manifest; see README "Manifest format".', { file: doc.file, ...doc.start })],
    };
  }
  const raw = value as Record<string, unknown>;
  const diagnostics: Diagnostic[] = [];
  if (raw.apiVersion === undefined) {
    diagnostics.push(diag('error', 'FS_MANIFEST_API_VERSION', 'apiVersion is required', `Add \`apiVersion: ${API_VERSION}\` at the top of the document.`, at([])));
  } else if (raw.apiVersion !== API_VERSION) {
    diagnostics.push(diag('error', 'FS_MANIFEST_API_VERSION', `apiVersion must be ${API_VERSION}`, `Set \`apiVersion: ${API_VERSION}\`; it is the only manifest version this flowsync reads.`, at(['apiVersion'])));
  }
  const kinds = Object.keys(KINDS);
  if (raw.kind === undefined) {
    diagnostics.push(diag('error', 'FS_MANIFEST_KIND', 'kind is required', `Add \`kind:\` with one of ${kinds.join(', ')}.`, at([])));
    return { diagnostics };
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
    return { diagnostics };
  }
  const kind = raw.kind as Kind;
  const meta = (raw.metadata ?? {}) as Record<string, unknown>;
  const sandbox = typeof meta.sandbox === 'string' ? meta.sandbox : defaultSandbox;
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  // apiVersion is reported above already; skip the schema's copy of it.
  const errors = schemaErrors(KINDS[kind], value).filter((e) => e.instancePath !== '/apiVersion');
  diagnostics.push(...schemaDiagnostics(errors, doc, SCHEMA_CODES));
  if (diagnostics.length) return { broken: { kind, name, sandbox }, diagnostics };
  const spec = raw.spec as never;
  return { manifest: { kind, doc, name: name!, sandbox, spec } as Manifest, diagnostics };
}
