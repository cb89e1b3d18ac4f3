// The three guards around every request: a semaphore (how many at once), a token bucket (how
// many per second) and a circuit breaker (stop calling an API that keeps failing). The clock and
// sleep are passed in so tests can drive them.

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active -= 1;
    }
  }

  get inFlight(): number {
    return this.active;
  }
}

export interface BudgetOptions {
  requestsPerSecond: number;
  burst: number;
  /** Longest a request may wait for a token before failing with FS_API_BUDGET (default 30 s). */
  maxWaitMs?: number;
}

/**
 * Token bucket: `burst` tokens, refilled at `requestsPerSecond`. A request takes a token now and,
 * when the bucket is empty, sleeps until its token has been refilled (the balance goes negative,
 * so waiters queue fairly); a wait over maxWaitMs is refused instead.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly opts: BudgetOptions,
    private readonly now: () => number,
  ) {
    if (!(opts.requestsPerSecond > 0) || !(opts.burst >= 1)) throw new RangeError('budget needs requestsPerSecond > 0 and burst >= 1');
    this.tokens = opts.burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((Math.max(0, t - this.last)) / 1000) * this.opts.requestsPerSecond);
    this.last = t;
  }

  /** Takes one token; returns how long to wait before using it (0 = now), or undefined when that is over maxWaitMs. */
  take(): number | undefined {
    this.refill();
    const after = this.tokens - 1;
    const waitMs = after >= 0 ? 0 : Math.ceil((-after / this.opts.requestsPerSecond) * 1000);
    if (waitMs > (this.opts.maxWaitMs ?? 30_000)) return undefined;
    this.tokens = after;
    return waitMs;
  }

  get remaining(): number {
    this.refill();
    return Math.max(0, Math.floor(this.tokens));
  }
}

export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

/** Opens after 8 failures in a row; a probe every 10 s while open. */
export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 8, cooldownMs: 10_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Opens after `failureThreshold` consecutive failures; after `cooldownMs` one probe may pass (half-open). */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private outageStart = 0; // when it last opened from closed: an outage lasts until it closes again
  private probing = false;
  state: BreakerState = 'closed';
  constructor(
    private readonly opts: BreakerOptions,
    private readonly now: () => number,
    private readonly onChange: (state: BreakerState) => void,
  ) {}

  private set(state: BreakerState): void {
    if (state === this.state) return;
    if (this.state === 'closed') this.outageStart = this.now();
    this.state = state;
    this.onChange(state);
  }

  /** May a request go out now? In half-open only one probe at a time. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && this.now() - this.openedAt >= this.opts.cooldownMs) this.set('half-open');
    if (this.state === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  /** Half-open with its one probe out: the answer decides whether it closes. */
  get probeInFlight(): boolean {
    return this.state === 'half-open' && this.probing;
  }

  /** Milliseconds since it opened from closed (probes that failed since do not restart the count); 0 when closed. */
  outageMs(): number {
    return this.state === 'closed' ? 0 : this.now() - this.outageStart;
  }

  /** Milliseconds until an open breaker lets a probe through. */
  retryInMs(): number {
    return Math.max(0, this.opts.cooldownMs - (this.now() - this.openedAt));
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    this.set('closed');
  }

  failure(): void {
    this.failures += 1;
    this.probing = false;
    if (this.state === 'half-open' || this.failures >= this.opts.failureThreshold) {
      this.openedAt = this.now();
      this.set('open');
    }
  }

  /** A request allowed through but never sent (budget refused, no token): frees the probe slot, changes nothing else. */
  release(): void {
    this.probing = false;
  }

  /** A request the API answered without a server failure (e.g. a 4xx): a half-open probe counts as a success. */
  neutral(): void {
    if (this.state === 'half-open' && this.probing) this.success();
  }
}
