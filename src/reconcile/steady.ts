// When a daemon cycle may be light, and what it keeps between cycles to be so. A light cycle reads
// only what changed in the org (src/state/live-cache.ts), reuses the plan of every sandbox whose
// inputs did not move (plan-memo.ts), and walks audiences only where a segment is given by name
// (audiences.ts, `checkIds: false`). A cycle is full, as every cycle was before, when:
//   - it is not an interval cycle (startup, a change, a webhook, a retry after a failure);
//   - the revision differs from the one the last full cycle checked (new manifests are checked in full);
//   - the last full read is `daemon.resync` old or older, or the last cycle wrote or failed;
//   - a light cycle finds anything to do: it starts over in full before it writes (see cycle.ts).
import type { Trigger } from './contract.ts';
import type { FlowServiceClient } from '../api/index.ts';
import type { LiveState } from '../domain/model.ts';
import { LiveStateCache } from '../state/live-cache.ts';
import { PlanMemo } from './plan-memo.ts';
import type { LiveStateReader, PlanMemoFactory } from './reconcile.ts';

export interface SteadyRead {
  /** Reads live state for readLive: through the cache, in full or light. */
  readState: LiveStateReader;
  /** The plan memo for makePlan (sandboxes keyed by the cache's versions). */
  memo: PlanMemoFactory;
}

export class SteadyCycles {
  private readonly cache = new LiveStateCache();
  private readonly plans = new PlanMemo();
  /** When the last full read finished (ms), and the revision that cycle checked. */
  private fullAt = Number.NEGATIVE_INFINITY;
  private fullRevision: string | undefined;

  /** Whether this cycle may start light. */
  mayBeLight(input: { trigger: Trigger; revision: string }, resyncMs: number, now: number): boolean {
    return resyncMs > 0 && input.trigger === 'interval' && input.revision === this.fullRevision && now - this.fullAt < resyncMs;
  }

  /** The reads of one pass of a cycle; a full pass (re)starts the resync clock for `revision` when its read succeeds. */
  pass(full: boolean, revision: string, now: () => number): SteadyRead {
    return {
      readState: async (client: FlowServiceClient, sandboxes: string[], opts: { concurrency: number }): Promise<LiveState> => {
        const read = await this.cache.read(client, sandboxes, { full, concurrency: opts.concurrency });
        if (full) {
          this.fullAt = now();
          this.fullRevision = revision;
        }
        return read.live;
      },
      memo: (desired, opts) => this.plans.forPlan(desired, opts, (sandbox) => this.cache.versionOf(sandbox)),
    };
  }

  /** After a cycle that wrote or failed: the next one is full. */
  distrust(): void {
    this.fullAt = Number.NEGATIVE_INFINITY;
  }
}
