// Options of the Flow Service client, their defaults, and how they are read from the environment.
import type { BreakerOptions, BreakerState, BudgetOptions } from './limits.ts';
import type { PacerOptions } from './pacer.ts';

export const DEFAULT_ENDPOINT = 'https://platform.adobe.io';
export const DEFAULT_IMS_ENDPOINT = 'https://ims-na1.adobelogin.com/ims/token/v3';
export const DEFAULT_SCOPE = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext';
export const FLOW_SERVICE_PATH = '/data/foundation/flowservice';

export type ClientEvent =
  | { type: 'request'; method: string; collection: string; status: number; durationMs: number; attempt: number }
  | { type: 'retry'; method: string; collection: string; reason: RetryReason; attempt: number; delayMs: number }
  | { type: 'breaker'; state: BreakerState }
  | { type: 'budget'; remaining: number; waitMs: number }
  | { type: 'token'; source: 'ims' | 'static'; expiresInSeconds?: number };

export type RetryReason = 'throttled' | 'server-error' | 'network' | 'timeout' | 'unauthorized';

export interface FlowServiceClientOptions {
  /** Base URL, e.g. https://platform.adobe.io (the client appends /data/foundation/flowservice), or the full Flow Service URL. */
  endpoint: string;
  /** Full IMS token URL (default https://ims-na1.adobelogin.com/ims/token/v3). */
  imsEndpoint?: string;
  orgId: string;
  clientId: string;
  clientSecret?: string;
  /** A ready access token; used as is (no IMS call) until the API answers 401. */
  accessToken?: string;
  scope?: string;
  timeoutMs?: number; // per attempt, default 30 s
  /**
   * How long after a create whose answer was lost it may still commit (default 60 s, never less
   * than timeoutMs): the client looks the entity up that long before it may send the create again.
   */
  lateCommitWindowMs?: number;
  maxRetries?: number; // retries after the first attempt, default 5
  concurrency?: number; // requests in flight at once, default 16 (apply's reconcile.concurrency bounds the actions)
  budget?: BudgetOptions; // token bucket; off when absent
  /**
   * Learning the rate limit from 429s (on by default): a 429's Retry-After pauses every request of
   * this client, and the client then paces itself just under the rate the API accepted. false: off.
   */
  pacing?: PacerOptions | false;
  breaker?: BreakerOptions; // default { failureThreshold: 8, cooldownMs: 10 s }; failureThreshold 0 turns it off
  /**
   * How long requests wait out an outage (default 60 s, counted from when the breaker opened): they
   * wait for its half-open probe instead of failing at once. 0: fail while it is open.
   */
  outageWaitMs?: number;
  /**
   * How long a write to a dataflow waits for it to settle (default 60 s): after this client wrote
   * the flow, or when the API refused the write because the flow is mid-operation (1416/1420/1421).
   */
  settleTimeoutMs?: number;
  /** Backoff: first delay cap and ceiling in ms (full jitter between 0 and min(max, base * 2^n)). */
  backoff?: { baseMs: number; maxMs: number };
  /** Longest Retry-After honoured in ms (default 60 s); a longer one ends the retries. */
  maxRetryAfterMs?: number;
  onEvent?: (e: ClientEvent) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  userAgent?: string;
}

/** The Flow Service base URL (no trailing slash) for an endpoint given either way. */
export function flowServiceBase(endpoint: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(FLOW_SERVICE_PATH) ? path : `${path}${FLOW_SERVICE_PATH}`;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

type Env = Record<string, string | undefined>;

/**
 * Client options from the environment (FLOWSYNC_ENDPOINT, FLOWSYNC_IMS_ENDPOINT, FLOWSYNC_CLIENT_ID,
 * FLOWSYNC_CLIENT_SECRET, FLOWSYNC_ACCESS_TOKEN, FLOWSYNC_ORG_ID). Only the variables that are set
 * (and not empty) appear in the result, so the CLI can layer flags over env over flowsync.yaml.
 */
export function clientOptionsFromEnv(env: Env = process.env): Partial<FlowServiceClientOptions> {
  const pick = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const out: Partial<FlowServiceClientOptions> = {};
  const endpoint = pick('FLOWSYNC_ENDPOINT');
  const imsEndpoint = pick('FLOWSYNC_IMS_ENDPOINT');
  const clientId = pick('FLOWSYNC_CLIENT_ID');
  const clientSecret = pick('FLOWSYNC_CLIENT_SECRET');
  const accessToken = pick('FLOWSYNC_ACCESS_TOKEN');
  const orgId = pick('FLOWSYNC_ORG_ID');
  if (endpoint) out.endpoint = endpoint;
  if (imsEndpoint) out.imsEndpoint = imsEndpoint;
  if (clientId) out.clientId = clientId;
  if (clientSecret) out.clientSecret = clientSecret;
  if (accessToken) out.accessToken = accessToken;
  if (orgId) out.orgId = orgId;
  return out;
}

/** The base URL of another Platform API (its path, e.g. /data/core/ups) on the host of a Flow Service base URL. */
export function platformApiBase(flowServiceBase: string, apiPath: string): string {
  const url = new URL(flowServiceBase);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = `${path.endsWith(FLOW_SERVICE_PATH) ? path.slice(0, -FLOW_SERVICE_PATH.length) : path}${apiPath}`;
  return url.toString().replace(/\/+$/, '');
}
