// A git repository followed by the daemon: cloned once into a cache folder that flowsync owns,
// then on every sync fetched, hard-reset to origin/<branch> and cleaned, so local edits in the
// cache can never leak into a cycle. The revision is the commit SHA. Optionally polls the remote
// head (`git ls-remote`) and emits 'changed' when it moves, so a push is picked up without a webhook.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { access, chmod, mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { FlowsyncError } from '../domain/errors.ts';
import { splitUrlCredentials, stripUrlCredentials } from './redact-url.ts';
import type { Snapshot, Source } from './types.ts';

export interface GitSourceOptions {
  /** A URL (https, ssh, file) or a local path to a repository. */
  repo: string;
  branch: string;
  /** Sub-folder holding flowsync.yaml and the manifests; '' for the repository root. */
  path: string;
  /** Parent of the clone; each (repo, branch) gets its own folder below it. */
  cacheDir: string;
  /** How often to ask the remote for its head; 0 turns polling off (cycles still fetch). */
  pollMs: number;
  /** Per git command; a hung remote becomes an FS_SOURCE_GIT failure instead of a stuck cycle. */
  timeoutMs?: number;
  cwd?: string;
  /**
   * The HTTP Authorization value (e.g. `Basic …`) for the remote, from --git-token-env/-file or
   * moved out of a URL given with `user:token@`. It reaches git per command as an
   * `http.extraHeader` in GIT_CONFIG_* environment variables: never argv, never the clone's config.
   */
  authorization?: string;
}

export class GitSource extends EventEmitter implements Source {
  readonly kind = 'git' as const;
  readonly workdir: string;
  private readonly opts: GitSourceOptions;
  private readonly remote: string;
  private readonly authorization: string | undefined;
  /** The cache folder an older flowsync made from the URL with its credentials (it holds them in .git/config). */
  private readonly legacyWorkdir: string | undefined;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private lastRemoteHead: string | null = null;
  private polling = false;

  constructor(opts: GitSourceOptions) {
    super();
    this.opts = opts;
    const split = looksLikeUrl(opts.repo) ? splitUrlCredentials(opts.repo) : { url: resolve(opts.cwd ?? process.cwd(), opts.repo) };
    this.remote = split.url;
    this.authorization = opts.authorization ?? split.authorization;
    const cacheRoot = resolve(opts.cwd ?? process.cwd(), opts.cacheDir);
    const key = (remote: string) => createHash('sha256').update(`${remote}\n${opts.branch}`).digest('hex').slice(0, 16);
    this.workdir = join(cacheRoot, key(this.remote));
    this.legacyWorkdir = split.url !== opts.repo ? join(cacheRoot, key(opts.repo)) : undefined;
  }

  describe(): string {
    const path = this.opts.path ? `, path ${this.opts.path}` : '';
    return `git ${stripUrlCredentials(this.remote)} (branch ${this.opts.branch}${path})`;
  }

  async sync(): Promise<Snapshot> {
    const git = await this.ensureClone();
    const branch = this.opts.branch;
    await this.run('fetch', () => git.fetch(['--prune', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]));
    try {
      await this.run('reset', () => git.reset(['--hard', `origin/${branch}`]));
      await this.run('clean', () => git.clean('f', ['-d', '-x']));
    } catch (err) {
      // The remote answered, so the cache itself is broken (stale lock, disk trouble): start afresh next time.
      await rm(this.workdir, { recursive: true, force: true });
      throw err;
    }
    const revision = (await this.run('rev-parse', () => git.revparse(['HEAD']))).trim();
    this.lastRemoteHead = revision;
    const dir = this.opts.path ? join(this.workdir, this.opts.path) : this.workdir;
    if (!(await isDirectory(dir))) {
      throw new FlowsyncError('FS_SOURCE_MISSING', `sub-folder "${this.opts.path}" does not exist in ${this.describe()} at ${revision.slice(0, 12)}`, {
        details: { revision },
      });
    }
    return { dir, revision };
  }

  async start(): Promise<void> {
    if (this.opts.pollMs <= 0 || this.pollTimer) return;
    this.pollTimer = setInterval(() => void this.poll(), this.opts.pollMs);
  }

  async close(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  /** Asks the remote for the branch head; emits 'changed' when it differs from the last one seen. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const out = await this.git(process.cwd()).listRemote([this.remote, `refs/heads/${this.opts.branch}`]);
      const head = out.split(/\s/)[0] ?? '';
      if (head && this.lastRemoteHead !== null && head !== this.lastRemoteHead) {
        this.lastRemoteHead = head;
        this.emit('changed', `new commit ${head.slice(0, 12)} on ${this.opts.branch}`);
      }
    } catch {
      // An unreachable remote is reported by the next cycle's fetch, which has the full story.
    } finally {
      this.polling = false;
    }
  }

  private git(baseDir: string): SimpleGit {
    // The environment is the operator's (an SSH command for a deploy key, a credential helper),
    // so simple-git's guards against untrusted env values are relaxed for exactly those.
    const unsafe = { allowUnsafeAskPass: true, allowUnsafeSshCommand: true, allowUnsafeCredentialHelper: true, allowUnsafeConfigEnvCount: true, allowUnsafeConfigPaths: true, allowUnsafeGitProxy: true };
    // Never wait for a password or an editor nobody uses (npm sets EDITOR, which simple-git refuses).
    const { EDITOR: _editor, VISUAL: _visual, GIT_EDITOR: _gitEditor, ...inherited } = process.env;
    const env: Record<string, string | undefined> = { ...inherited, GIT_TERMINAL_PROMPT: '0' };
    if (this.authorization) {
      const n = Number.parseInt(inherited.GIT_CONFIG_COUNT ?? '0', 10) || 0; // keep the operator's own GIT_CONFIG_* entries
      env.GIT_CONFIG_COUNT = String(n + 1);
      env[`GIT_CONFIG_KEY_${n}`] = 'http.extraHeader';
      env[`GIT_CONFIG_VALUE_${n}`] = `Authorization: ${this.authorization}`;
    }
    const allowEnvironment = Object.keys(env).filter((k) => /^(GIT_|SSH_)/.test(k));
    return simpleGit({ baseDir, timeout: { block: this.opts.timeoutMs ?? 60_000 }, unsafe, allowEnvironment }).env(env);
  }

  /** Clones on first use, or re-clones when the cache holds something else (or is broken). */
  private async ensureClone(): Promise<SimpleGit> {
    if (this.legacyWorkdir) await rm(this.legacyWorkdir, { recursive: true, force: true });
    if (await exists(join(this.workdir, '.git'))) {
      const git = this.git(this.workdir);
      const url = await git.remote(['get-url', 'origin']).catch(() => undefined);
      if (typeof url === 'string' && url.trim() === this.remote) return git;
      await rm(this.workdir, { recursive: true, force: true });
    }
    // The clone is private to flowsync's user: manifests may sit next to secret files.
    await mkdir(this.workdir, { recursive: true, mode: 0o700 });
    await chmod(this.workdir, 0o700);
    await this.run('clone', () =>
      this.git(this.workdir).clone(this.remote, '.', ['--no-tags', '--single-branch', '--branch', this.opts.branch]),
    ).catch(async (err: unknown) => {
      await rm(this.workdir, { recursive: true, force: true }); // a half clone must not look like a cache
      throw err;
    });
    return this.git(this.workdir);
  }

  private async run<T>(step: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const raw = err instanceof Error ? err.message : String(err);
      const reason = stripUrlCredentials(raw).trim().split('\n').filter(Boolean).slice(-2).join(' ');
      throw new FlowsyncError('FS_SOURCE_GIT', `git ${step} failed for ${this.describe()}: ${reason}`);
    }
  }
}

function looksLikeUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo); // URL or scp-like git@host:path
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
