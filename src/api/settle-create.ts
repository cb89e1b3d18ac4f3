// A create whose answer was lost (timeout, connection dropped after sending, 5xx) may still commit:
// the API can answer late, or not at all, and write anyway. Sending it again at once makes a
// duplicate. So the entity is looked up, with back-off, until it is found or until the late-commit
// window (counted from when the lost attempt was sent) has passed and a lookup started after that
// still answers "absent": only then is absence established and the create may go out again.
// Lookups that fail leave the outcome unknown (FS_API_OUTCOME_UNKNOWN); nothing is sent again.
import { ApiError } from './errors.ts';
import type { Found } from './transport.ts';

export interface SettleInput {
  entity: string; // for messages, e.g. `connections "orders-acct"`
  problem: string; // what went wrong with the attempt
  status: number; // its HTTP status, 0 without an answer
  sentAt: number; // when the ambiguous attempt went out
  windowMs: number;
  findExisting?: () => Promise<Found | undefined>;
  /** Runs one lookup; `breakerWaitUntil` lets its requests wait for an open breaker's probe until then. */
  lookup: (find: () => Promise<Found | undefined>, breakerWaitUntil: number) => Promise<Found | undefined>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const LOOKUP_BACKOFF = { firstMs: 500, maxMs: 5_000 } as const;

/** Delay before lookup `round + 1`: 0.5 s doubling to 5 s, with equal jitter (half fixed, half random). */
export function lookupDelay(round: number, random: () => number): number {
  const ceiling = Math.min(LOOKUP_BACKOFF.maxMs, LOOKUP_BACKOFF.firstMs * 2 ** Math.min(round, 20));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** The entity when a lookup finds it; undefined once its absence is established. Throws FS_API_OUTCOME_UNKNOWN otherwise. */
export async function settleCreate(input: SettleInput): Promise<Found | undefined> {
  const { findExisting } = input;
  if (!findExisting) {
    throw unknown(input, 'the create may have reached the API and there is no way to look it up, so it is not sent again');
  }
  const deadline = input.sentAt + input.windowMs;
  let lastFailure: string | undefined;
  for (let round = 0; ; round++) {
    const startedAt = input.now();
    const final = startedAt >= deadline;
    try {
      const found = await input.lookup(findExisting, deadline);
      if (found) return found;
      if (final) return undefined; // absent after the whole window: it did not commit
    } catch (err) {
      lastFailure = err instanceof Error ? err.message : String(err);
      if (final) {
        throw unknown(input, `it could not be looked up before the late-commit window (${Math.round(input.windowMs / 1000)} s) ended: ${lastFailure}`);
      }
    }
    const left = deadline - input.now();
    if (left > 0) await input.sleep(Math.min(lookupDelay(round, input.random), left));
  }
}

function unknown(input: SettleInput, why: string): ApiError {
  return new ApiError('FS_API_OUTCOME_UNKNOWN', `${input.problem}; outcome of the create of ${input.entity} unknown: ${why}`, {
    status: input.status,
    entity: input.entity,
  });
}
