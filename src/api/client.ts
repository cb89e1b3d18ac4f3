// The Flow Service client: entity verbs over the transport. Lists walk every page; GET by id
// unwraps the list envelope; writes return the new etag (fetching it when the API leaves it out).
import { ApiError } from './errors.ts';
import { CircuitBreaker, DEFAULT_BREAKER, TokenBucket } from './limits.ts';
import { DEFAULT_IMS_ENDPOINT, DEFAULT_SCOPE, flowServiceBase, type ClientEvent, type FlowServiceClientOptions } from './options.ts';
import { isBusyRefusal, isSettled, settleDelay, waitUntilSettled, type FlowStatus } from './flow-settle.ts';
import { nextPageUrl } from './pagination.ts';
import { RatePacer } from './pacer.ts';
import { sandboxApiBase, walkSandboxes } from './sandboxes.ts';
import { segmentationBase, walkAudiences, type Audience } from './audiences.ts';
import { TokenSource } from './token.ts';
import { Transport, type Found, type RequestSpec, type WriteGuard } from './transport.ts';

export type EntityCollection = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';

export interface ListQuery {
  property?: string[];
  orderby?: string;
  limit?: number; // page size, at most 100 (the default)
}

export interface WriteResult {
  id: string;
  etag: string;
}

export interface WriteOptions {
  /** The writer lease's own requests skip the write guard (they are what keeps it satisfied). */
  bypassWriteGuard?: boolean;
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** A connection spec as `GET /connectionSpecs` returns it (the fields flowsync reads; the rest passes through). */
export interface ConnectionSpec {
  id: string;
  name: string;
  providerId?: string;
  version?: string;
  attributes?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FlowSpec {
  id: string;
  name: string;
  sourceConnectionSpecIds?: string[];
  targetConnectionSpecIds?: string[];
  [key: string]: unknown;
}

const MAX_PAGE = 100;
const MAX_PAGES = 100_000;
const SPEC_SANDBOX = 'prod';

/** A 404 about the entity itself, not about the sandbox (2100/2101-404 "Sandbox not found"). */
function entityGone(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'FS_API_NOT_FOUND' && !/^210[01]-/.test(err.adobeCode ?? '');
}

/** The etag as If-Match wants it: verbatim, with quotes added when the value has none. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/"') ? etag : `"${etag}"`;
}

export class FlowServiceClient {
  readonly base: string;
  /** The org every request names (x-gw-ims-org-id). */
  readonly orgId: string;
  private readonly transport: Transport;
  private readonly settle: { timeoutMs: number; now: () => number; sleep: (ms: number) => Promise<void>; random: () => number };
  /** Flows this client wrote (`sandbox/id` → the etag its write returned): they may still be mid-operation. */
  private readonly flowsWritten = new Map<string, string>();

  constructor(options: FlowServiceClientOptions) {
    const now = options.now ?? Date.now;
    const emit = (e: ClientEvent): void => {
      try {
        options.onEvent?.(e);
      } catch {
        // a metrics hook must never break a request
      }
    };
    this.base = flowServiceBase(options.endpoint);
    this.orgId = options.orgId;
    this.settle = {
      timeoutMs: options.settleTimeoutMs ?? 60_000,
      now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
    const breakerOpts = options.breaker ?? DEFAULT_BREAKER;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.transport = new Transport({
      orgId: options.orgId,
      clientId: options.clientId,
      // The pid tells two flowsync processes apart in the API's logs (and in the emulator's request log).
      userAgent: options.userAgent ?? `flowsync/0.1.0 (pid ${process.pid})`,
      timeoutMs,
      // a commit can come as late as the answer could: never a shorter window than the timeout
      lateCommitWindowMs: Math.max(options.lateCommitWindowMs ?? 60_000, timeoutMs),
      maxRetries: options.maxRetries ?? 5,
      concurrency: options.concurrency ?? 16,
      backoff: options.backoff ?? { baseMs: 250, maxMs: 15_000 },
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      outageWaitMs: options.outageWaitMs ?? 60_000,
      ...(options.budget ? { bucket: new TokenBucket(options.budget, now) } : {}),
      ...(options.pacing !== false ? { pacer: new RatePacer(now, options.pacing) } : {}),
      ...(breakerOpts.failureThreshold > 0 ? { breaker: new CircuitBreaker(breakerOpts, now, (state) => emit({ type: 'breaker', state })) } : {}),
      emit,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now,
    });
    this.transport.tokens = new TokenSource({
      imsEndpoint: options.imsEndpoint ?? DEFAULT_IMS_ENDPOINT,
      clientId: options.clientId,
      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      scope: options.scope ?? DEFAULT_SCOPE,
      now,
      emit,
      postForm: async (url, form) => {
        const outcome = await this.transport.request({ method: 'POST', url, collection: 'ims', entity: 'ims token', form, flowService: false, returnErrors: true });
        if ('answer' in outcome) return outcome.answer;
        throw new Error('unreachable: IMS requests are not creates');
      },
    });
  }

  /** Requests being sent right now (never more than the concurrency option). */
  get inFlight(): number {
    return this.transport.inFlight;
  }

  /**
   * Installs (or, with undefined, removes) the check asked before every attempt of every Flow
   * Service write, retries included; what it throws ends the request unsent. The writer lease uses
   * it to stop a run that lost its lease; the lease's own requests pass `bypassWriteGuard`.
   */
  setWriteGuard(guard: WriteGuard | undefined): void {
    this.transport.writeGuard = guard;
  }

  /** Frees the keep-alive sockets. */
  close(): void {
    this.transport.close();
  }

  /** Every entity of a collection matching the query, walking all pages. */
  list<T>(sandbox: string, collection: string, query: ListQuery = {}): Promise<T[]> {
    return this.listEach(sandbox, collection, query, (item) => item as T);
  }

  /**
   * Like list, with each entity passed through `keep` as its page arrives (undefined drops it): a
   * reader keeps only what it needs, and no raw page outlives its own parsing. `onServerTime` gets
   * the first page's Date header (ms), when it has one.
   */
  async listEach<T>(sandbox: string, collection: string, query: ListQuery, keep: (item: unknown) => T | undefined, opts: { onServerTime?: (ms: number) => void } = {}): Promise<T[]> {
    const first = new URL(`${this.base}/${collection}`);
    first.searchParams.set('limit', String(Math.min(MAX_PAGE, Math.max(1, query.limit ?? MAX_PAGE))));
    for (const p of query.property ?? []) first.searchParams.append('property', p);
    if (query.orderby) first.searchParams.set('orderby', query.orderby);
    const items: T[] = [];
    const seen = new Set<string>();
    let url: string | undefined = first.toString();
    while (url) {
      if (seen.has(url) || seen.size >= MAX_PAGES) {
        throw new ApiError('FS_API_RESPONSE', `GET ${collection}: the API sent the same next-page link twice (${seen.size} pages read)`, { status: 200, entity: collection });
      }
      seen.add(url);
      const answer = await this.answer({ method: 'GET', url, collection, entity: collection, sandbox, flowService: true });
      // The server's clock when the first page was answered (its Date header): what a later "changed since" asks from.
      if (seen.size === 1 && opts.onServerTime) {
        const date = Date.parse(answer.headers.date ?? '');
        if (Number.isFinite(date)) opts.onServerTime(date);
      }
      const body = answer.data as { items?: unknown } | undefined;
      if (!body || !Array.isArray(body.items)) {
        if (body && typeof body === 'object' && !('items' in body)) break; // e.g. {count} or an empty object: no items
        throw new ApiError('FS_API_RESPONSE', `GET ${collection}: the answer has no items list`, { status: answer.status, entity: collection });
      }
      for (const item of body.items as unknown[]) {
        const kept = keep(item);
        if (kept !== undefined) items.push(kept);
      }
      url = nextPageUrl(body, this.base, first.toString());
    }
    return items;
  }

  /** How many entities of a collection match the filters: one `count=true` request, which answers `{count}` and no items. */
  async count(sandbox: string, collection: string, property: readonly string[]): Promise<number> {
    const url = new URL(`${this.base}/${collection}`);
    for (const p of property) url.searchParams.append('property', p);
    url.searchParams.set('count', 'true');
    const answer = await this.answer({ method: 'GET', url: url.toString(), collection, entity: collection, sandbox, flowService: true });
    const n = (answer.data as { count?: unknown } | undefined)?.count;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ApiError('FS_API_RESPONSE', `GET ${collection}?count=true: the answer holds no count`, { status: answer.status, entity: collection });
    return n;
  }

  /** One entity, or undefined when the API says 404. */
  async get<T>(sandbox: string, collection: string, id: string): Promise<T | undefined> {
    const entity = `${collection}/${id}`;
    try {
      const answer = await this.answer({ method: 'GET', url: this.url(collection, id), collection, entity, sandbox, flowService: true });
      const body = answer.data as { items?: unknown[] } | undefined;
      if (body && Array.isArray(body.items)) return body.items[0] as T | undefined;
      if (body && typeof body === 'object' && 'id' in body) return body as T;
      throw new ApiError('FS_API_RESPONSE', `GET ${entity}: the answer holds no entity`, { status: answer.status, entity });
    } catch (err) {
      if (entityGone(err)) return undefined;
      throw err;
    }
  }

  /**
   * Creates an entity. A create is never retried blindly: when an attempt fails in a way that may
   * have reached the API (network error after sending, timeout, 5xx), `findExisting` is asked, with
   * back-off, until it finds the entity (returned) or until `lateCommitWindowMs` has passed since
   * that attempt was sent and it still answers "absent" (then the create is sent again, as a retry).
   * When lookups fail or there is no `findExisting`: ApiError FS_API_OUTCOME_UNKNOWN.
   */
  async create(
    sandbox: string,
    collection: string,
    body: unknown,
    opts: { findExisting?: () => Promise<Found | undefined>; bypassWriteGuard?: boolean } = {},
  ): Promise<WriteResult> {
    const bodyName = body && typeof body === 'object' ? (body as { name?: unknown }).name : undefined;
    const name = typeof bodyName === 'string' ? ` "${bodyName}"` : '';
    const entity = `${collection}${name}`;
    const outcome = await this.transport.request({
      method: 'POST',
      url: this.url(collection),
      collection,
      entity,
      sandbox,
      data: body,
      flowService: true,
      isCreate: true,
      ...(opts.findExisting ? { findExisting: opts.findExisting } : {}),
      ...(opts.bypassWriteGuard ? { bypassWriteGuard: true } : {}),
    });
    if ('existing' in outcome) return outcome.existing;
    const data = (outcome.answer.data ?? {}) as Record<string, unknown>;
    let id = typeof data.id === 'string' ? data.id : undefined;
    const location = outcome.answer.headers.location;
    if (!id && location) id = decodeURIComponent(location.replace(/[?#].*$/, '').split('/').filter(Boolean).pop() ?? '');
    if (!id) throw new ApiError('FS_API_RESPONSE', `POST ${entity}: the answer has no id`, { status: outcome.answer.status, entity });
    // Not remembered as a flow to settle: new flows start enabled ("New flows start enabled",
    // update-destination-dataflows.md). Were a create ever asynchronous, the next write's refusal
    // (1416) would make it wait then.
    return this.withEtag(sandbox, collection, id, data.etag);
  }

  /** JSON Patch with If-Match (the etag verbatim; quotes added when absent). 412 → FS_API_PRECONDITION. */
  async patch(sandbox: string, collection: string, id: string, etag: string, ops: PatchOperation[], opts: WriteOptions = {}): Promise<WriteResult> {
    const send = async (ifMatch: string) => {
      const answer = await this.answer({
        method: 'PATCH',
        url: this.url(collection, id),
        collection,
        entity: `${collection}/${id}`,
        sandbox,
        headers: { 'If-Match': quoteEtag(ifMatch) },
        data: ops,
        flowService: true,
        ...(opts.bypassWriteGuard ? { bypassWriteGuard: true } : {}),
      });
      const data = (answer.data ?? {}) as Record<string, unknown>;
      return this.withEtag(sandbox, collection, id, data.etag);
    };
    if (collection !== 'flows') return send(etag);
    return this.wroteFlow(sandbox, collection, await this.whenSettled(sandbox, id, etag, send));
  }

  /** Deletes an entity; one that is already gone (404) counts as deleted. */
  async delete(sandbox: string, collection: string, id: string, opts: WriteOptions = {}): Promise<void> {
    const send = async () => {
      try {
        const bypass = opts.bypassWriteGuard ? { bypassWriteGuard: true } : {};
        await this.answer({ method: 'DELETE', url: this.url(collection, id), collection, entity: `${collection}/${id}`, sandbox, flowService: true, ...bypass });
      } catch (err) {
        if (entityGone(err)) return;
        throw err;
      }
    };
    if (collection !== 'flows') return send();
    await this.whenSettled(sandbox, id, undefined, send);
    this.flowsWritten.delete(`${sandbox}/${id}`);
    // The API finalizes a delete asynchronously (delete-finalizing) and the flow keeps its connections
    // until it is gone: wait for that, so the next write (deleting those connections) is not refused.
    const deadline = this.settle.now() + this.settle.timeoutMs;
    await waitUntilSettled({ entity: `flows/${id}`, deadline, read: () => this.get<FlowStatus>(sandbox, 'flows', id), ...this.settle }, true);
  }

  /**
   * POST /flows/{id}/action?op=enable|disable. An illegal transition (1422-400) on a flow already in
   * the state asked for is success: typically the retry of an action whose answer was lost.
   */
  async flowAction(sandbox: string, id: string, op: 'enable' | 'disable'): Promise<WriteResult> {
    return this.wroteFlow(sandbox, 'flows', await this.whenSettled(sandbox, id, undefined, () => this.sendFlowAction(sandbox, id, op)));
  }

  private async sendFlowAction(sandbox: string, id: string, op: 'enable' | 'disable'): Promise<WriteResult> {
    const url = new URL(`${this.url('flows', id)}/action`);
    url.searchParams.set('op', op);
    let answer;
    try {
      answer = await this.answer({ method: 'POST', url: url.toString(), collection: 'flows/action', entity: `flows/${id} (${op})`, sandbox, flowService: true });
    } catch (err) {
      if (!(err instanceof ApiError && /^1422(-|$)/.test(err.adobeCode ?? ''))) throw err;
      const flow = await this.get<{ state?: unknown; etag?: unknown }>(sandbox, 'flows', id);
      if (flow?.state !== (op === 'enable' ? 'enabled' : 'disabled')) throw err;
      return this.withEtag(sandbox, 'flows', id, flow.etag);
    }
    const data = (answer.data ?? {}) as Record<string, unknown>;
    return this.withEtag(sandbox, 'flows', id, data.etag);
  }

  /**
   * Names of every sandbox of the org (Sandbox Management API, all pages). Throws SandboxListError
   * (see isSandboxListUnavailable) when this client may not list them (403) or the API is absent (404).
   */
  listSandboxes(): Promise<string[]> {
    const get = async (url: string) => (await this.answer({ method: 'GET', url, collection: 'sandboxes', entity: 'sandboxes', flowService: true })).data;
    return walkSandboxes(get, sandboxApiBase(this.base));
  }

  /** Every audience of a sandbox (Segmentation Service, all pages); AudienceListError when this client may not list them. */
  listAudiences(sandbox: string): Promise<Audience[]> {
    const get = async (url: string) => (await this.answer({ method: 'GET', url, collection: 'audiences', entity: 'audiences', sandbox, flowService: true })).data;
    return walkAudiences(get, segmentationBase(this.base), sandbox);
  }

  connectionSpecs(sandbox = SPEC_SANDBOX): Promise<ConnectionSpec[]> {
    return this.list<ConnectionSpec>(sandbox, 'connectionSpecs');
  }

  flowSpecs(sandbox = SPEC_SANDBOX): Promise<FlowSpec[]> {
    return this.list<FlowSpec>(sandbox, 'flowSpecs');
  }

  /**
   * Runs a write to a flow once the flow has settled: first, when this client wrote the flow (it may
   * still be mid-operation), by polling it; then, when the API refuses the write because the flow is
   * busy (1416/1420/1421: not applied), by waiting and sending it again, all within api.settleTimeout.
   * `etag` is the If-Match the caller chose; when it is the etag our own last write returned and
   * settling changed it, the settled one is sent (the change is the API's, not someone else's).
   */
  private async whenSettled<T>(sandbox: string, id: string, etag: string | undefined, send: (etag: string) => Promise<T>): Promise<T> {
    const key = `${sandbox}/${id}`;
    const deadline = this.settle.now() + this.settle.timeoutMs;
    let ifMatch = etag ?? '';
    const wait = async () => {
      const flow = await waitUntilSettled({
        entity: `flows/${id}`,
        deadline,
        read: () => this.get<FlowStatus>(sandbox, 'flows', id),
        ...this.settle,
      });
      if (etag !== undefined && ifMatch === this.flowsWritten.get(key) && typeof flow?.etag === 'string') ifMatch = flow.etag;
      this.flowsWritten.delete(key);
    };
    if (this.flowsWritten.has(key)) await wait();
    for (;;) {
      try {
        return await send(ifMatch);
      } catch (err) {
        if (!isBusyRefusal(err) || this.settle.now() >= deadline) throw err;
        await wait(); // someone else's operation: the etag it leaves is checked by If-Match, never adopted
      }
    }
  }

  /**
   * Waits until every flow this client wrote has settled (apply calls it last, so the re-plan that
   * verifies an apply sees settled flows, not `updating`). One list call per sandbox and 50 flows
   * (`property=id==a,b,…`) per round instead of a GET per flow; the same back-off and bound as a
   * write's wait. A flow still busy then is left as it is: its write was applied, and the next plan
   * holds it back with a warning.
   */
  async settleWritten(): Promise<void> {
    const bySandbox = new Map<string, string[]>();
    for (const key of this.flowsWritten.keys()) {
      const cut = key.indexOf('/');
      bySandbox.set(key.slice(0, cut), [...(bySandbox.get(key.slice(0, cut)) ?? []), key.slice(cut + 1)]);
    }
    const deadline = this.settle.now() + this.settle.timeoutMs;
    await Promise.all([...bySandbox].map(async ([sandbox, ids]) => {
      let busy = ids;
      for (let round = 0; busy.length > 0; round++) {
        const chunks = Array.from({ length: Math.ceil(busy.length / 50) }, (_, i) => busy.slice(i * 50, i * 50 + 50));
        let flows: (FlowStatus & { id?: unknown })[];
        try {
          flows = (await Promise.all(chunks.map((c) => this.list<FlowStatus & { id?: unknown }>(sandbox, 'flows', { property: [`id==${c.join(',')}`] })))).flat();
        } catch {
          return; // reported by the next plan, not by this apply
        }
        const stillBusy = new Set(flows.filter((f) => !isSettled(f)).map((f) => String(f.id)));
        for (const id of busy) if (!stillBusy.has(id)) this.flowsWritten.delete(`${sandbox}/${id}`);
        busy = busy.filter((id) => stillBusy.has(id));
        const left = deadline - this.settle.now();
        if (busy.length === 0 || left <= 0) return;
        await this.settle.sleep(Math.min(settleDelay(round, this.settle.random), left));
      }
    }));
  }

  private wroteFlow(sandbox: string, collection: string, ref: WriteResult): WriteResult {
    if (collection === 'flows') this.flowsWritten.set(`${sandbox}/${ref.id}`, ref.etag);
    return ref;
  }

  private url(collection: string, id?: string): string {
    return id === undefined ? `${this.base}/${collection}` : `${this.base}/${collection}/${encodeURIComponent(id)}`;
  }

  private async answer(spec: RequestSpec) {
    const outcome = await this.transport.request(spec);
    if ('answer' in outcome) return outcome.answer;
    throw new Error('unreachable: only creates resolve to an existing entity');
  }

  /** Writes answer {id, etag}; when the etag is missing (older API versions), read it. */
  private async withEtag(sandbox: string, collection: string, id: string, etag: unknown): Promise<WriteResult> {
    if (typeof etag === 'string' && etag !== '') return { id, etag };
    const entity = await this.get<{ etag?: unknown; version?: unknown }>(sandbox, collection, id);
    const fresh = entity?.etag ?? entity?.version;
    if (typeof fresh !== 'string') {
      throw new ApiError('FS_API_RESPONSE', `GET ${collection}/${id}: no etag after the write`, { status: entity ? 200 : 404, entity: `${collection}/${id}` });
    }
    return { id, etag: fresh };
  }
}
