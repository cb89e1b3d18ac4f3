// Reads the config repo folder as it is at a git revision into a temporary folder, without touching
// the repository (no worktree entry, no index, no checkout): `git ls-tree` lists the files under the
// folder and one `git cat-file --batch` streams their contents. Unlike `git archive` this needs no
// tar and ignores `export-ignore` attributes, so the folder is exactly what the commit holds.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';

const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr: String(stderr).trim() }));
      else resolve(stdout);
    });
  });
}

export interface GitLocation {
  /** Top of the work tree (real path). */
  top: string;
  /** The config repo folder relative to `top`, '/'-separated; '' when it is the top. */
  rel: string;
}

/** Where DIR sits in its git repository; FS_REVIEW_GIT when it is not in one. */
export async function locate(dir: string): Promise<GitLocation> {
  let top: string;
  try {
    top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch (err) {
    throw new FlowsyncError('FS_REVIEW_GIT', `--base needs the config repo ${dir} to be inside a git work tree: ${(err as { stderr?: string }).stderr || (err as Error).message}`, {
      hint: 'Run flowsync plan --base inside a clone of the config repository (in CI: check out the repository first).',
    });
  }
  const realTop = await realpath(top);
  const rel = path.relative(realTop, await realpath(dir)).split(path.sep).join('/');
  return { top: realTop, rel };
}

/** The commit a ref names; FS_REVIEW_BASE_REF when there is none (e.g. a shallow CI clone). */
export async function resolveCommit(top: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new FlowsyncError('FS_REVIEW_BASE_REF', `--base "${ref}" is not a git revision`);
  try {
    return (await git(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch {
    throw new FlowsyncError('FS_REVIEW_BASE_REF', `--base ${ref}: no such commit in ${top}`, {
      hint: `Fetch it first, e.g. \`git fetch origin ${ref.replace(/^origin\//, '')}\` (in GitHub Actions use actions/checkout with fetch-depth: 0).`,
    });
  }
}

/** The commit HEAD points at, or undefined in a repository without commits. */
export async function headCommit(top: string): Promise<string | undefined> {
  return git(top, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).then((s) => s.trim(), () => undefined);
}

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  path: string;
}

async function listTree(top: string, commit: string, rel: string): Promise<TreeEntry[]> {
  const out = await git(top, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...(rel ? [rel] : [])]);
  return out
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode = '', type = '', object = ''] = line.slice(0, tab).split(' ');
      return { mode, type, object, path: line.slice(tab + 1) };
    });
}

/** Contents of the given blobs, in order, through one `git cat-file --batch`. */
function readBlobs(top: string, objects: string[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: top, env: { ...process.env, ...GIT_ENV }, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file exited ${code}: ${stderr.trim()}`));
      const all = Buffer.concat(chunks);
      const blobs: Buffer[] = [];
      let at = 0;
      for (const object of objects) {
        const nl = all.indexOf(0x0a, at);
        const header = all.subarray(at, nl).toString('utf8');
        const size = Number(header.split(' ')[2]);
        if (!header.startsWith(object) || !Number.isInteger(size)) return reject(new Error(`git cat-file: unexpected answer "${header}" for ${object}`));
        blobs.push(all.subarray(nl + 1, nl + 1 + size));
        at = nl + 1 + size + 1;
      }
      resolve(blobs);
    });
    child.stdin.end(objects.map((o) => `${o}\n`).join(''));
  });
}

export interface TreeCopy {
  /** The config repo folder inside the copy (same relative path as in the work tree). */
  root: string;
  /** False when the folder does not exist at that commit (e.g. the pull request creates it). */
  exists: boolean;
  cleanup: () => Promise<void>;
}

/** Writes the files under `rel` at `commit` into a new temp folder. Call `cleanup` when done. */
export async function copyTreeAt(loc: GitLocation, commit: string): Promise<TreeCopy> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'flowsync-base-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    const root = path.join(tmp, 'tree', ...(loc.rel ? loc.rel.split('/') : []));
    await mkdir(root, { recursive: true });
    // Submodules (commit entries) have no content here; everything else is a blob.
    const entries = (await listTree(loc.top, commit, loc.rel)).filter((e) => e.type === 'blob');
    const blobs = await readBlobs(loc.top, entries.map((e) => e.object));
    for (const [i, e] of entries.entries()) {
      const abs = path.join(tmp, 'tree', ...e.path.split('/'));
      await mkdir(path.dirname(abs), { recursive: true });
      if (e.mode === '120000') await symlink(blobs[i]!.toString('utf8'), abs);
      else await writeFile(abs, blobs[i]!, { mode: e.mode === '100755' ? 0o755 : 0o644 });
    }
    return { root, exists: entries.length > 0, cleanup };
  } catch (err) {
    await cleanup();
    if (err instanceof FlowsyncError) throw err;
    throw new FlowsyncError('FS_REVIEW_GIT', `could not read ${loc.rel || '.'} at ${commit.slice(0, 12)}: ${(err as { stderr?: string }).stderr || (err as Error).message}`, { cause: err });
  }
}
