// Pure delay arithmetic for the scheduler: the jittered interval and the exponential back-off
// after failures, capped at the interval so a failing daemon still retries at least that often.

export interface DelayPolicy {
  intervalMs: number;
  /** Share of the delay that is randomised, 0..1: a delay d becomes a value in [d(1-j), d(1+j)]. */
  jitter: number;
  /** First retry delay after a failure; doubles per consecutive failure. */
  backoffBaseMs: number;
}

export function jittered(ms: number, jitter: number, random: number): number {
  const j = Math.min(Math.max(jitter, 0), 1);
  return Math.max(0, Math.round(ms * (1 - j + 2 * j * random)));
}

/** Un-jittered back-off for the nth consecutive failure (n >= 1): base * 2^(n-1), at most the interval. */
export function backoffMs(failures: number, policy: DelayPolicy): number {
  const exp = Math.min(Math.max(failures - 1, 0), 40); // 2^40 * base overflows any interval long before
  return Math.min(policy.intervalMs, policy.backoffBaseMs * 2 ** exp);
}

/** Delay until the next cycle: the interval after a success, the back-off after `failures` failures. */
export function nextDelay(failures: number, policy: DelayPolicy, random: number): number {
  const base = failures > 0 ? backoffMs(failures, policy) : policy.intervalMs;
  return jittered(base, policy.jitter, random);
}
