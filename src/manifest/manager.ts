// The default manager: who manages the entities of a config (the `m=` of every ownership tag).
// The config repo's `origin` remote, normalized so that every clone of one repo agrees (CI over
// https, a laptop over ssh, the daemon over a deploy key), followed by the config folder's path in
// the repo when it is not the root. Without git or a remote: `local/<folder>-<hash of the path>`.
// Reads .git files directly: it runs on every load and must stay cheap (no git process).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export const MANAGER_MAX = 128;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Only the tag's charset, no empty segments, at most MANAGER_MAX characters. */
function fit(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9._/-]/g, '-').replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');
  if (clean.length <= MANAGER_MAX) return clean;
  return `${clean.slice(0, MANAGER_MAX - 9)}-${sha256(clean).slice(0, 8)}`;
}

/** `git@host:path`, `ssh://user@host:22/path`, `https://user:pw@Host/path.git/` all give `host/path`. */
export function normalizeRemote(url: string): string {
  let rest = url.trim();
  let host = '';
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length);
    const slash = rest.indexOf('/');
    host = slash < 0 ? rest : rest.slice(0, slash);
    rest = slash < 0 ? '' : rest.slice(slash + 1);
    host = host.slice(host.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  } else {
    const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(rest);
    if (scp && !/^[A-Za-z]$/.test(scp[1]!)) {
      host = scp[1]!;
      rest = scp[2]!;
    }
  }
  const tail = rest.replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  return [host.toLowerCase(), tail].filter(Boolean).join('/');
}

interface GitDirs {
  /** The folder holding `.git` (the work tree root). */
  workTree: string;
  /** Where `config` lives (the common dir of a linked worktree). */
  commonDir: string;
}

function findGit(start: string): GitDirs | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    if (existsSync(dotGit)) {
      let gitDir = dotGit;
      if (statSync(dotGit).isFile()) {
        const line = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
        if (!line) return undefined;
        gitDir = path.resolve(dir, line[1]!.trim());
      }
      const commonFile = path.join(gitDir, 'commondir');
      const commonDir = existsSync(commonFile) ? path.resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
      return { workTree: dir, commonDir };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** `url` of `[remote "origin"]` in a git config file. */
export function originUrl(config: string): string | undefined {
  let inOrigin = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inOrigin = /^\[remote\s+"origin"\]$/.test(line);
      continue;
    }
    const kv = /^url\s*=\s*(.*)$/i.exec(line);
    if (inOrigin && kv) return kv[1]!.replace(/^"(.*)"$/, '$1').trim();
  }
  return undefined;
}

function realpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The manager a config folder gets when flowsync.yaml sets none. */
export function defaultManager(configRoot: string): string {
  const root = realpath(configRoot);
  const git = findGit(root);
  const configFile = git ? path.join(git.commonDir, 'config') : undefined;
  const url = configFile && existsSync(configFile) ? originUrl(readFileSync(configFile, 'utf8')) : undefined;
  const remote = url ? normalizeRemote(url) : '';
  if (git && remote) {
    const sub = path.relative(git.workTree, root).split(path.sep).join('/');
    return fit(sub && !sub.startsWith('..') ? `${remote}/${sub}` : remote);
  }
  return fit(`local/${path.basename(root) || 'root'}-${sha256(root).slice(0, 6)}`);
}
