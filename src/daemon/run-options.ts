// `flowsync run` flags turned into daemon settings. Pure apart from reading the webhook secret
// (env or file), so every rule here is unit-tested without starting anything.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';
import { rememberSecret } from '../domain/redact.ts';
import { parseDuration } from '../manifest/index.ts';
import { splitUrlCredentials } from './redact-url.ts';
import type { Mode } from './types.ts';

export const DEFAULT_LISTEN = '127.0.0.1:9465';
export const DEFAULT_INTERVAL = '5m';
export const DEFAULT_POLL = '1m';
export const DEFAULT_CACHE_DIR = '.flowsync/cache';
/**
 * Environment variables that stand in for a flag's default, so a container image can set where a
 * pod listens and caches (ENV in the Dockerfile) while a flag still wins. Empty counts as unset.
 */
export const LISTEN_ENV = 'FLOWSYNC_LISTEN';
export const CACHE_DIR_ENV = 'FLOWSYNC_CACHE_DIR';

export interface RunFlags {
  repo?: string;
  branch?: string;
  path?: string;
  dir?: string;
  interval?: string;
  poll?: string;
  mode?: string;
  listen?: string;
  'webhook-secret-env'?: string;
  'webhook-secret-file'?: string;
  'webhook-insecure'?: boolean;
  'notify-url-env'?: string;
  'cache-dir'?: string;
  'git-token-env'?: string;
  'git-token-file'?: string;
  once?: boolean;
  'allow-mass-delete'?: boolean;
  'log-level'?: string;
}

export interface RunSettings {
  source: { kind: 'git'; repo: string; branch: string; path: string; cacheDir: string; pollMs: number; authorization?: string } | { kind: 'folder'; dir: string };
  /** Things the operator should fix that do not stop the daemon (a --repo URL carrying a token). */
  warnings: string[];
  intervalMs: number;
  /** --interval was given: it wins over flowsync.yaml's daemon.interval. */
  intervalFixed: boolean;
  mode: Mode;
  listen: { host: string; port: number } | null;
  webhook: { secret?: string; insecure: boolean; branch?: string };
  notifyUrl?: string;
  once: boolean;
  allowMassDelete: boolean;
  logLevel: string;
}

const usage = (message: string) => new FlowsyncError('FS_CLI_USAGE', `run: ${message}`, { hint: 'Run `flowsync run --help`.' });

export function durationFlag(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw usage(`--${flag} must be a duration like 30s, 5m or 1h (got "${value}")`);
  return ms;
}

/** HOST:PORT, [IPv6]:PORT, :PORT (loopback) or "off"; `from` names where the value came from. */
export function parseListen(value: string, from = '--listen'): { host: string; port: number } | null {
  if (value === 'off') return null;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw usage(`${from} must be HOST:PORT, :PORT or off (got "${value}")`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export async function runSettings(flags: RunFlags, ctx: { env: NodeJS.ProcessEnv; cwd: string }): Promise<RunSettings> {
  if (Boolean(flags.repo) === Boolean(flags.dir)) throw usage('give exactly one source: --repo URL|PATH (follow a git branch) or --dir FOLDER (watch a folder)');
  if (flags.dir && (flags.branch || flags.path)) throw usage('--branch and --path go with --repo, not --dir');
  const mode = flags.mode ?? 'apply';
  if (mode !== 'apply' && mode !== 'observe') throw usage(`--mode must be apply or observe (got "${mode}")`);
  if (flags['webhook-secret-env'] && flags['webhook-secret-file']) throw usage('give --webhook-secret-env or --webhook-secret-file, not both');
  if (flags['git-token-env'] && flags['git-token-file']) throw usage('give --git-token-env or --git-token-file, not both');
  if (!flags.repo && (flags['git-token-env'] || flags['git-token-file'])) throw usage('--git-token-env and --git-token-file go with --repo');

  const branch = flags.branch ?? 'main';
  const envDefault = (name: string) => ctx.env[name] || undefined;
  const source: RunSettings['source'] = flags.repo
    ? { kind: 'git', repo: flags.repo, branch, path: (flags.path ?? '').replace(/^\/+|\/+$/g, ''), cacheDir: resolve(ctx.cwd, flags['cache-dir'] ?? envDefault(CACHE_DIR_ENV) ?? DEFAULT_CACHE_DIR), pollMs: flags.poll === '0' || flags.poll === 'off' ? 0 : durationFlag('poll', flags.poll ?? DEFAULT_POLL) }
    : { kind: 'folder', dir: resolve(ctx.cwd, flags.dir!) };
  const warnings: string[] = [];
  if (source.kind === 'git') {
    const token = await secretFromFlags(flags, 'git-token', ctx);
    if (token !== undefined) source.authorization = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    if (splitUrlCredentials(source.repo).authorization) {
      warnings.push('the --repo URL carries credentials: flowsync sends them as a per-command git header and never writes them to the clone, but they are visible in the process arguments; pass the token with --git-token-env VAR or --git-token-file FILE instead');
    }
  }

  const secret = await secretFromFlags(flags, 'webhook-secret', ctx);
  const notifyUrl = flags['notify-url-env'] ? ctx.env[flags['notify-url-env']] : undefined;
  rememberSecret(notifyUrl); // a Slack-style URL is itself a secret
  if (flags['notify-url-env'] && !notifyUrl) throw usage(`--notify-url-env names ${flags['notify-url-env']}, which is not set`);

  return {
    source,
    warnings,
    intervalMs: durationFlag('interval', flags.interval ?? DEFAULT_INTERVAL),
    intervalFixed: flags.interval !== undefined,
    mode,
    listen: flags.listen !== undefined ? parseListen(flags.listen) : parseListen(envDefault(LISTEN_ENV) ?? DEFAULT_LISTEN, LISTEN_ENV),
    webhook: { ...(secret !== undefined ? { secret } : {}), insecure: Boolean(flags['webhook-insecure']), ...(source.kind === 'git' ? { branch } : {}) },
    ...(notifyUrl ? { notifyUrl } : {}),
    once: Boolean(flags.once),
    allowMassDelete: Boolean(flags['allow-mass-delete']),
    logLevel: flags['log-level'] ?? 'info',
  };
}

/** The secret named by --PREFIX-env or --PREFIX-file (webhook-secret, git-token), remembered for redaction. */
async function secretFromFlags(flags: RunFlags, prefix: 'webhook-secret' | 'git-token', ctx: { env: NodeJS.ProcessEnv; cwd: string }): Promise<string | undefined> {
  const envName = flags[`${prefix}-env`];
  const hint = { hint: `Set the environment variable named by --${prefix}-env, or point --${prefix}-file at a readable file holding the value.` };
  if (envName) {
    const value = ctx.env[envName];
    if (!value) throw new FlowsyncError('FS_DAEMON_SECRET', `--${prefix}-env names ${envName}, which is not set or empty`, hint);
    if (!value.trim()) throw new FlowsyncError('FS_SECRET_BLANK', `--${prefix}-env names ${envName}, which holds only whitespace`, hint);
    rememberSecret(value);
    return value;
  }
  const file = flags[`${prefix}-file`];
  if (file) {
    const value = await readFile(resolve(ctx.cwd, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new FlowsyncError('FS_DAEMON_SECRET', `cannot read --${prefix}-file ${file}: ${err.code ?? err.message}`, hint);
    });
    const trimmed = value.trim(); // files written with `echo` end with a newline that is not part of the secret
    if (!trimmed) throw new FlowsyncError(value ? 'FS_SECRET_BLANK' : 'FS_DAEMON_SECRET', `--${prefix}-file ${file} is ${value ? 'only whitespace' : 'empty'}`, hint);
    rememberSecret(trimmed);
    return trimmed;
  }
  return undefined;
}
