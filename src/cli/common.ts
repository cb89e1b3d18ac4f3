// Pieces every API-facing command shares: the connection flags, loading the config repo with its
// diagnostics shown, and colour decisions (src/render/color.ts: TTY, NO_COLOR, FORCE_COLOR).
import path from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';
import { hasErrors } from '../domain/diagnostics.ts';
import type { FlowServiceClient } from '../api/client.ts';
import { loadConfig, loadRepo, type FlowsyncConfig, type LoadedRepo } from '../manifest/index.ts';
import { scopeDesired, unknownSandboxes } from '../manifest/scope.ts';
import { parseDuration } from '../manifest/config.ts';
import { loadRepoSecretsOptional } from '../manifest/secrets-optional.ts';
import { countLine, renderDiagnosticsText } from '../render/diagnostics.ts';
import { resolveAudiences } from '../reconcile/audiences.ts';
import { connect, type ConnectFlags } from '../reconcile/connect.ts';
import type { CommandIO } from './command.ts';
import { useColor } from '../render/color.ts';

export const CONNECT_OPTIONS = {
  endpoint: { type: 'string' },
  'ims-endpoint': { type: 'string' },
  org: { type: 'string' },
  'client-id': { type: 'string' },
} as const;

export const CONNECT_USAGE = `Connection (flags win over FLOWSYNC_* environment variables, which win over flowsync.yaml):
  --endpoint URL      API base, e.g. https://platform.adobe.io or http://127.0.0.1:4010 (emulator)
  --ims-endpoint URL  IMS token URL (default https://ims-na1.adobelogin.com/ims/token/v3)
  --org ID            IMS org id (…@AdobeOrg)
  --client-id ID      API client id (x-api-key); the secret or token only from env or flowsync.yaml`;

export function connectFlags(values: Record<string, unknown>): ConnectFlags {
  const flags: ConnectFlags = {};
  if (typeof values.endpoint === 'string') flags.endpoint = values.endpoint;
  if (typeof values['ims-endpoint'] === 'string') flags.imsEndpoint = values['ims-endpoint'];
  if (typeof values.org === 'string') flags.org = values.org;
  if (typeof values['client-id'] === 'string') flags.clientId = values['client-id'];
  return flags;
}

/**
 * For commands that read only flowsync.yaml (not the manifests): the config and a client built from
 * it, the flags and the environment; undefined after printing the config's errors.
 */
export async function connectWithConfigOnly(
  values: Record<string, unknown>,
  io: CommandIO,
): Promise<{ config: FlowsyncConfig; client: FlowServiceClient } | undefined> {
  const root = path.resolve(io.cwd, typeof values.dir === 'string' ? values.dir : '.');
  const { config, diagnostics } = await loadConfig(root);
  if (hasErrors(diagnostics)) {
    io.stderr.write(renderDiagnosticsText(diagnostics, { color: useColor(io.stderr, io.env) }));
    return undefined;
  }
  return { config, client: await connect(config, { root, env: io.env, flags: connectFlags(values) }) };
}

export { useColor };

/**
 * Loads the config repo; prints warnings, and on errors prints them all and returns undefined
 * (the caller exits 1 before any API call: bad input never causes a write).
 */
export async function loadRepoOrReport(
  dir: string,
  io: CommandIO,
  opts: { resolveSecrets?: boolean; secretsOptional?: boolean; allowEmpty?: boolean } = {},
): Promise<LoadedRepo | undefined> {
  const root = path.resolve(io.cwd, dir);
  let repo: LoadedRepo;
  if (opts.secretsOptional) {
    const loaded = await loadRepoSecretsOptional(root, io.env);
    repo = loaded.repo;
    if (loaded.secretsSkipped) {
      io.stderr.write('Secret references could not be resolved, so credential changes are not compared (and accounts cannot be created from this plan).\n');
    }
  } else {
    repo = await loadRepo(root, { env: io.env, resolveSecrets: opts.resolveSecrets ?? true, ...(opts.allowEmpty ? { allowEmpty: true } : {}) });
  }
  if (repo.diagnostics.length > 0) {
    const prefix = path.relative(io.cwd, root);
    io.stderr.write(renderDiagnosticsText(repo.diagnostics, { color: useColor(io.stderr, io.env), ...(prefix ? { filePrefix: prefix } : {}) }));
  }
  if (hasErrors(repo.diagnostics)) {
    io.stderr.write(`\nThe manifests are not valid (${countLine(repo.diagnostics)}); nothing was read from or written to the API.\n`);
    return undefined;
  }
  return repo;
}

export const ROTATE_USAGE = `  --rotate-credentials SANDBOX/ACCOUNT
                        send this account's credentials from the manifest even though nothing shows
                        they changed (for accounts adopted by import); repeatable`;

/** --rotate-credentials values, checked to be "sandbox/account". */
export function rotateFlag(command: string, values: unknown): string[] {
  const list = Array.isArray(values) ? (values as string[]) : [];
  for (const v of list) {
    if (!/^[a-z][a-z0-9-]*\/[a-z0-9][a-z0-9._-]*$/.test(v)) {
      throw new FlowsyncError('FS_CLI_USAGE', `${command}: --rotate-credentials takes SANDBOX/ACCOUNT, e.g. prod/kinesis-prod (got "${v}")`);
    }
  }
  return list;
}

export const LOCK_TIMEOUT_USAGE = `  --lock-timeout DURATION
                        wait up to this long (e.g. 30s, 2m) for another run's writer lease of a
                        sandbox; without it a held lease fails at once (FS_LEASE_HELD)`;

/** --lock-timeout as milliseconds (0 when absent): a duration like 30s, 2m or 1m30s. */
export function lockTimeoutFlag(command: string, value: unknown): number {
  if (value === undefined) return 0;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) throw new FlowsyncError('FS_CLI_USAGE', `${command}: --lock-timeout takes a duration such as 30s or 2m (got "${String(value)}")`);
  return ms;
}

export const SANDBOX_USAGE = `  --sandbox NAME        only this sandbox (repeatable): the others are neither read nor written,
                        and the org is not scanned for orphans elsewhere`;

/**
 * The repo limited to the --sandbox names (unchanged without them). The org is not scanned for
 * other sandboxes: the ones left out would come back as orphans there.
 */
export function scopeRepo(command: string, repo: LoadedRepo, scope: readonly string[] | undefined): LoadedRepo {
  if (!scope || scope.length === 0) return repo;
  const unknown = unknownSandboxes(repo.desired, scope);
  if (unknown.length > 0) {
    throw new FlowsyncError('FS_CLI_USAGE', `${command}: --sandbox ${unknown.join(', ')}: no manifest or flowsync.yaml names ${unknown.length === 1 ? 'that sandbox' : 'those sandboxes'} (named: ${repo.desired.sandboxes.join(', ')})`);
  }
  return { ...repo, desired: scopeDesired(repo.desired, scope), config: { ...repo.config, reconcile: { ...repo.config.reconcile, scanSandboxes: false } } };
}

/**
 * The repo with its segments resolved against each sandbox's audiences (one list walk per sandbox
 * that names segments); undefined after printing the findings when any is an error: nothing is written.
 */
export async function resolveOrReport(client: FlowServiceClient, repo: LoadedRepo, io: CommandIO): Promise<LoadedRepo | undefined> {
  const { desired, diagnostics } = await resolveAudiences(client, repo.desired);
  if (diagnostics.length > 0) {
    const prefix = path.relative(io.cwd, repo.root);
    io.stderr.write(renderDiagnosticsText(diagnostics, { color: useColor(io.stderr, io.env), ...(prefix ? { filePrefix: prefix } : {}) }));
  }
  if (hasErrors(diagnostics)) {
    io.stderr.write(`\nThe manifests name segments that are no audiences of their sandbox (${countLine(diagnostics)}); nothing was written.\n`);
    return undefined;
  }
  return { ...repo, desired };
}
