// Loads the config repo as it is at a git revision: copy the folder out of git into a temp folder,
// load it with the ordinary loader, delete the copy. The work tree and the repository are not touched.
import { hasErrors, type Diagnostic } from '../domain/diagnostics.ts';
import type { LoadedRepo } from '../manifest/index.ts';
import { loadRepoSecretsOptional } from '../manifest/secrets-optional.ts';
import { copyTreeAt, locate, resolveCommit } from './git-tree.ts';

export type BaseStatus = 'valid' | 'invalid' | 'missing';

export interface LoadedBase {
  ref: string;
  commit: string;
  status: BaseStatus;
  /** Present when status is 'valid'. */
  repo?: LoadedRepo;
  diagnostics: Diagnostic[];
  /** Set when secret references could not be resolved at the base and were left out (see below). */
  secretsSkipped: boolean;
}

/**
 * The manifests in `root` as of `ref`. fromFile secrets are usually git-ignored, so they are not in
 * the copy: when secret references are the only errors, the base is loaded again without reading
 * secrets (credential fingerprints are then left out and the planner keeps the live ones).
 */
export async function loadBaseRepo(root: string, ref: string, env: NodeJS.ProcessEnv): Promise<LoadedBase> {
  const loc = await locate(root);
  const commit = await resolveCommit(loc.top, ref);
  const copy = await copyTreeAt(loc, commit);
  try {
    if (!copy.exists) return { ref, commit, status: 'missing', diagnostics: [], secretsSkipped: false };
    // The copy is deleted below, before the base's segments are resolved: its documents keep their texts for positions.
    const { repo, secretsSkipped } = await loadRepoSecretsOptional(copy.root, env, { transientFiles: true });
    const status: BaseStatus = hasErrors(repo.diagnostics) ? 'invalid' : 'valid';
    return { ref, commit, status, ...(status === 'valid' ? { repo } : {}), diagnostics: repo.diagnostics, secretsSkipped };
  } finally {
    await copy.cleanup();
  }
}
