// Small constructors for the loader's diagnostics, so every one carries code, position and hint.
import type { Diagnostic, Severity } from '../domain/diagnostics.ts';

export interface Where {
  file?: string;
  line?: number;
  column?: number;
  path?: string;
}

export function diag(severity: Severity, code: string, summary: string, hint: string, where: Where = {}, detail?: string): Diagnostic {
  const d: Diagnostic = { severity, code, summary, hint };
  if (detail !== undefined) d.detail = detail;
  if (where.file !== undefined) d.file = where.file;
  if (where.line !== undefined) d.line = where.line;
  if (where.column !== undefined) d.column = where.column;
  if (where.path !== undefined && where.path !== '') d.path = where.path;
  return d;
}

/** `spec.segments[2].id` from ['spec', 'segments', 2, 'id']. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}
