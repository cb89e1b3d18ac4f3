// How long to wait before the next attempt: full jitter, or what the server's Retry-After says.

/** Full jitter: a uniform delay in [0, min(maxMs, baseMs * 2^attempt)). attempt counts from 0. */
export function jitteredDelay(attempt: number, opts: { baseMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
