// Builds the API client's options from, in order of precedence: command-line flags, FLOWSYNC_*
// environment variables, then flowsync.yaml (whose secrets are references resolved here).
import { clientOptionsFromEnv, DEFAULT_BREAKER, FlowServiceClient, type ClientEvent, type FlowServiceClientOptions } from '../api/index.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { resolveSecretRef, type FlowsyncConfig } from '../manifest/index.ts';
import { effectiveTarget } from './target.ts';

export interface ConnectFlags {
  endpoint?: string;
  imsEndpoint?: string;
  org?: string;
  clientId?: string;
}

export async function clientOptions(
  config: FlowsyncConfig,
  ctx: { root: string; env: NodeJS.ProcessEnv; flags?: ConnectFlags; concurrency?: number },
): Promise<FlowServiceClientOptions> {
  const fromEnv = clientOptionsFromEnv(ctx.env);
  const flags = ctx.flags ?? {};
  const orgId = effectiveTarget(config, ctx.env, flags).org;
  const clientId = flags.clientId ?? fromEnv.clientId ?? config.api.clientId;
  const endpoint = httpUrl(flags.endpoint, fromEnv.endpoint, config.api.endpoint, ['--endpoint', 'FLOWSYNC_ENDPOINT', 'api.endpoint']);
  const imsEndpoint = httpUrl(flags.imsEndpoint, fromEnv.imsEndpoint, config.api.imsEndpoint, ['--ims-endpoint', 'FLOWSYNC_IMS_ENDPOINT', 'api.imsEndpoint']);
  const options: FlowServiceClientOptions = {
    endpoint,
    imsEndpoint,
    orgId: orgId ?? '',
    clientId,
    scope: config.api.scope,
    timeoutMs: config.api.timeoutMs,
    lateCommitWindowMs: config.api.lateCommitWindowMs,
    outageWaitMs: config.api.outageWaitMs,
    breaker: { ...DEFAULT_BREAKER, cooldownMs: config.api.breakerCooldownMs },
    settleTimeoutMs: config.api.settleTimeoutMs,
    concurrency: ctx.concurrency ?? config.reconcile.concurrency,
    // A stated quota spaces requests evenly (no burst) at 95% of it: the 5% absorbs latency jitter
    // and the server's window boundaries, so a per-second window never overflows. Without one the
    // client learns the rate from 429s.
    ...(config.api.requestsPerSecond > 0 ? { budget: { requestsPerSecond: config.api.requestsPerSecond * 0.95, burst: 1 } } : {}),
  };
  const refCtx = { root: ctx.root, env: ctx.env };
  for (const name of ['FLOWSYNC_CLIENT_SECRET', 'FLOWSYNC_ACCESS_TOKEN']) {
    const raw = ctx.env[name];
    if (raw && raw.trim() === '') throw new FlowsyncError('FS_SECRET_BLANK', `cannot use ${name}: it holds only whitespace`, { hint: `Put the secret itself in ${name}, or unset it.` });
  }
  const accessToken = fromEnv.accessToken ?? (config.api.accessToken ? await resolveSecretRef(config.api.accessToken, refCtx) : undefined);
  const clientSecret = fromEnv.clientSecret ?? (config.api.clientSecret ? await resolveSecretRef(config.api.clientSecret, refCtx) : undefined);
  if (accessToken) options.accessToken = accessToken;
  if (clientSecret) options.clientSecret = clientSecret;

  const missing = [
    !orgId && 'an IMS org id (--org, FLOWSYNC_ORG_ID or `org` in flowsync.yaml)',
    !clientId && 'a client id (--client-id, FLOWSYNC_CLIENT_ID or `api.clientId`)',
    !accessToken && !clientSecret && 'a client secret or access token (FLOWSYNC_CLIENT_SECRET / FLOWSYNC_ACCESS_TOKEN or `api.clientSecret` / `api.accessToken`)',
  ].filter((m): m is string => Boolean(m));
  if (missing.length > 0) {
    throw new FlowsyncError('FS_API_AUTH', `no API credentials: flowsync needs ${missing.join(', ')}`, {
      hint: 'See docs/getting-started.md, "Running against a real AEP org"; for the local emulator run `flowsync emulator` and use its printed settings.',
    });
  }
  return options;
}

/**
 * The effective URL (flag > env > flowsync.yaml), refused before any request unless it is http(s):
 * the error names the setting it came from, and only the URL's scheme (it may hold credentials).
 */
function httpUrl(flag: string | undefined, env: string | undefined, file: string, [flagName, envName, field]: [string, string, string]): string {
  const [value, setting] = flag !== undefined ? [flag, flagName] : env !== undefined ? [env, envName] : [file, `${field} in flowsync.yaml`];
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // not a URL at all
  }
  if (protocol === 'http:' || protocol === 'https:') return value;
  throw new FlowsyncError('FS_CONFIG_ENDPOINT', `${setting}: ${protocol ? `a "${protocol}//" URL` : 'not a URL'}; flowsync talks to the API over http:// or https:// only`, {
    details: { setting },
  });
}

export async function connect(
  config: FlowsyncConfig,
  ctx: { root: string; env: NodeJS.ProcessEnv; flags?: ConnectFlags; concurrency?: number; onEvent?: (e: ClientEvent) => void },
): Promise<FlowServiceClient> {
  const options = await clientOptions(config, ctx);
  if (ctx.onEvent) options.onEvent = ctx.onEvent;
  return new FlowServiceClient(options);
}
