// User mistakes are values, collected and reported together (Terraform's tfdiags), not exceptions.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  code: string; // e.g. FS_MANIFEST_SCHEMA; listed in docs/errors.md
  summary: string; // one line, names the field; never contains a secret value
  detail?: string;
  hint?: string;
  file?: string; // relative to the config repo root
  line?: number; // 1-based
  column?: number; // 1-based
  path?: string; // field path inside the document, e.g. spec.target.stream
  /** The sandbox the finding is about, when the file alone does not say (a document listing several, name resolution). */
  sandbox?: string;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Stable order: by file, line, column, then code, so output and golden files are deterministic. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.sandbox ?? '').localeCompare(b.sandbox ?? '') ||
      a.code.localeCompare(b.code) ||
      a.summary.localeCompare(b.summary),
  );
}
