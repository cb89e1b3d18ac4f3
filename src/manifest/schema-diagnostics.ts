// ajv errors -> readable diagnostics ("spec.target.stream is required", "spec.drift must be one of
// heal, warn, ignore") at the YAML position of the offending node. Never quotes the user's value.
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { diag, formatPath } from './diag.ts';
import type { FieldPath, ParsedDoc } from './types.ts';

export interface SchemaCodes {
  schema: string;
  apiVersion?: string;
  plainSecret: string;
}

/** Fields that accept only secret references, by path suffix. */
const SECRET_FIELDS = new Set(['secretKey', 'sasKey', 'clientSecret', 'accessToken', 'webhookUrl']);

function pointerToPath(pointer: string, value: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  let cur: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function typeWords(type: string | string[]): string {
  const words: Record<string, string> = { string: 'text', object: 'a map', array: 'a list', boolean: 'true or false', integer: 'a whole number', number: 'a number', null: 'empty' };
  const types = Array.isArray(type) ? type : [type];
  if (types.length === 2 && types.includes('string') && types.includes('object')) return 'text or a reference ({ fromEnv: … } or { fromFile: … })';
  return types.map((t) => words[t] ?? t).join(' or ');
}

import { didYouMean } from '../domain/did-you-mean.ts';

export { didYouMean, editDistance } from '../domain/did-you-mean.ts';

function describe(e: ErrorObject, fieldPath: (string | number)[], value: unknown, codes: SchemaCodes): { code: string; summary: string; hint: string; at: FieldPath; key?: boolean } | undefined {
  const field = formatPath(fieldPath) || 'the document';
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const last = fieldPath[fieldPath.length - 1];
  const describedHint = typeof schema.description === 'string' ? schema.description : 'See the README section "Manifest format".';
  switch (e.keyword) {
    case 'if':
      return undefined; // the nested errors of the "then" branch say what is wrong
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const props = (schema.properties ?? {}) as Record<string, { description?: string }>;
      // Points at the parent's key (`auth:`), where the field belongs.
      return { code: codes.schema, summary: `${formatPath([...fieldPath, missing])} is required`, hint: props[missing]?.description ?? describedHint, at: fieldPath, key: true };
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((schema.properties ?? {}) as object);
      const guess = didYouMean(extra, known);
      return {
        code: codes.schema,
        summary: `${formatPath([...fieldPath, extra])} is not a known field${guess ? ` (did you mean ${guess}?)` : ''}`,
        hint: known.length ? `Fields allowed here: ${known.join(', ')}.` : 'Remove the field.',
        at: [...fieldPath, extra],
        key: true,
      };
    }
    case 'type': {
      if (typeof last === 'string' && SECRET_FIELDS.has(last) && typeof value !== 'object') {
        return {
          code: codes.plainSecret,
          summary: `${field} must be a reference, not a plain value`,
          hint: `Secrets never go in git: write \`${last}: { fromEnv: VARIABLE_NAME }\` or \`${last}: { fromFile: path/relative/to/repo/root }\`, and remove the value from the repository history.`,
          at: fieldPath,
        };
      }
      return { code: codes.schema, summary: `${field} must be ${typeWords((e.params as { type: string | string[] }).type)}`, hint: describedHint, at: fieldPath };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return { code: codes.schema, summary: `${field} must be one of ${allowed.join(', ')}`, hint: describedHint, at: fieldPath };
    }
    case 'const': {
      const allowed = String((e.params as { allowedValue: unknown }).allowedValue);
      if (field === 'apiVersion' && codes.apiVersion) {
        return { code: codes.apiVersion, summary: `apiVersion must be ${allowed}`, hint: `Set \`apiVersion: ${allowed}\`; it is the only manifest version this flowsync reads.`, at: fieldPath };
      }
      return { code: codes.schema, summary: `${field} must be ${allowed}`, hint: describedHint, at: fieldPath };
    }
    case 'pattern': {
      const message = typeof schema.patternErrorMessage === 'string' ? schema.patternErrorMessage : `must match ${(e.params as { pattern: string }).pattern}`;
      return { code: codes.schema, summary: `${field} ${message}`, hint: describedHint, at: fieldPath };
    }
    case 'minLength':
      return { code: codes.schema, summary: `${field} must not be empty`, hint: describedHint, at: fieldPath };
    case 'maxLength':
      return { code: codes.schema, summary: `${field} must be at most ${(e.params as { limit: number }).limit} characters`, hint: describedHint, at: fieldPath };
    case 'minProperties':
    case 'maxProperties': {
      const props = Object.keys((schema.properties ?? {}) as object);
      if (props.includes('fromEnv')) {
        return { code: codes.schema, summary: `${field} must have exactly one of fromEnv or fromFile`, hint: 'Write `{ fromEnv: VARIABLE_NAME }` or `{ fromFile: path/relative/to/repo/root }`.', at: fieldPath };
      }
      return { code: codes.schema, summary: `${field} must not be empty`, hint: describedHint, at: fieldPath };
    }
    case 'minimum':
    case 'maximum':
      return { code: codes.schema, summary: `${field} must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${(e.params as { limit: number }).limit}`, hint: describedHint, at: fieldPath };
    case 'minItems':
      return { code: codes.schema, summary: `${field} must list at least ${(e.params as { limit: number }).limit} item(s)`, hint: describedHint, at: fieldPath };
    case 'maxItems':
      return { code: codes.schema, summary: `${field} must list at most ${(e.params as { limit: number }).limit} items`, hint: describedHint, at: fieldPath };
    case 'uniqueItems': {
      const { i, j } = e.params as { i: number; j: number };
      return { code: codes.schema, summary: `${field} lists the same item twice (items ${j} and ${i})`, hint: 'Remove the duplicate.', at: [...fieldPath, i] };
    }
    case 'format':
      return { code: codes.schema, summary: `${field} must be a valid ${(e.params as { format: string }).format}`, hint: describedHint, at: fieldPath };
    default:
      return { code: codes.schema, summary: `${field} ${e.message ?? 'is invalid'}`, hint: describedHint, at: fieldPath };
  }
}

export function schemaDiagnostics(errors: readonly ErrorObject[], doc: ParsedDoc, codes: SchemaCodes): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const fieldPath = pointerToPath(e.instancePath, doc.value);
    const d = describe(e, fieldPath, e.data, codes);
    if (!d) continue;
    const key = `${d.code}\0${d.summary}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pos = doc.locate(d.at, { key: d.key });
    out.push(diag('error', d.code, d.summary, d.hint, { file: doc.file, ...pos, path: formatPath(d.at) }));
  }
  return out;
}
