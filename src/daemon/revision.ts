// The revision of a watched folder: the git commit plus a hash of uncommitted manifest content
// when the folder is inside a git work tree, otherwise a hash of the manifest files themselves.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { simpleGit } from 'simple-git';
import { isIgnoredPath, isManifestFile } from './ignore.ts';

/** sha256 over (relative path, content) of every manifest file, in path order; 'sha256:<16 hex>'. */
export async function contentRevision(dir: string): Promise<string> {
  const files = (await listFiles(dir)).filter(isManifestFile).sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(dir, file).split('\\').join('/')).update('\0');
    hash.update(await readFile(file)).update('\0');
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

/** `<HEAD sha>` for a clean git work tree, `<HEAD sha>+<content hash>` when dirty; null outside git. */
export async function gitRevision(dir: string): Promise<string | null> {
  const git = simpleGit({ baseDir: dir, timeout: { block: 10_000 } });
  try {
    if (!(await git.checkIsRepo())) return null;
    const head = (await git.revparse(['HEAD'])).trim();
    const status = await git.raw(['status', '--porcelain', '--untracked-files=all', '--', '.']);
    const dirty = status.split('\n').some((line) => line.length > 3 && !isIgnoredPath(line.slice(3)));
    return dirty ? `${head}+${(await contentRevision(dir)).slice('sha256:'.length)}` : head;
  } catch {
    return null; // a repository without commits yet, or git missing: fall back to the content hash
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (isIgnoredPath(entry.name)) continue;
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
