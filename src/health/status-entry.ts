// The JSON form of a destination's status (schemas/status.schema.json): data, shared by
// `flowsync status --output json` and the pull-request health column. No I/O.
import type { DestinationStatus } from './destinations.ts';
import { formatMs } from './rule.ts';

export const STATUS_FORMAT_VERSION = 1 as const;

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One destination in the JSON form (schemas/status.schema.json `$defs/destination`). */
export type StatusEntry = ReturnType<typeof statusEntry>;

export function statusJson(rows: readonly DestinationStatus[], now: number) {
  return { formatVersion: STATUS_FORMAT_VERSION, generatedAt: iso(now), destinations: rows.map(statusEntry) };
}

export function statusEntry(r: DestinationStatus) {
  return {
    sandbox: r.sandbox,
    name: r.name,
    sync: r.sync,
    ...(r.syncMessage ? { syncMessage: r.syncMessage } : {}),
    health: r.health,
    reason: r.reason,
    message: r.message,
    ...(r.flowId ? { flowId: r.flowId } : {}),
    lastRun: r.lastRun
      ? {
        id: r.lastRun.id,
        createdAt: iso(r.lastRun.createdAt),
        status: r.lastRun.status,
        records: { input: r.lastRun.input, activated: r.lastRun.activated, failed: r.lastRun.failed },
        ...(r.lastRun.error ? { error: r.lastRun.error } : {}),
      }
      : null,
    window: { duration: formatMs(r.windowMs), records: { ...r.records } },
  };
}
