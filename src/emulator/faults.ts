// Fault injection, off by default: latency, 5xx and 429 rates, a request rate limit, dropped
// connections, late commits of creates, target params dropped on read, failed runs, and one-shot rules (failNext, dropAfterCommit, lateCommit). Every random choice comes from one
// seeded generator, so a seed and a request sequence always give the same faults.
import { DEFAULT_TRANSITION_MS } from './transitions.ts';
import type { DropAfterCommitRule, FailNextRule, FaultConfig, FaultsInput, LateCommitRule } from './types.ts';

/** The default period between runs of one flow (runs.ts), in ms: a few seconds, so demos and tests see runs. */
export const DEFAULT_RUN_INTERVAL_MS = 5_000;

export const DEFAULT_FAULTS: FaultConfig = {
  latencyMs: 0,
  latencyJitterMs: 0,
  errorRate: 0,
  errorStatuses: [500, 502, 503, 504],
  throttleRate: 0,
  retryAfterSeconds: 1,
  rateLimit: 0,
  dropRate: 0,
  seed: 42,
  failNext: [],
  dropAfterCommit: [],
  lateCommitMs: 0,
  lateCommitCount: 0,
  lateCommit: [],
  echoRequest: false,
  dropParamsOnRead: [],
  transitionMs: DEFAULT_TRANSITION_MS,
  runIntervalMs: DEFAULT_RUN_INTERVAL_MS,
  runFailureRate: 0,
  runPartialFailureRate: 0,
};

/** mulberry32: small, fast, good enough to spread faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function checkRate(name: string, v: number | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new RangeError(`faults.${name} must be a number from 0 to 1`);
}

function checkNonNegative(name: string, v: number | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new RangeError(`faults.${name} must be a number >= 0`);
}

export function mergeFaults(base: FaultConfig, input: FaultsInput): FaultConfig {
  for (const k of ['errorRate', 'throttleRate', 'dropRate', 'runFailureRate', 'runPartialFailureRate'] as const) checkRate(k, input[k]);
  for (const k of ['latencyMs', 'latencyJitterMs', 'retryAfterSeconds', 'rateLimit', 'seed', 'lateCommitMs', 'lateCommitCount', 'transitionMs', 'runIntervalMs'] as const) checkNonNegative(k, input[k]);
  const failNext = asList(input.failNext);
  const dropAfterCommit = asList(input.dropAfterCommit);
  const lateCommit = asList(input.lateCommit);
  for (const r of lateCommit ?? []) {
    if (!(Number.isInteger(r.count) && r.count > 0 && Number.isFinite(r.delayMs) && r.delayMs >= 0)) throw new RangeError('faults.lateCommit needs a positive count and a delayMs >= 0');
  }
  for (const r of failNext ?? []) {
    if (!(Number.isInteger(r.count) && r.count > 0 && Number.isInteger(r.status) && r.status >= 400 && r.status <= 599)) {
      throw new RangeError('faults.failNext needs a positive count and a status from 400 to 599');
    }
  }
  for (const r of dropAfterCommit ?? []) if (!(Number.isInteger(r.count) && r.count > 0)) throw new RangeError('faults.dropAfterCommit needs a positive count');
  if (input.echoRequest !== undefined && typeof input.echoRequest !== 'boolean') throw new RangeError('faults.echoRequest must be true or false');
  if (input.dropParamsOnRead !== undefined && !(Array.isArray(input.dropParamsOnRead) && input.dropParamsOnRead.every((n) => typeof n === 'string' && n !== ''))) {
    throw new RangeError('faults.dropParamsOnRead must be a list of target param names');
  }
  if (input.errorStatuses && input.errorStatuses.some((s) => !(Number.isInteger(s) && s >= 500 && s <= 599))) {
    throw new RangeError('faults.errorStatuses must be 5xx statuses');
  }
  const { failNext: _f, dropAfterCommit: _d, lateCommit: _l, ...scalars } = input;
  return {
    ...base,
    ...Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== undefined)),
    failNext: failNext ? failNext.map((r) => ({ ...r })) : base.failNext,
    dropAfterCommit: dropAfterCommit ? dropAfterCommit.map((r) => ({ ...r })) : base.dropAfterCommit,
    lateCommit: lateCommit ? lateCommit.map((r) => ({ ...r })) : base.lateCommit,
    dropParamsOnRead: input.dropParamsOnRead ? [...input.dropParamsOnRead] : base.dropParamsOnRead,
  };
}

export type FaultDecision =
  | { kind: 'pass' }
  | { kind: 'drop'; fault: string }
  | { kind: 'status'; fault: string; status: number; retryAfter?: number };

export interface FaultRequest {
  method: string;
  fullPath: string;
  servicePath: string | undefined; // path under the Flow Service base, when it is a Flow Service call
}

function ruleMatches(rule: { method?: string; pathPrefix?: string }, req: FaultRequest): boolean {
  if (rule.method && rule.method.toUpperCase() !== req.method) return false;
  if (!rule.pathPrefix) return true;
  return req.fullPath.startsWith(rule.pathPrefix) || (req.servicePath !== undefined && req.servicePath.startsWith(rule.pathPrefix));
}

export class Faults {
  config: FaultConfig;
  private random: () => number;
  private windowStart = 0;
  private windowCount = 0;

  constructor(
    input: FaultsInput = {},
    private readonly now: () => number,
  ) {
    this.config = mergeFaults(DEFAULT_FAULTS, input);
    this.random = seededRandom(this.config.seed);
  }

  set(input: FaultsInput): FaultConfig {
    const next = mergeFaults(this.config, input);
    if (input.seed !== undefined) this.random = seededRandom(next.seed);
    this.config = next;
    return this.config;
  }

  reset(): void {
    this.config = { ...DEFAULT_FAULTS, seed: this.config.seed, transitionMs: this.config.transitionMs, runIntervalMs: this.config.runIntervalMs };
    this.random = seededRandom(this.config.seed);
    this.windowCount = 0;
  }

  /** Latency to add before answering a Flow Service request. */
  latency(): number {
    const { latencyMs, latencyJitterMs } = this.config;
    return latencyMs + (latencyJitterMs > 0 ? Math.floor(this.random() * latencyJitterMs) : 0);
  }

  /** What happens to this request before it is handled. One-shot rules apply to any non-admin path. */
  decide(req: FaultRequest): FaultDecision {
    const rule = this.config.failNext.find((r) => r.count > 0 && ruleMatches(r, req));
    if (rule) return this.consumeFailNext(rule);
    if (req.servicePath === undefined) return { kind: 'pass' };
    const c = this.config;
    if (c.rateLimit > 0) {
      const now = this.now();
      if (now - this.windowStart >= 1000) {
        this.windowStart = now;
        this.windowCount = 0;
      }
      this.windowCount++;
      if (this.windowCount > c.rateLimit) {
        return { kind: 'status', fault: 'rateLimit', status: 429, retryAfter: Math.max(1, Math.ceil((this.windowStart + 1000 - now) / 1000)) };
      }
    }
    if (c.dropRate > 0 && this.random() < c.dropRate) return { kind: 'drop', fault: 'dropRate' };
    if (c.throttleRate > 0 && this.random() < c.throttleRate) return { kind: 'status', fault: 'throttleRate', status: 429, retryAfter: c.retryAfterSeconds };
    if (c.errorRate > 0 && this.random() < c.errorRate) {
      const statuses = c.errorStatuses.length > 0 ? c.errorStatuses : [500];
      return { kind: 'status', fault: 'errorRate', status: statuses[Math.floor(this.random() * statuses.length)] ?? 500 };
    }
    return { kind: 'pass' };
  }

  private consumeFailNext(rule: FailNextRule): FaultDecision {
    rule.count--;
    this.config.failNext = this.config.failNext.filter((r) => r.count > 0);
    return { kind: 'status', fault: 'failNext', status: rule.status, ...(rule.status === 429 ? { retryAfter: rule.retryAfterSeconds ?? this.config.retryAfterSeconds } : {}) };
  }

  /** For a successful write: true when the answer must be dropped after the write took effect. */
  dropAfterCommit(req: FaultRequest): boolean {
    const rule: DropAfterCommitRule | undefined = this.config.dropAfterCommit.find((r) => r.count > 0 && ruleMatches(r, req));
    if (!rule) return false;
    rule.count--;
    this.config.dropAfterCommit = this.config.dropAfterCommit.filter((r) => r.count > 0);
    return true;
  }

  /** For a create (POST on a collection): how long to hold it before it commits and answers (0 = now). */
  lateCommitDelay(req: FaultRequest): number {
    const rule: LateCommitRule | undefined = this.config.lateCommit.find((r) => r.count > 0 && ruleMatches(r, req));
    if (rule) {
      rule.count--;
      this.config.lateCommit = this.config.lateCommit.filter((r) => r.count > 0);
      return rule.delayMs;
    }
    const c = this.config;
    if (c.lateCommitMs <= 0) return 0;
    if (c.lateCommitCount > 0) {
      c.lateCommitCount--;
      if (c.lateCommitCount === 0) {
        const delay = c.lateCommitMs;
        c.lateCommitMs = 0; // the last one: the fault turns itself off
        return delay;
      }
    }
    return c.lateCommitMs;
  }
}

/** The dropParamsOnRead fault on a GET answer of /targetConnections (one or a list): named params left out. */
export function dropParamsOnRead(names: readonly string[], servicePath: string, body: unknown): unknown {
  if (names.length === 0 || !/^\/targetConnections(\/[^/]+)?$/.test(servicePath)) return body;
  const items = (body as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) return body;
  const strip = (e: Record<string, unknown>) => {
    const params = e.params;
    if (!params || typeof params !== 'object') return e;
    return { ...e, params: Object.fromEntries(Object.entries(params).filter(([k]) => !names.includes(k))) };
  };
  return { ...(body as Record<string, unknown>), items: items.map((e) => strip(e as Record<string, unknown>)) };
}
