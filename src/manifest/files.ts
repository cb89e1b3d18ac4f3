// The file side of loading: which files are manifests (deterministic order), and reading them as
// UTF-8 text within the size limits. Symlinks may point anywhere inside the repo, never outside.
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { diag } from './diag.ts';
import { LIMITS } from './limits.ts';

export interface ManifestFile {
  rel: string; // relative to the repo root, '/' separators
  abs: string;
}

export function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

const SKIP_DIRS = new Set(['node_modules']);
const byCodepoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every .yaml/.yml file below the folders, sorted by relative path. Dot-files, dot-folders and
 * node_modules are skipped, and so is `exclude` (the config file). A .yaml name that is not a regular
 * file (a FIFO, a socket) is an error. `folders` are absolute.
 */
export async function listManifestFiles(root: string, rootReal: string, folders: string[], exclude: string): Promise<{ files: ManifestFile[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const found = new Map<string, ManifestFile>(); // by real path, so overlapping folders count once
  const visitedDirs = new Set<string>();
  let tooMany = false;

  const walk = async (dir: string, depth: number): Promise<void> => {
    if (tooMany) return;
    // A folder can vanish between listing and reading (an editor saving, a git checkout).
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined) {
      diagnostics.push(diag('error', 'FS_MANIFEST_READ', `cannot read folder ${toRel(root, dir) || '.'}: it vanished while loading`, 'Run again once the files have settled.', { file: toRel(root, dir) }));
      return;
    }
    if (visitedDirs.has(real)) return; // a symlink loop or an overlapping folder
    visitedDirs.add(real);
    if (depth > LIMITS.folderDepth) {
      diagnostics.push(diag('error', 'FS_MANIFEST_TOO_DEEP', `folder ${toRel(root, dir)} is nested deeper than ${LIMITS.folderDepth} levels`, 'Flatten the manifest folders.', { file: toRel(root, dir) }));
      return;
    }
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      diagnostics.push(diag('error', 'FS_MANIFEST_READ', `cannot read folder ${toRel(root, dir) || '.'}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'Check that the folder exists and is readable.', { file: toRel(root, dir) }));
      return;
    }
    entries.sort((a, b) => byCodepoint(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
      const abs = path.join(dir, entry.name);
      const rel = toRel(root, abs);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let target = abs;
      if (entry.isSymbolicLink()) {
        try {
          target = await realpath(abs);
        } catch {
          diagnostics.push(diag('error', 'FS_MANIFEST_SYMLINK', `${rel} is a broken symbolic link`, 'Remove the link or point it at a file inside the repo.', { file: rel }));
          continue;
        }
        const st = await stat(target).catch(() => undefined);
        if (!st) continue; // vanished since realpath; the next load sees the settled tree
        if (!isInside(rootReal, target)) {
          // Only links that would be read as manifests matter (a linked secret file is checked where it is used).
          if (st.isDirectory() || /\.ya?ml$/i.test(entry.name)) {
            diagnostics.push(diag('error', 'FS_MANIFEST_SYMLINK', `${rel} is a symbolic link that leaves the repository`, 'Manifests must live inside the config repo; copy the file in instead of linking to it.', { file: rel }));
          }
          continue;
        }
        isDir = st.isDirectory();
        isFile = st.isFile();
      }
      if (isDir) await walk(abs, depth + 1);
      else if (!isFile && /\.ya?ml$/i.test(entry.name) && rel !== exclude) {
        // A FIFO, socket or device named like a manifest: reading it could block, skipping it hides it.
        diagnostics.push(diag('error', 'FS_MANIFEST_READ', `${rel} is not a regular file (a FIFO, socket or device)`, 'Replace it with a regular YAML file or remove it from the manifest folders.', { file: rel }));
      } else if (isFile && /\.ya?ml$/i.test(entry.name) && rel !== exclude && !found.has(target)) {
        if (found.size >= LIMITS.files) {
          tooMany = true;
          diagnostics.push(diag('error', 'FS_MANIFEST_TOO_MANY_FILES', `more than ${LIMITS.files} manifest files`, 'Narrow `manifests` in flowsync.yaml to the folders that hold manifests.', { file: rel }));
          return;
        }
        found.set(target, { rel, abs });
      }
    }
  };

  for (const folder of folders) await walk(folder, 0);
  const files = [...found.values()].sort((a, b) => byCodepoint(a.rel, b.rel));
  return { files, diagnostics };
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function invalidUtf8Offset(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    let n = 0;
    let min = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) [n, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (n >= 2 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) return i;
    i += n + 1;
  }
  return -1;
}

export interface ReadCodes {
  read: string;
  tooLarge: string;
  encoding: string;
}

/** Reads a file as UTF-8 text (BOM removed), or returns why not. */
export async function readText(abs: string, rel: string, maxBytes: number, codes: ReadCodes): Promise<{ text: string; bytes: number } | { diagnostic: Diagnostic }> {
  let buf: Buffer;
  try {
    const st = await lstat(abs).then((s) => (s.isSymbolicLink() ? stat(abs) : s));
    if (!st.isFile()) return { diagnostic: diag('error', codes.read, `${rel} is not a regular file`, 'Point at a regular file.', { file: rel }) };
    if (st.size > maxBytes) {
      return { diagnostic: diag('error', codes.tooLarge, `${rel} is ${st.size} bytes; the limit is ${maxBytes}`, 'Split the file into smaller files.', { file: rel, line: 1, column: 1 }) };
    }
    buf = await readFile(abs);
  } catch (err) {
    return { diagnostic: diag('error', codes.read, `cannot read ${rel}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'Check that the file exists and is readable.', { file: rel }) };
  }
  if (buf.length > maxBytes) {
    return { diagnostic: diag('error', codes.tooLarge, `${rel} is ${buf.length} bytes; the limit is ${maxBytes}`, 'Split the file into smaller files.', { file: rel, line: 1, column: 1 }) };
  }
  // The native check first (simdutf: the JavaScript loop took 30 ms over 16 MB of manifests); the loop only to say where.
  const bad = isUtf8(buf) ? -1 : invalidUtf8Offset(buf);
  if (bad >= 0) {
    const before = buf.subarray(0, bad);
    const line = before.filter((c) => c === 0x0a).length + 1;
    const column = bad - (before.lastIndexOf(0x0a) + 1) + 1;
    return { diagnostic: diag('error', codes.encoding, `${rel} is not valid UTF-8 (byte ${bad})`, 'Save the file as UTF-8.', { file: rel, line, column }) };
  }
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, bytes: buf.length };
}

/**
 * The text of a file read before, read again synchronously for a position a diagnostic asks for
 * (fast-yaml.ts checks it is the same text); undefined when it is gone, too large or not UTF-8.
 */
export function rereadText(abs: string, maxBytes: number): string | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(abs);
  } catch {
    return undefined;
  }
  if (buf.length > maxBytes || !isUtf8(buf)) return undefined;
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
