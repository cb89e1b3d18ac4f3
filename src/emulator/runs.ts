// Dataflow runs of enabled destination flows, produced on the emulator's clock. Adobe's streaming
// destinations report one run per dataflow per hour (help/dataflows/ui/monitor-destinations.md:
// "an hourly update for metric data on your dataflow runs"); here the period is `runIntervalMs`
// (a few seconds by default, so demos and tests see runs). Runs are produced lazily: before any
// Flow Service request of a sandbox is handled, every slot boundary passed since the last request
// yields one run per flow that is enabled now. Every state change goes through a request, and that
// request first produces the runs due before it, so a flow's runs follow its state without timers.
//
// Shapes follow the spec's Flow_Run and its run examples (status in lower case as in every example;
// the one documented run failure, ACTIVATION_BATCH-0000-FAILED "Job aborted.", is reused for
// streaming runs, which document none of their own). Record counts come from a seeded model of the
// flow's audiences: each segment has a size from its id, each run a share of it, and every random
// choice is seeded by (seed, flow, slot), so a run is the same whatever the order of requests.
import { createHash } from 'node:crypto';
import { sandboxId } from './entity-common.ts';
import { seededRandom } from './faults.ts';
import type { Scope } from './store.ts';
import type { Entity, FaultConfig, StoredRecord } from './types.ts';

export { DEFAULT_RUN_INTERVAL_MS } from './faults.ts';

export type RunSettings = Pick<FaultConfig, 'runIntervalMs' | 'runFailureRate' | 'runPartialFailureRate' | 'seed'>;

/** Runs kept per flow (oldest go first): two days of hourly runs in the real cadence. */
export const RUNS_KEPT_PER_FLOW = 48;
/** Runs kept per sandbox, so thousands of flows at a seconds-long interval stay within memory. */
export const RUNS_KEPT_PER_SANDBOX = 10_000;
export const RUN_FAILURE = { code: 'ACTIVATION_BATCH-0000-FAILED', message: 'Job aborted.' } as const;
/** Who writes runs: the activation service, not the caller. */
const RUN_CLIENT = 'acp_destinationsActivation';
/** States in which a flow activates profiles (an update in progress does not stop delivery). */
const ACTIVE_STATES = new Set(['enabled', 'updating']);

interface RunBook {
  lastSlot: number | undefined;
  seq: number;
  byFlow: Map<string, StoredRecord[]>;
  byId: Map<string, StoredRecord>;
}

const books = new WeakMap<Scope, RunBook>();

function bookOf(scope: Scope): RunBook {
  let book = books.get(scope);
  if (!book) books.set(scope, (book = { lastSlot: undefined, seq: 0, byFlow: new Map(), byId: new Map() }));
  return book;
}

/** FNV-1a: a stable 32-bit number from a string (segment sizes, per-run seeds). */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function runId(flowId: string, slot: number): string {
  const h = createHash('sha1').update(`run/${flowId}/${slot}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function segmentIds(flow: Entity): string[] {
  const t = (flow.transformations as { params?: { segmentSelectors?: { selectors?: { value?: { id?: unknown } }[] } } }[] | undefined)?.[0];
  return (t?.params?.segmentSelectors?.selectors ?? []).map((s) => s.value?.id).filter((id): id is string => typeof id === 'string');
}

/** One run of `flow` at the slot boundary `slot * interval`. */
export function makeRun(flow: Entity, slot: number, org: string, sandbox: string, settings: RunSettings): Entity {
  const random = seededRandom(fnv(`${settings.seed}/${flow.id}/${slot}`));
  const at = slot * settings.runIntervalMs;
  const durationMs = 200 + Math.floor(random() * 800);
  const failed = random() < settings.runFailureRate;
  const partial = !failed && random() < settings.runPartialFailureRate;
  const segments = segmentIds(flow).map((id) => {
    const size = 20 + (fnv(id) % 480); // the audience's size in this small model
    return { id, input: Math.floor(size * (0.5 + random() * 0.5)) };
  });
  const input = segments.reduce((n, s) => n + s.input, 0);
  const failedCount = failed ? input : partial && input > 0 ? Math.max(1, Math.floor(input * (0.05 + random() * 0.25))) : 0;
  const output = input - failedCount;
  const status = failed ? 'failed' : 'success';
  const recordSummary: Record<string, unknown> = {
    inputRecordCount: input,
    outputRecordCount: output,
    createdRecordCount: output,
    skippedRecordCount: 0,
    failedRecordCount: failedCount,
    sourceSummaries: [{
      id: (flow.sourceConnectionIds as string[])[0],
      inputRecordCount: input,
      entitySummaries: segments.map((s) => ({ id: `segment:${s.id}`, inputRecordCount: s.input })),
    }],
    targetSummaries: [{ id: (flow.targetConnectionIds as string[])[0], outputRecordCount: output, createdRecordCount: output }],
    ...(failedCount > 0 ? { failedInfo: [{ ...RUN_FAILURE, count: failedCount }] } : {}),
  };
  const durationSummary = { startedAtUTC: at, completedAtUTC: at + durationMs };
  const statusSummary = { status, ...(failed ? { errors: [{ ...RUN_FAILURE }] } : {}) };
  const id = runId(flow.id, slot);
  const etag = `"${id.slice(0, 8)}-0000-0200-0000-${Math.floor(at / 1000).toString(16).padStart(8, '0')}0000"`;
  return {
    id,
    flowId: flow.id,
    flowSpec: flow.flowSpec,
    etag,
    createdAt: at,
    updatedAt: at + durationMs,
    createdBy: `${RUN_CLIENT}@AdobeID`,
    updatedBy: `${RUN_CLIENT}@AdobeID`,
    createdClient: RUN_CLIENT,
    updatedClient: RUN_CLIENT,
    sandboxId: sandboxId(org, sandbox),
    sandboxName: sandbox,
    imsOrgId: org,
    metrics: { durationSummary, recordSummary, statusSummary },
    activities: [{ id: runId(`${flow.id}/activity`, slot), name: 'Activation Streaming Activity', durationSummary, recordSummary: { inputRecordCount: input, outputRecordCount: output, failedRecordCount: failedCount }, statusSummary }],
  };
}

/**
 * Produces the runs due in a scope up to `now`: one per active flow per slot boundary passed since
 * the last call (at most RUNS_KEPT_PER_FLOW back). A flow created within a slot runs from the next one.
 */
export function produceRuns(scope: Scope, org: string, sandbox: string, now: number, settings: RunSettings): void {
  const interval = settings.runIntervalMs;
  if (!(interval > 0)) return;
  const book = bookOf(scope);
  const slot = Math.floor(now / interval);
  if (book.lastSlot !== undefined && slot <= book.lastSlot) return;
  const from = Math.max((book.lastSlot ?? -Infinity) + 1, slot - RUNS_KEPT_PER_FLOW + 1);
  book.lastSlot = slot;
  const active = [...scope.flows.values()].map((r) => r.doc).filter((doc) => ACTIVE_STATES.has(String(doc.state)));
  // slot by slot, so write order is time order (lists are newest first by write order)
  for (let s = from; s <= slot; s++) {
    for (const doc of active) if (s > Math.floor(Number(doc.createdAt) / interval)) keep(book, makeRun(doc, s, org, sandbox, settings));
  }
}

function keep(book: RunBook, run: Entity): void {
  const rec: StoredRecord = { doc: run, seq: ++book.seq, cseq: book.seq };
  const flowId = String(run.flowId);
  let list = book.byFlow.get(flowId);
  if (!list) book.byFlow.set(flowId, (list = []));
  list.push(rec);
  book.byId.set(run.id, rec);
  while (list.length > RUNS_KEPT_PER_FLOW) book.byId.delete((list.shift() as StoredRecord).doc.id);
  while (book.byId.size > RUNS_KEPT_PER_SANDBOX) {
    // the sandbox's oldest run is also the oldest of its flow: the head of both
    const oldest = book.byId.values().next().value as StoredRecord;
    book.byId.delete(oldest.doc.id);
    book.byFlow.get(String(oldest.doc.flowId))?.shift();
  }
}

/** The scope's runs in write order (oldest first), as list.ts expects records. */
export function storedRuns(scope: Scope): StoredRecord[] {
  return [...bookOf(scope).byId.values()]; // a Map keeps insertion order, and runs are only appended
}

export function findRun(scope: Scope, id: string): Entity | undefined {
  return bookOf(scope).byId.get(id)?.doc;
}
