// Reading dataflow runs: ONE filtered, paged `GET /runs?property=createdAt>{since}` per sandbox,
// never one request per flow (cost: ceil(runs in the window / 100) requests per sandbox, at least
// one). The API's run shape is validated here, at the boundary; the rule sees RunSummary only.
import type { FlowServiceClient } from '../api/index.ts';
import type { RunSummary } from './rule.ts';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The spec's enum is Success/Processing/Waiting/Failed; every example answers in lower case. */
function statusOf(raw: unknown): RunSummary['status'] {
  const s = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (s === 'success' || s === 'completed') return 'success';
  if (s === 'failed') return 'failed';
  return 'processing';
}

function firstError(list: unknown): { code: string; message: string } | undefined {
  const e = Array.isArray(list) ? obj(list[0]) : undefined;
  return e && typeof e.code === 'string' ? { code: e.code, message: typeof e.message === 'string' ? e.message : '' } : undefined;
}

/** A run as the API answers it, or undefined when it lacks an id, a flow id or a creation time. */
export function parseRun(raw: unknown): RunSummary | undefined {
  const r = obj(raw);
  if (typeof r.id !== 'string' || typeof r.flowId !== 'string' || typeof r.createdAt !== 'number') return undefined;
  const metrics = obj(r.metrics);
  const records = obj(metrics.recordSummary);
  const status = obj(metrics.statusSummary);
  const input = num(records.inputRecordCount);
  const failed = num(records.failedRecordCount);
  const activated = records.outputRecordCount !== undefined ? num(records.outputRecordCount) : num(records.createdRecordCount) + num(records.updatedRecordCount);
  const error = firstError(status.errors) ?? firstError(records.failedInfo);
  return { id: r.id, flowId: r.flowId, createdAt: r.createdAt, status: statusOf(status.status), input, activated, failed, ...(error ? { error } : {}) };
}

/** Runs of a sandbox created after `since` (epoch ms), grouped by flow id. */
export async function readRuns(client: FlowServiceClient, sandbox: string, since: number): Promise<Map<string, RunSummary[]>> {
  const items = await client.list<unknown>(sandbox, 'runs', { property: [`createdAt>${Math.floor(since)}`] });
  const byFlow = new Map<string, RunSummary[]>();
  for (const item of items) {
    const run = parseRun(item);
    if (!run) continue;
    const list = byFlow.get(run.flowId);
    if (list) list.push(run);
    else byFlow.set(run.flowId, [run]);
  }
  return byFlow;
}

/** Runs of every sandbox in `windows` (sandbox → window ms), one paged list per sandbox, read side by side. */
export async function readRunsBySandbox(client: FlowServiceClient, windows: ReadonlyMap<string, number>, now: number): Promise<Map<string, Map<string, RunSummary[]>>> {
  const entries = await Promise.all([...windows].map(async ([sandbox, windowMs]) => [sandbox, await readRuns(client, sandbox, now - windowMs)] as const));
  return new Map(entries);
}
