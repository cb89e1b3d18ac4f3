// Small constructors for the loader's diagnostics, so every one carries code, position and hint.
import type { Diagnostic, Severity } from '../domain/diagnostics.ts';

export interface Where {
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  sandbox?: string;
}

export function diag(severity: Severity, code: string, summary: string, hint: string, where: Where = {}, detail?: string): Diagnostic {
  const d: Diagnostic = { severity, code, summary, hint };
  if (detail !== undefined) d.detail = detail;
  if (where.file !== undefined) d.file = where.file;
  if (where.line !== undefined) d.line = where.line;
  if (where.column !== undefined) d.column = where.column;
  if (where.path !== undefined && where.path !== '') d.path = where.path;
  if (where.sandbox !== undefined) d.sandbox = where.sandbox;
  return d;
}

/**
 * `spec.segments[2].id` from ['spec', 'segments', 2, 'id']. A key that does not look like a field
 * name is shown as `<key>`: it may be a value (even a secret) that lost its key in an edit.
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    const name = typeof seg === 'string' && !/^[A-Za-z_$][\w$-]{0,63}$/.test(seg) ? '<key>' : seg;
    if (typeof name === 'number') out += `[${name}]`;
    else out += out ? `.${name}` : name;
  }
  return out;
}
