// Reads live state with the fewest requests: per sandbox one filtered list walk per collection
// (page size 100) and no per-entity GET, so a cycle where nothing changed costs only list pages.
import type { FlowServiceClient } from '../api/client.ts';
import type { LiveBaseConnection, LiveSandbox, LiveState } from '../domain/model.ts';
import { DESTINATION_TYPE_SPECS, PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID } from '../domain/specs.ts';
import { isLeaseEntity } from '../lease/record.ts';
import { isDestinationFlow, parseBaseConnection, parseFlow, parseSourceConnection, parseTargetConnection } from './parse.ts';

const DESTINATION_SPEC_IDS = Object.values(DESTINATION_TYPE_SPECS).map((s) => s.specId);
const BASE_SPEC_IDS = [...DESTINATION_SPEC_IDS, PROFILE_STORE_SPEC_ID];

/** The list queries readLiveSandbox sends, one walk each (exported so tests and docs can name them). */
export const LIVE_QUERIES = {
  connections: [`connectionSpec.id==${BASE_SPEC_IDS.join(',')}`],
  sourceConnections: [`connectionSpec.id==${PROFILE_STORE_SPEC_ID}`],
  targetConnections: [`connectionSpec.id==${DESTINATION_SPEC_IDS.join(',')}`],
  flows: [`flowSpec.id==${STREAMING_FLOW_SPEC_ID}`, 'inheritedAttributes.properties.isDestinationFlow==true'],
} as const;

type Lister = Pick<FlowServiceClient, 'listEach'>;

const baseKept = (c: LiveBaseConnection) => BASE_SPEC_IDS.includes(c.specId) && !isLeaseEntity(c);

/** The live model's field each listed collection fills. */
export const LIVE_FIELDS = {
  connections: 'baseConnections',
  sourceConnections: 'sourceConnections',
  targetConnections: 'targetConnections',
  flows: 'flows',
} as const satisfies Record<keyof typeof LIVE_QUERIES, keyof LiveSandbox>;

export type LiveCollection = keyof typeof LIVE_QUERIES;
type Keeper<C extends LiveCollection> = (item: unknown, sandbox: string) => LiveSandbox[(typeof LIVE_FIELDS)[C]][number] | undefined;

/**
 * What the planner keeps of each listed entity. The filters run on the server; checking the spec ids
 * again costs nothing and keeps an API that ignores a filter from leaking unrelated entities into the
 * plan. The writer lease entity is not the planner's: never owned, adopted, pruned, listed as
 * unmanaged or reused as a base connection.
 */
export const LIVE_KEEPERS: { [C in LiveCollection]: Keeper<C> } = {
  connections: (c, sandbox) => only(parseBaseConnection(c, sandbox), baseKept),
  sourceConnections: (c, sandbox) => only(parseSourceConnection(c, sandbox), (s) => s.specId === PROFILE_STORE_SPEC_ID),
  targetConnections: (c, sandbox) => only(parseTargetConnection(c, sandbox), (t) => DESTINATION_SPEC_IDS.includes(t.specId)),
  flows: (f, sandbox) => (isDestinationFlow(f) ? only(parseFlow(f, sandbox), (p) => p.flowSpecId === STREAMING_FLOW_SPEC_ID) : undefined),
};

export async function readLiveSandbox(client: Lister, sandbox: string): Promise<LiveSandbox> {
  // Each page is parsed into the live model as it arrives and then dropped: the raw entities
  // (about ten times the model's size for a dataflow) never pile up across pages and sandboxes.
  const walk = <C extends LiveCollection>(collection: C) =>
    client.listEach(sandbox, collection, { property: [...LIVE_QUERIES[collection]], limit: 100 }, (item) => LIVE_KEEPERS[collection](item, sandbox));
  const [baseConnections, sourceConnections, targetConnections, flows] = await Promise.all([walk('connections'), walk('sourceConnections'), walk('targetConnections'), walk('flows')]);
  return { baseConnections, sourceConnections, targetConnections, flows };
}

function only<T>(value: T, keep: (v: T) => boolean): T | undefined {
  return keep(value) ? value : undefined;
}

/** Live state of every sandbox; `concurrency` sandboxes are read at once (default 2; the client bounds requests). */
export async function readLiveState(client: Lister, sandboxes: string[], opts: { concurrency?: number } = {}): Promise<LiveState> {
  const unique = [...new Set(sandboxes)].sort();
  const result: LiveState = { sandboxes: {} };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const sandbox = unique[next++]!;
      result.sandboxes[sandbox] = await readLiveSandbox(client, sandbox);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 2, unique.length)) }, worker));
  // Insertion order follows completion; rebuild so the key order is stable (sorted).
  return { sandboxes: Object.fromEntries(unique.map((s) => [s, result.sandboxes[s]!])) };
}
