// What this flowsync is: its version and the git revision it was built from. The bundle gets both
// at build time (cmd/build.ts defines __FLOWSYNC_BUILD__), so an installed copy needs neither git
// nor its package.json; run from the sources, they come from package.json and the checkout.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildInfo } from '../daemon/types.ts';

declare const __FLOWSYNC_BUILD__: { version: string; revision: string } | undefined;

const UNKNOWN = 'unknown';

/**
 * The commit of the git checkout whose top folder is `root`, with `-dirty` when tracked files
 * differ from it; "unknown" without git, outside a checkout, or when `root` is only a folder inside
 * another project's checkout (sources installed under its node_modules).
 */
export function gitRevision(root: string): string {
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
  try {
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(root)) return UNKNOWN;
    const commit = git('rev-parse', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${commit}-dirty` : commit;
  } catch {
    return UNKNOWN;
  }
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const node = process.versions.node;
  if (typeof __FLOWSYNC_BUILD__ !== 'undefined') return (cached = { ...__FLOWSYNC_BUILD__, node });
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  return (cached = { version, revision: gitRevision(root), node });
}
