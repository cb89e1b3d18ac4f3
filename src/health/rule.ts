// The activation health rule: from a destination's dataflow state and its recent runs to one of
// Healthy, Degraded, Failed, Disabled or Unknown, with a reason a person can act on. Pure: the
// clock and the runs come in as values. Sync (does live match git?) is the plan's business; this
// answers "is it delivering?", as Argo CD separates sync from health.
import type { HealthSpec } from '../domain/model.ts';
import { parseDuration } from '../manifest/config.ts';

export const HEALTHS = ['Healthy', 'Degraded', 'Failed', 'Disabled', 'Unknown'] as const;
export type Health = (typeof HEALTHS)[number];

export interface HealthThresholds {
  /** Failed when this many latest runs all failed. */
  failedRuns: number;
  /** Degraded when the latest run failed more than this percentage of its records. */
  maxFailedRecordsPercent: number;
  /** Degraded when the latest run is older than this. */
  lateAfterMs: number;
  /** Runs older than this are not read or counted. */
  windowMs: number;
}

export const DEFAULT_HEALTH: HealthThresholds = { failedRuns: 3, maxFailedRecordsPercent: 0, lateAfterMs: 2 * 3_600_000, windowMs: 24 * 3_600_000 };

/** A manifest's spec.health over the defaults (the schema has checked the values). */
export function thresholdsOf(spec: HealthSpec | undefined): HealthThresholds {
  return {
    failedRuns: spec?.failedRuns ?? DEFAULT_HEALTH.failedRuns,
    maxFailedRecordsPercent: spec?.maxFailedRecordsPercent ?? DEFAULT_HEALTH.maxFailedRecordsPercent,
    lateAfterMs: (spec?.lateAfter !== undefined ? parseDuration(spec.lateAfter) : undefined) ?? DEFAULT_HEALTH.lateAfterMs,
    windowMs: (spec?.window !== undefined ? parseDuration(spec.window) : undefined) ?? DEFAULT_HEALTH.windowMs,
  };
}

/** One dataflow run as the rule needs it (src/health/runs.ts parses the API's shape). */
export interface RunSummary {
  id: string;
  flowId: string;
  createdAt: number; // epoch ms
  status: 'success' | 'failed' | 'processing';
  input: number;
  activated: number;
  failed: number;
  /** The run's first error or failed-records code, e.g. ACTIVATION_BATCH-0000-FAILED. */
  error?: { code: string; message: string };
}

export interface HealthInput {
  /** The live dataflow's state; undefined when there is none (not created yet). */
  flowState: string | undefined;
  /** The flow's runs in the window, any order. */
  runs: readonly RunSummary[];
  now: number;
  thresholds: HealthThresholds;
}

export interface HealthVerdict {
  health: Health;
  reason: string; // CamelCase, like Kubernetes condition reasons
  message: string;
  lastRun?: RunSummary;
  /** Sums over the runs in the window. */
  records: { activated: number; failed: number };
}

const percent = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);

export function assessHealth(input: HealthInput): HealthVerdict {
  const { thresholds: th, now } = input;
  // a run still processing has no verdict yet: the rule looks at finished runs
  const runs = input.runs.filter((r) => r.status !== 'processing' && r.createdAt > now - th.windowMs).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  const records = { activated: runs.reduce((n, r) => n + r.activated, 0), failed: runs.reduce((n, r) => n + r.failed, 0) };
  const lastRun = runs[0];
  const base = { records, ...(lastRun ? { lastRun } : {}) };
  if (input.flowState === undefined) return { ...base, health: 'Unknown', reason: 'NoDataflow', message: 'the dataflow does not exist yet' };
  if (input.flowState === 'disabled' || input.flowState === 'disabling') return { ...base, health: 'Disabled', reason: 'Disabled', message: 'the dataflow is disabled: it activates nothing' };
  if (!lastRun) return { ...base, health: 'Unknown', reason: 'NoRuns', message: `no run in the last ${formatMs(th.windowMs)}` };

  const streak = runs.findIndex((r) => r.status !== 'failed');
  const failedInARow = streak === -1 ? runs.length : streak;
  const error = lastRun.error ? `: ${lastRun.error.code} ${lastRun.error.message}` : '';
  if (failedInARow >= th.failedRuns) {
    return { ...base, health: 'Failed', reason: 'RunsFailed', message: `the last ${failedInARow} run${failedInARow === 1 ? '' : 's'} failed${error}` };
  }
  if (lastRun.status === 'failed') return { ...base, health: 'Degraded', reason: 'RunFailed', message: `the last run failed${error} (Failed after ${th.failedRuns} in a row)` };
  const failedShare = percent(lastRun.failed, lastRun.input);
  if (lastRun.failed > 0 && failedShare > th.maxFailedRecordsPercent) {
    return { ...base, health: 'Degraded', reason: 'RecordsFailed', message: `the last run failed ${lastRun.failed} of ${lastRun.input} records (${round(failedShare)}%, more than ${th.maxFailedRecordsPercent}%)${error}` };
  }
  const age = now - lastRun.createdAt;
  if (age > th.lateAfterMs) return { ...base, health: 'Degraded', reason: 'RunLate', message: `the last run is ${formatMs(age)} old (late after ${formatMs(th.lateAfterMs)})` };
  return { ...base, health: 'Healthy', reason: 'RunsSucceeded', message: `the last run activated ${lastRun.activated} of ${lastRun.input} records` };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** 5400000 -> "1h30m"; 1500 -> "1.5s". */
export function formatMs(ms: number): string {
  if (ms < 60_000) return `${round(ms / 1000)}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return h > 0 ? `${h}h${m > 0 ? `${m}m` : ''}` : `${m}m`;
}
