// Read-only commands (plan, plan --base) should not need the destinations' secrets: CI jobs for
// pull requests get none, and fromFile secrets are not in git. When unresolvable secret references
// are the only errors, the repo is loaded again without reading secret values; the model then has no
// credential fingerprints and the planner keeps the live ones (rotations are not shown).
import { hasErrors } from '../domain/diagnostics.ts';
import { loadRepo, type LoadedRepo, type LoadOptions } from './index.ts';

const SECRET_CODES = new Set(['FS_SECRET_UNRESOLVED', 'FS_SECRET_OUTSIDE_REPO']);

export async function loadRepoSecretsOptional(root: string, env: NodeJS.ProcessEnv, opts: Pick<LoadOptions, 'parseCache' | 'transientFiles'> = {}): Promise<{ repo: LoadedRepo; secretsSkipped: boolean }> {
  const repo = await loadRepo(root, { ...opts, env, resolveSecrets: true });
  const errors = repo.diagnostics.filter((d) => d.severity === 'error');
  if (!hasErrors(errors) || !errors.every((d) => SECRET_CODES.has(d.code))) return { repo, secretsSkipped: false };
  return { repo: await loadRepo(root, { ...opts, env, resolveSecrets: false }), secretsSkipped: true };
}
