// Which paths a watched folder ignores: git internals, flowsync's own cache, dependencies and the
// temporary files editors write next to the real one while saving.
import { basename } from 'node:path';

const IGNORED_DIRS = new Set(['.git', '.flowsync', 'node_modules']);
const TEMP_FILE = [/\.sw[a-p]$/i, /\.swx$/i, /~$/, /^\.#/, /^#.*#$/, /^4913$/, /\.tmp$/i, /\.bak$/i, /^\.DS_Store$/, /\.crswap$/];

export function isIgnoredPath(path: string): boolean {
  if (path.split(/[\\/]/).some((part) => IGNORED_DIRS.has(part))) return true;
  const name = basename(path);
  return TEMP_FILE.some((re) => re.test(name));
}

/** Manifest and config files: what a folder's content hash covers. */
export function isManifestFile(path: string): boolean {
  return /\.(ya?ml|json)$/i.test(path) && !isIgnoredPath(path);
}

