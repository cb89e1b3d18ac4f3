// Dataflow operations are asynchronous: after a PATCH or an enable/disable the flow is `updating`,
// `enabling` or `disabling` for a while, and the API refuses writes to it meanwhile (1416-400 "Delete or
// Update can only be applied on … enabled, disabled or initializing state", 1420-400 "The current
// state disabling cannot be updated", 1421-400 "The current state updating cannot be transitioned";
// help/sources/errors/flow-service-errors.md). After a DELETE it is `delete-finalizing` until it is
// gone (1457-400 update, 1458-400 delete "cannot be applied in state delete-finalizing"), and it still
// holds its connections, so their deletes wait for it. So before writing to a flow it wrote, or after
// such a refusal (the write was not applied), the client polls GET /flows/{id} with back-off until the
// flow has settled (or is gone), for at most api.settleTimeout.
import { ApiError } from './errors.ts';

export const SETTLE_BACKOFF = { firstMs: 100, maxMs: 5_000 } as const;
const SETTLED_STATES = new Set(['enabled', 'disabled', 'initializing']);
const BUSY_CODES = /^(1416|1420|1421|1457|1458)(-|$)/;

export interface FlowStatus {
  state?: unknown;
  etag?: unknown;
  lastOperation?: { status?: { value?: unknown } } | undefined;
}

/** The API refused a write because the flow is mid-operation (the write was not applied). */
export function isBusyRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 400 && BUSY_CODES.test(err.adobeCode ?? '');
}

/** Settled: a state that takes writes, and no operation still reported in progress. */
export function isSettled(flow: FlowStatus): boolean {
  const op = flow.lastOperation?.status?.value;
  return SETTLED_STATES.has(String(flow.state)) && !(typeof op === 'string' && /^(inProgress|in-progress|pending|processing|running)$/i.test(op));
}

/** Delay before poll `round + 1`: 100 ms doubling to 5 s, with equal jitter (half fixed, half random). */
export function settleDelay(round: number, random: () => number): number {
  const ceiling = Math.min(SETTLE_BACKOFF.maxMs, SETTLE_BACKOFF.firstMs * 2 ** Math.min(round, 20));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

export interface SettleWait {
  entity: string; // e.g. flows/<id>, for the error
  deadline: number; // epoch ms
  timeoutMs: number; // for the message
  read: () => Promise<FlowStatus | undefined>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/**
 * The flow once settled (undefined when it is gone); FS_API_FLOW_BUSY when the deadline passes first.
 * With `untilGone`, only its disappearance ends the wait (a delete that the API is finalizing).
 */
export async function waitUntilSettled(w: SettleWait, untilGone = false): Promise<FlowStatus | undefined> {
  for (let round = 0; ; round++) {
    const flow = await w.read();
    if (!flow || (!untilGone && isSettled(flow))) return flow;
    const left = w.deadline - w.now();
    if (left <= 0) {
      const what = untilGone ? 'the writes waiting for it to be gone were not sent' : 'the write waiting for it was not sent';
      throw new ApiError('FS_API_FLOW_BUSY', `${w.entity} is still ${String(flow.state)} after ${Math.round(w.timeoutMs / 1000)} s (api.settleTimeout); ${what}`, {
        status: 200,
        entity: w.entity,
      });
    }
    await w.sleep(Math.min(settleDelay(round, w.random), left));
  }
}
