// Emptiness is never "delete everything": a manifest file with nothing in it (truncated, saved
// blank) is an error of its own, and a manifest set with no accounts and no destinations (an
// emptied folder, every file removed) is an invalid revision unless reconcile.allowEmpty says the
// config is meant to manage nothing (Argo CD's allowEmpty). See docs/concepts/several-writers.md.
import type { Diagnostic } from '../domain/diagnostics.ts';
import type { FlowsyncConfig } from './config.ts';
import { diag } from './diag.ts';

/** A file of zero bytes or only whitespace; a comment-only file is deliberate and fine. */
export function emptyFileDiagnostic(rel: string, text: string): Diagnostic | undefined {
  if (text.trim() !== '') return undefined;
  return diag(
    'error',
    'FS_MANIFEST_EMPTY_FILE',
    `${rel} is empty`,
    'Write the manifests back (a truncated file must not read as "delete what it held"), or delete the file.',
    { file: rel, line: 1, column: 1 },
  );
}

/** The folders flowsync.yaml names, for messages: "m/", or "the repository root". */
function describeFolders(config: FlowsyncConfig): string {
  const names = config.manifests.map((m) => (m === '.' ? 'the repository root' : `${m}/`));
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

/** An empty manifest set (no manifest document at all) is an error unless allowed. */
export function emptySetDiagnostic(config: FlowsyncConfig, documents: number, allowEmpty: boolean): Diagnostic | undefined {
  if (documents > 0 || allowEmpty) return undefined;
  return diag(
    'error',
    'FS_MANIFEST_EMPTY',
    `no accounts and no destinations under ${describeFolders(config)}: an empty manifest set is refused, never read as "delete everything"`,
    'Restore the manifests (check the last commit for an emptied folder or removed files); if this config is meant to manage nothing, set reconcile.allowEmpty: true in flowsync.yaml.',
    config.file ? { file: config.file } : {},
  );
}
