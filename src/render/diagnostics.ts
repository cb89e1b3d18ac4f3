// Views of diagnostics: text for people (file:line:col: severity CODE summary, then the hint) and a
// versioned JSON document for machines. Shared by validate, plan and the daemon.
import path from 'node:path';
import { sortDiagnostics, type Diagnostic } from '../domain/diagnostics.ts';
import { painter } from './color.ts';

export interface TextOptions {
  color: boolean;
  /** Prepended to each file (e.g. the repo folder relative to the working directory). */
  filePrefix?: string;
}

export const DIAGNOSTICS_FORMAT_VERSION = 1;

function location(d: Diagnostic, prefix: string): string {
  if (!d.file) return prefix ? `${prefix.replace(/\/$/, '')}: ` : '';
  const file = prefix ? path.posix.join(prefix, d.file) : d.file;
  return `${file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}: `;
}

export function formatDiagnostic(d: Diagnostic, opts: TextOptions): string {
  const paint = painter(opts.color);
  const sev = d.severity === 'error' ? paint(['red', 'bold'], 'error') : paint(['yellow', 'bold'], 'warning');
  const sandbox = d.sandbox === undefined ? '' : `[sandbox ${d.sandbox}] `;
  let out = `${location(d, opts.filePrefix ?? '')}${sev} ${d.code} ${sandbox}${d.summary}\n`;
  if (d.detail) out += `  ${d.detail}\n`;
  if (d.hint) out += `  ${paint('dim', `hint: ${d.hint}`)}\n`;
  return out;
}

export function countDiagnostics(diags: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diags.filter((d) => d.severity === 'error').length;
  return { errors, warnings: diags.length - errors };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 errors, 1 warning" */
export function countLine(diags: readonly Diagnostic[]): string {
  const { errors, warnings } = countDiagnostics(diags);
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** Every diagnostic in stable order, without a closing line (callers add their own). */
export function renderDiagnosticsText(diags: readonly Diagnostic[], opts: TextOptions): string {
  return sortDiagnostics(diags)
    .map((d) => formatDiagnostic(d, opts))
    .join('');
}

export interface DiagnosticsJson {
  formatVersion: typeof DIAGNOSTICS_FORMAT_VERSION;
  valid: boolean;
  errors: number;
  warnings: number;
  diagnostics: Diagnostic[];
}

export function diagnosticsJson(diags: readonly Diagnostic[]): DiagnosticsJson {
  const { errors, warnings } = countDiagnostics(diags);
  return { formatVersion: DIAGNOSTICS_FORMAT_VERSION, valid: errors === 0, errors, warnings, diagnostics: sortDiagnostics(diags) };
}
