// User mistakes are values, collected and reported together (Terraform's tfdiags), not exceptions.

export type Severity = 'error' | 'warning';

/**
 * The codes only diagnostics carry (a diagnostic may also carry a code of the errors.ts registry). Like
 * those, each is listed in docs/errors.md; test/unit/errors.test.ts checks both ways, and that every
 * code in src/ is registered (`code` stays a string so the loaders' helpers need not be retyped).
 */
export const DIAGNOSTIC_CODES = [
  'FS_CONFIG_MANIFESTS',
  'FS_CONFIG_READ',
  'FS_CONFIG_YAML',
  'FS_MANIFEST_ACCOUNT_NOT_FOUND',
  'FS_MANIFEST_ALIAS',
  'FS_MANIFEST_API_VERSION',
  'FS_MANIFEST_ATTRIBUTE_PATH',
  'FS_MANIFEST_DESCRIPTION',
  'FS_MANIFEST_DUPLICATE_ATTRIBUTE',
  'FS_MANIFEST_DUPLICATE_NAME',
  'FS_MANIFEST_DUPLICATE_SEGMENT',
  'FS_MANIFEST_EMPTY',
  'FS_MANIFEST_EMPTY_FILE',
  'FS_MANIFEST_ENCODING',
  'FS_MANIFEST_GUARDRAIL',
  'FS_MANIFEST_KIND',
  'FS_MANIFEST_NONE',
  'FS_MANIFEST_OVERRIDE',
  'FS_MANIFEST_READ',
  'FS_MANIFEST_SANDBOXES',
  'FS_MANIFEST_SCHEMA',
  'FS_MANIFEST_SYMLINK',
  'FS_MANIFEST_TARGET',
  'FS_MANIFEST_TOO_DEEP',
  'FS_MANIFEST_TOO_LARGE',
  'FS_MANIFEST_TOO_MANY_DOCUMENTS',
  'FS_MANIFEST_TOO_MANY_FILES',
  'FS_MANIFEST_YAML',
  'FS_SECRET_PLAIN',
] as const;

export interface Diagnostic {
  severity: Severity;
  code: string; // DIAGNOSTIC_CODES or ERRORS, e.g. FS_MANIFEST_SCHEMA; listed in docs/errors.md
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
