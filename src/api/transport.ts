// One request to the Flow Service or IMS, with everything around it: budget, breaker, concurrency,
// auth headers, timeouts, retries with backoff, the 401 token refresh, and the create rule (an
// ambiguous failure is settled by lookups before anything is sent again: see settleCreate.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { receiveText } from './body.ts';
import { ApiError, codeForStatus, parseErrorBody, scrub } from './errors.ts';
import { jitteredDelay, parseRetryAfter } from './backoff.ts';
import { CircuitBreaker, Semaphore, TokenBucket } from './limits.ts';
import type { RatePacer } from './pacer.ts';
import type { ClientEvent, RetryReason } from './options.ts';
import { settleCreate } from './settle-create.ts';
import type { HttpAnswer, TokenSource } from './token.ts';

export interface Found {
  id: string;
  etag: string;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  collection: string; // for events: connections, flows, flows/action, ims …
  entity: string; // for messages: "flows/<id>", "flows \"name\"", "ims"
  sandbox?: string;
  headers?: Record<string, string>;
  data?: unknown;
  form?: URLSearchParams;
  /** false for IMS: no token, no budget, no breaker. */
  flowService: boolean;
  /** Creates: called on an ambiguous failure before any retry; a hit ends the request. */
  findExisting?: () => Promise<Found | undefined>;
  isCreate?: boolean;
  /** Hand back final (non-retryable) error answers instead of throwing: IMS bodies are read by the token source. */
  returnErrors?: boolean;
  /** The writer lease's own requests: not asked to the write guard. */
  bypassWriteGuard?: boolean;
}

/** Asked before every attempt of a Flow Service write; throws to stop it (e.g. FS_LEASE_LOST). */
export type WriteGuard = (sandbox: string | undefined) => void;

export type Outcome = { answer: HttpAnswer } | { existing: Found };

export interface TransportOptions {
  orgId: string;
  clientId: string;
  userAgent: string;
  timeoutMs: number;
  /** How long after an ambiguous create was sent it may still commit (>= timeoutMs). */
  lateCommitWindowMs: number;
  maxRetries: number;
  concurrency: number;
  backoff: { baseMs: number; maxMs: number };
  maxRetryAfterMs: number;
  /** How long a request waits for an open breaker's probe, counted from when it opened (0: fail at once). */
  outageWaitMs: number;
  bucket?: TokenBucket;
  breaker?: CircuitBreaker;
  /** Shared 429 gate and learned pace (Flow Service requests only). */
  pacer?: RatePacer;
  emit: (e: ClientEvent) => void;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

type Attempt = ({ kind: 'answer'; answer: HttpAnswer } | { kind: 'failed'; reason: 'network' | 'timeout'; sent: boolean; detail: string }) & {
  /** When the attempt went out (the late-commit window counts from here). */
  startedAt: number;
};

/** Set while a create's lookups run: until when a lookup may wait for an open breaker's probe. */
const lookupWindow = new AsyncLocalStorage<{ breakerWaitUntil: number }>();

const THROTTLED_RETRIES_FACTOR = 4;
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUTS = new Set(['ECONNABORTED', 'ETIMEDOUT']);

export class Transport {
  private readonly http: AxiosInstance;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly semaphore: Semaphore;
  tokens: TokenSource | undefined;
  writeGuard: WriteGuard | undefined;

  constructor(private readonly opts: TransportOptions) {
    const agentOpts = { keepAlive: true, maxSockets: opts.concurrency + 2 };
    this.agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
    this.semaphore = new Semaphore(opts.concurrency);
    this.http = axios.create({
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      validateStatus: () => true,
      timeout: opts.timeoutMs,
      // The body is read by receiveText (body.ts): at the pace it is parsed, not as fast as it arrives.
      responseType: 'stream',
      transformResponse: [(d: unknown) => d],
      maxRedirects: 0,
      proxy: false,
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  get inFlight(): number {
    return this.semaphore.inFlight;
  }

  async request(spec: RequestSpec): Promise<Outcome> {
    let attempt = 0;
    let throttled = 0; // 429 retries: the API asked to come back later, a budget of their own
    let refreshed = false;
    let waitedUntil = 0; // the 429 pause this request already slept through
    for (;;) {
      if (spec.flowService && spec.method !== 'GET' && !spec.bypassWriteGuard) this.writeGuard?.(spec.sandbox);
      const token = spec.flowService ? await this.admit(spec) : undefined;
      const pacer = spec.flowService ? this.opts.pacer : undefined;
      let sentAt = 0;
      const result = await this.semaphore.run(async () => {
        if (pacer) {
          await this.pace(pacer, waitedUntil);
          sentAt = pacer.sent();
        }
        return this.once(spec, token, attempt);
      });
      const gateUntil = pacer && result.kind === 'answer' ? pacer.answered(sentAt, result.answer.status === 429, this.honouredRetryAfter(result.answer)) : 0;
      let reason: RetryReason;
      let retryAfterMs: number | undefined;
      let lastProblem: string;
      if (result.kind === 'answer') {
        const { status } = result.answer;
        if (status >= 200 && status < 300) {
          if (spec.flowService) this.opts.breaker?.success();
          return { answer: result.answer };
        }
        if (status === 401 && token !== undefined && !refreshed && this.tokens?.canRefresh()) {
          refreshed = true;
          this.tokens.invalidate(token);
          this.opts.breaker?.neutral();
          this.opts.emit({ type: 'retry', method: spec.method, collection: spec.collection, reason: 'unauthorized', attempt, delayMs: 0 });
          continue;
        }
        if (!RETRY_STATUSES.has(status)) {
          if (spec.flowService) this.opts.breaker?.neutral();
          if (spec.returnErrors) return { answer: result.answer };
          throw this.toError(spec, result.answer);
        }
        reason = status === 429 ? 'throttled' : 'server-error';
        if (status === 429) {
          if (spec.flowService) this.opts.breaker?.neutral();
          retryAfterMs = this.retryAfter(result.answer);
        } else if (spec.flowService) this.opts.breaker?.failure();
        lastProblem = this.describe(spec, result.answer);
      } else {
        if (spec.flowService) this.opts.breaker?.failure();
        reason = result.reason;
        lastProblem = `${spec.method} ${spec.entity}: ${result.detail}`;
      }

      const ambiguous =
        spec.isCreate === true &&
        ((result.kind === 'failed' && (result.sent || result.reason === 'timeout')) || (result.kind === 'answer' && result.answer.status >= 500));
      if (ambiguous) {
        const settled = await settleCreate({
          entity: spec.entity,
          problem: lastProblem,
          status: result.kind === 'answer' ? result.answer.status : 0,
          sentAt: result.startedAt,
          windowMs: this.opts.lateCommitWindowMs,
          ...(spec.findExisting ? { findExisting: spec.findExisting } : {}),
          lookup: (find, breakerWaitUntil) => lookupWindow.run({ breakerWaitUntil }, find),
          now: this.opts.now,
          sleep: this.opts.sleep,
          random: this.opts.random,
        });
        if (settled) return { existing: settled };
        // absence established: sending the create again counts as a retry below
      }
      // Under a storm of 429s (each honoured with its pause) a request may meet several in a row:
      // they do not spend the retries meant for failures, but have a larger bound of their own.
      if (reason === 'throttled' ? throttled >= this.opts.maxRetries * THROTTLED_RETRIES_FACTOR : attempt - throttled >= this.opts.maxRetries) {
        throw new ApiError('FS_API_UNAVAILABLE', `${lastProblem} (gave up after ${attempt + 1} attempts)`, {
          status: result.kind === 'answer' ? result.answer.status : 0,
          entity: spec.entity,
          ...this.ids(result),
        });
      }
      if (retryAfterMs !== undefined && retryAfterMs > this.opts.maxRetryAfterMs) {
        throw new ApiError('FS_API_UNAVAILABLE', `${lastProblem}; the API asked to wait ${Math.ceil(retryAfterMs / 1000)} s, longer than allowed`, {
          status: 429,
          entity: spec.entity,
          ...this.ids(result),
        });
      }
      // Behind a shared gate the wait runs to the gate's end (another request may have pushed it later).
      const delayMs = gateUntil > 0 ? Math.max(retryAfterMs ?? 0, gateUntil - this.opts.now()) : (retryAfterMs ?? jitteredDelay(attempt, this.opts.backoff, this.opts.random));
      if (gateUntil > 0) waitedUntil = gateUntil;
      this.opts.emit({ type: 'retry', method: spec.method, collection: spec.collection, reason, attempt: attempt + 1, delayMs });
      await this.opts.sleep(delayMs);
      if (reason === 'throttled') throttled += 1;
      attempt += 1;
    }
  }

  private retryAfter(answer: HttpAnswer): number | undefined {
    return answer.status === 429 ? parseRetryAfter(answer.headers['retry-after'], Date.now()) : undefined;
  }

  /** A Retry-After too long to honour ends that request's retries; it must not pause everyone else. */
  private honouredRetryAfter(answer: HttpAnswer): number | undefined {
    const ms = this.retryAfter(answer);
    return ms !== undefined && ms <= this.opts.maxRetryAfterMs ? ms : undefined;
  }

  /** Waits for the shared 429 gate and the learned pace; a gate raised meanwhile is waited for too. */
  private async pace(pacer: RatePacer, waitedUntil: number): Promise<void> {
    let waited = waitedUntil;
    for (let round = 0; round < 100; round++) {
      const slot = pacer.reserve(waited);
      if (slot.waitMs <= 0) return;
      await this.opts.sleep(slot.waitMs);
      if (pacer.pausedUntil <= slot.gate) return; // no new 429 while asleep
      waited = Math.max(waited, slot.gate);
    }
  }

  /**
   * Whether the breaker lets this request through. A short outage must not fail every request:
   * while the breaker is open, wait for its half-open probe (this request's, or another's) until
   * the outage has lasted outageWaitMs (or, for a create's lookups, until the lookup window ends).
   */
  private async passBreaker(breaker: CircuitBreaker): Promise<boolean> {
    const start = this.opts.now();
    const until = Math.max(start - breaker.outageMs() + this.opts.outageWaitMs, lookupWindow.getStore()?.breakerWaitUntil ?? 0);
    let slept = 0; // counted as well as the clock: a wait never outlasts its bound, whatever the clock does
    for (;;) {
      if (breaker.allow()) return true;
      const pause = breaker.state === 'open' ? Math.max(1, breaker.retryInMs()) : 200 + Math.floor(this.opts.random() * 300);
      if (Math.max(this.opts.now() - start, slept) + pause > until - start) return false;
      await this.opts.sleep(pause);
      slept += pause;
    }
  }

  /** Breaker and budget checks, then the token (fetched outside the concurrency slot). */
  private async admit(spec: RequestSpec): Promise<string> {
    const breaker = this.opts.breaker;
    if (breaker && !(await this.passBreaker(breaker))) {
      throw new ApiError(
        'FS_API_BUDGET',
        `${spec.method} ${spec.entity}: not sent, the circuit breaker is open after repeated API failures for ${Math.round(breaker.outageMs() / 1000)} s (next try in ${Math.ceil(breaker.retryInMs() / 1000)} s)`,
        { status: 0, entity: spec.entity },
      );
    }
    const bucket = this.opts.bucket;
    if (bucket) {
      const waitMs = bucket.take();
      if (waitMs === undefined) {
        breaker?.release();
        throw new ApiError('FS_API_BUDGET', `${spec.method} ${spec.entity}: not sent, the request budget is spent`, { status: 0, entity: spec.entity });
      }
      this.opts.emit({ type: 'budget', remaining: bucket.remaining, waitMs });
      if (waitMs > 0) await this.opts.sleep(waitMs);
    }
    if (!this.tokens) throw new Error('transport has no token source');
    try {
      return await this.tokens.get();
    } catch (err) {
      breaker?.release();
      throw err;
    }
  }

  private async once(spec: RequestSpec, token: string | undefined, attempt: number): Promise<Attempt> {
    // The lease's own requests (the only ones past the write guard) say so in the User-Agent, so
    // API logs tell lease traffic from data writes.
    const userAgent = spec.bypassWriteGuard ? `${this.opts.userAgent} lease` : this.opts.userAgent;
    const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: 'application/json', ...spec.headers };
    if (token !== undefined) {
      headers.Authorization = `Bearer ${token}`;
      headers['x-api-key'] = this.opts.clientId;
      headers['x-gw-ims-org-id'] = this.opts.orgId;
      if (spec.sandbox) headers['x-sandbox-name'] = spec.sandbox;
    }
    let data: string | undefined;
    if (spec.form) {
      data = spec.form.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (spec.data !== undefined) {
      data = JSON.stringify(spec.data);
      headers['Content-Type'] = 'application/json';
    }
    const started = this.opts.now();
    try {
      // A write without a body (DELETE, the enable/disable action) goes out without Content-Type, as
      // Adobe's curl examples send it; `false` stops axios from adding its form-urlencoded default.
      const res = await this.http.request<Readable>({ method: spec.method, url: spec.url, headers: data === undefined && spec.method !== 'GET' ? { ...headers, 'Content-Type': false } : headers, data });
      const answer: HttpAnswer = { status: res.status, headers: lowerHeaders(res.headers), data: parseBody(await receiveText(res.data, this.opts.timeoutMs)) };
      this.opts.emit({ type: 'request', method: spec.method, collection: spec.collection, status: res.status, durationMs: this.opts.now() - started, attempt });
      return { kind: 'answer', answer, startedAt: started };
    } catch (err) {
      this.opts.emit({ type: 'request', method: spec.method, collection: spec.collection, status: 0, durationMs: this.opts.now() - started, attempt });
      // Never keep the axios error: its config holds the headers and body (token, secrets).
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'ERR_NETWORK';
      const timeout = TIMEOUTS.has(code);
      return {
        kind: 'failed',
        reason: timeout ? 'timeout' : 'network',
        sent: !NOT_SENT.has(code),
        detail: timeout ? `no answer within ${this.opts.timeoutMs} ms from ${origin(spec.url)}` : `connection to ${origin(spec.url)} failed (${code})`,
        startedAt: started,
      };
    }
  }

  private ids(result: Attempt): { adobeCode?: string; requestId?: string } {
    if (result.kind !== 'answer') return {};
    const parsed = parseErrorBody(result.answer.data);
    const requestId = result.answer.headers['x-request-id'] ?? parsed.requestId;
    return { ...(parsed.adobeCode ? { adobeCode: parsed.adobeCode } : {}), ...(requestId ? { requestId } : {}) };
  }

  private describe(spec: RequestSpec, answer: HttpAnswer): string {
    const parsed = parseErrorBody(answer.data);
    const { adobeCode, requestId } = this.ids({ kind: 'answer', answer, startedAt: 0 });
    const reason = scrub(parsed.message ?? (http.STATUS_CODES[answer.status] ?? 'error'), this.secretsOf(spec));
    const extra = [`HTTP ${answer.status}`, adobeCode ? `code ${adobeCode}` : '', requestId ? `request ${requestId}` : ''].filter(Boolean).join(', ');
    return `${spec.method} ${spec.entity}: ${reason} (${extra})`;
  }

  private toError(spec: RequestSpec, answer: HttpAnswer): ApiError {
    const ids = this.ids({ kind: 'answer', answer, startedAt: 0 });
    const info = { status: answer.status, entity: spec.entity, ...ids };
    // help/landing/troubleshooting.md: the integration behind the token is not entitled to this org.
    // A terminal mistake in the credentials or the org id: not retried, and named as such.
    if (answer.status === 403 && ids.adobeCode === ENTITLEMENT_CODE) {
      return new ApiError('FS_API_ENTITLEMENT', `${this.describe(spec, answer)}: these credentials are not entitled to org ${this.opts.orgId}`, info);
    }
    return new ApiError(codeForStatus(answer.status), this.describe(spec, answer), info);
  }

  private secretsOf(spec: RequestSpec): string[] {
    return [...(this.tokens?.secrets() ?? []), ...authValues(spec.data)];
  }
}

const ENTITLEMENT_CODE = '403025';

/** scheme://host:port of a request URL: what a connection error names (never its path, query or credentials). */
function origin(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return `${u.protocol}//${u.hostname}${port ? `:${port}` : ''}`;
  } catch {
    return 'the endpoint';
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function lowerHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** String values under `auth` in a body, or under a patch op aimed at /auth: scrubbed from error text. */
function authValues(data: unknown): string[] {
  const out: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x);
  };
  if (Array.isArray(data)) {
    for (const op of data) if (op && typeof op === 'object' && String((op as { path?: unknown }).path ?? '').startsWith('/auth')) collect((op as { value?: unknown }).value);
  } else if (data && typeof data === 'object') collect((data as { auth?: unknown }).auth);
  return out;
}
