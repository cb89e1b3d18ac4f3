// Live state kept across the daemon's cycles and brought up to date by reading only what changed.
// A light read asks each collection of each sandbox two small questions instead of listing it all:
//   1. what was created or updated since the last read: the usual filtered list plus
//      `updatedAt>=<the server's clock at the last read, less a lag>` (numeric comparisons are
//      documented for list filters, digest §4; the server's clock is the Date header of its answer,
//      or, without one, the newest `updatedAt` seen);
//   2. how many entities match now (`count=true`, which answers `{count}` alone): a count that differs
//      from what is known means a deletion (or an entity the first question missed), and that
//      collection is listed in full again.
// A full read replaces a sandbox's entities; the caller asks for one as its resync and before any
// write (src/reconcile/live-reads.ts). The lag covers writes that become visible a little after
// newer ones; what could slip past both questions (a deletion masked by an entity stamped older than
// the lag) is found by the next full read. A collection whose entities lack an id or a numeric
// `updatedAt`, or an API that refuses the `updatedAt` filter, is listed in full every time.
import type { FlowServiceClient } from '../api/client.ts';
import { isApiError } from '../api/errors.ts';
import type { LiveSandbox, LiveState } from '../domain/model.ts';
import { LIVE_FIELDS, LIVE_KEEPERS, LIVE_QUERIES, type LiveCollection } from './read.ts';

type Reader = Pick<FlowServiceClient, 'listEach' | 'count'>;

const COLLECTIONS = Object.keys(LIVE_QUERIES) as LiveCollection[];

/** A flow in one of these states changes no more without a write; any other (updating, enabling…) may settle without one. */
const SETTLED_FLOW_STATES = new Set(['enabled', 'disabled']);

/** One listed entity as the cache knows it: what the planner keeps of it (undefined: not the planner's) and its write stamp. */
interface Known {
  stamp: string;
  kept: unknown;
}

interface CollectionState {
  entities: Map<string, Known>;
  /** Server time (ms) of the last read, or the newest `updatedAt` seen when the answer had no Date: the next light read asks from here, less the lag. */
  readAt: number;
  /** False when an entity had no id or no numeric updatedAt, or a flow had not settled: list it in full next time. */
  trackable: boolean;
}

interface SandboxState {
  collections: Map<LiveCollection, CollectionState>;
  /** Moves whenever an entity of the sandbox is added, removed or written: the plan memo's key. */
  version: number;
  /** The live model as last given out, and the version it shows: an unchanged sandbox is the same object next time. */
  live?: { version: number; sandbox: LiveSandbox };
}

export interface LiveCacheOptions {
  /** How far before the newest `updatedAt` seen a light read asks from (default 60 s). */
  lagMs?: number;
}

/** How a read went, per sandbox: `full` (every collection listed) or `light` (with how many collections had to be listed in full). */
export interface LiveCacheRead {
  live: LiveState;
  fullCollections: number;
  lightCollections: number;
}

const idOf = (item: unknown): string | undefined => {
  const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
};

const field = (item: unknown, key: string): unknown => (item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[key] : undefined);

export class LiveStateCache {
  private readonly sandboxes = new Map<string, SandboxState>();
  private readonly lagMs: number;
  /** False once the API refused the `updatedAt` filter: every read is then a full one. */
  private filterWorks = true;

  constructor(opts: LiveCacheOptions = {}) {
    this.lagMs = opts.lagMs ?? 60_000;
  }

  /** The version of a sandbox's entities (see SandboxState.version); undefined before its first read. */
  versionOf(sandbox: string): number | undefined {
    return this.sandboxes.get(sandbox)?.version;
  }

  /**
   * The live state of `sandboxes` (as readLiveState gives it). `full` lists every collection; otherwise
   * a sandbox read before is brought up to date with light reads. Sandboxes not asked for are forgotten.
   */
  async read(client: Reader, sandboxes: readonly string[], opts: { full: boolean; concurrency?: number }): Promise<LiveCacheRead> {
    const unique = [...new Set(sandboxes)].sort();
    const asked = new Set(unique);
    for (const name of [...this.sandboxes.keys()]) if (!asked.has(name)) this.sandboxes.delete(name);
    const counts = { fullCollections: 0, lightCollections: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < unique.length) {
        const name = unique[next++]!;
        let state = this.sandboxes.get(name);
        if (!state) this.sandboxes.set(name, (state = { collections: new Map(), version: 0 }));
        const sandbox = state;
        await Promise.all(COLLECTIONS.map(async (collection) => {
          const light = !opts.full && this.filterWorks && sandbox.collections.get(collection)?.trackable === true && (await this.readChanges(client, name, collection, sandbox));
          if (light) counts.lightCollections++;
          else {
            await this.readAll(client, name, collection, sandbox);
            counts.fullCollections++;
          }
        }));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 2, unique.length)) }, worker));
    return { live: { sandboxes: Object.fromEntries(unique.map((s) => [s, this.liveOf(this.sandboxes.get(s)!)])) }, ...counts };
  }

  /** The collection listed in full; the sandbox's version moves when anything differs from what was known. */
  private async readAll(client: Reader, sandbox: string, collection: LiveCollection, state: SandboxState): Promise<void> {
    const before = state.collections.get(collection);
    const fresh: CollectionState = { entities: new Map(), readAt: 0, trackable: true };
    let serverTime: number | undefined;
    await client.listEach(sandbox, collection, { property: [...LIVE_QUERIES[collection]], limit: 100 }, (item) => void this.remember(fresh, collection, sandbox, item), { onServerTime: (ms) => (serverTime = ms) });
    if (serverTime !== undefined) fresh.readAt = serverTime;
    let changed = !before || before.entities.size !== fresh.entities.size;
    if (!changed) for (const [id, known] of fresh.entities) if (before!.entities.get(id)?.stamp !== known.stamp) { changed = true; break; }
    state.collections.set(collection, fresh);
    if (changed) state.version++;
  }

  /**
   * The entities written since the newest one seen (less the lag), then the count. False when the
   * count disagrees or the API refused the filter: the caller lists the collection in full.
   */
  private async readChanges(client: Reader, sandbox: string, collection: LiveCollection, state: SandboxState): Promise<boolean> {
    const known = state.collections.get(collection)!;
    const filters = [...LIVE_QUERIES[collection]];
    try {
      let changed = false;
      let serverTime: number | undefined;
      const since = Math.max(0, Math.floor(known.readAt - this.lagMs));
      await client.listEach(sandbox, collection, { property: [...filters, `updatedAt>=${since}`], limit: 100 }, (item) => {
        if (this.remember(known, collection, sandbox, item)) changed = true;
      }, { onServerTime: (ms) => (serverTime = ms) });
      if (serverTime !== undefined) known.readAt = Math.max(known.readAt, serverTime);
      if (changed) state.version++;
      if (!known.trackable) return false;
      return (await client.count(sandbox, collection, filters)) === known.entities.size;
    } catch (err) {
      // 400 on the filter (an unknown field, 1449, or a bad value): this API cannot answer "what changed".
      if (isApiError(err) && err.status === 400) {
        this.filterWorks = false;
        return false;
      }
      throw err;
    }
  }

  /** Records one listed entity; true when the planner's view changed (new, or written since it was last seen). */
  private remember(state: CollectionState, collection: LiveCollection, sandbox: string, item: unknown): boolean {
    const id = idOf(item);
    const stamped = field(item, 'updatedAt');
    const updatedAt = typeof stamped === 'number' && Number.isFinite(stamped) ? stamped : undefined;
    // Kept all the same (the planner must see it), but the collection cannot be brought up to date by "what changed".
    if (id === undefined || updatedAt === undefined) state.trackable = false;
    const flowState = field(item, 'state');
    if (collection === 'flows' && typeof flowState === 'string' && !SETTLED_FLOW_STATES.has(flowState)) state.trackable = false;
    const stamp = `${String(field(item, 'etag'))}|${updatedAt ?? ''}|${String(flowState)}`;
    if (updatedAt !== undefined && updatedAt > state.readAt) state.readAt = updatedAt;
    const key = id ?? `#${state.entities.size}`;
    const before = state.entities.get(key);
    if (id !== undefined && before?.stamp === stamp) return false;
    const kept = LIVE_KEEPERS[collection](item, sandbox);
    state.entities.set(key, { stamp, kept });
    // An entity the planner never sees (the writer lease, say) changes no plan.
    return kept !== undefined || before?.kept !== undefined;
  }

  private liveOf(state: SandboxState): LiveSandbox {
    if (state.live?.version === state.version) return state.live.sandbox;
    const sandbox = this.build(state);
    state.live = { version: state.version, sandbox };
    return sandbox;
  }

  private build(state: SandboxState): LiveSandbox {
    const kept = <C extends LiveCollection>(collection: C) => {
      const out: LiveSandbox[(typeof LIVE_FIELDS)[C]][number][] = [];
      for (const k of state.collections.get(collection)?.entities.values() ?? []) if (k.kept !== undefined) out.push(k.kept as LiveSandbox[(typeof LIVE_FIELDS)[C]][number]);
      return out;
    };
    return { baseConnections: kept('connections'), sourceConnections: kept('sourceConnections'), targetConnections: kept('targetConnections'), flows: kept('flows') };
  }
}
