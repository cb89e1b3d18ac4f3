// The writer lease record (docs/concepts/several-writers.md "The writer lease"): a pure codec between the
// record and the lease entity's description, tolerant of anything a person may have typed there
// (garbage reads as a free lease) and bounded in size (under 1,000 characters, whatever it holds).
import { PROFILE_STORE_SPEC_ID } from '../domain/specs.ts';

export const LEASE_NAME = 'flowsync-lease';
export const LEASE_MARKER = '[flowsync:lease]';
export const LEASE_DESCRIPTION_PREFIX = `flowsync writer lease; do not edit ${LEASE_MARKER} `;
/** The description never reaches this many characters. */
export const MAX_DESCRIPTION = 1000;
export const MAX_BUCKETS = 25;
export const MAX_MANAGERS = 20;
export const HOUR_MS = 3_600_000;
/** Buckets this old (by their hour's end) no longer matter to any window the ledger serves. */
export const LEDGER_WINDOW_MS = 24 * HOUR_MS;

export const LIMITS = { holder: 96, host: 60, pod: 60, ns: 24, command: 32, manager: 160 } as const;

export interface LeaseRecord {
  holder: string; // '' when free; else host:pid:random of the holding run
  host: string;
  pid: number;
  pod?: string;
  /** The holder's PID namespace (Linux), so a holder on this machine whose process is gone is told apart. */
  ns?: string;
  command: string;
  manager: string;
  acquiredAt: number; // epoch ms, the holder's clock
  renewedAt: number;
  durationMs: number;
  transitions: number;
  managers: string[]; // every manager that ever held it, least recent first
  deletions: [number, number][]; // [hourStartMs, count], oldest first
}

export function freeRecord(): LeaseRecord {
  return { holder: '', host: '', pid: 0, command: '', manager: '', acquiredAt: 0, renewedAt: 0, durationMs: 0, transitions: 0, managers: [], deletions: [] };
}

/** Whether a connection is a lease entity (the live-state reader drops these). */
export function isLeaseEntity(entity: { name?: string; description?: string; specId?: string }): boolean {
  return entity.name === LEASE_NAME && (entity.specId === undefined || entity.specId === '' || entity.specId === PROFILE_STORE_SPEC_ID);
}

type Raw = Record<string, unknown>;
// Characters JSON would escape (quotes, backslashes, controls, lone surrogates) become '_', so a
// field's length in the description is its own length and the size bound holds.
const ESCAPED = /["\\\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string as the record stores it: escape-free and cut to `max` (never inside a surrogate pair). */
export function cleanText(v: string, max: number): string {
  return v.slice(0, max).replace(ESCAPED, '_');
}
const text = (v: unknown, max: number): string => (typeof v === 'string' ? cleanText(v, max) : '');
const count = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0); // -0 too becomes 0

function buckets(v: unknown): [number, number][] {
  if (!Array.isArray(v)) return [];
  const byHour = new Map<number, number>();
  for (const b of v) {
    if (!Array.isArray(b)) continue;
    const hour = count(b[0]);
    const n = count(b[1]);
    if (n > 0) byHour.set(hour - (hour % HOUR_MS), (byHour.get(hour - (hour % HOUR_MS)) ?? 0) + n);
  }
  return [...byHour].sort((a, b) => a[0] - b[0]);
}

function managerList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return [...new Set(v.filter((m): m is string => typeof m === 'string' && m !== '').map((m) => cleanText(m, LIMITS.manager)))];
}

/** The record in a description; anything unreadable reads as a free lease (field by field). */
export function decodeLease(description: string | undefined): LeaseRecord {
  const at = description?.indexOf(LEASE_MARKER) ?? -1;
  if (description === undefined || at < 0) return freeRecord();
  let raw: Raw;
  try {
    const parsed: unknown = JSON.parse(description.slice(at + LEASE_MARKER.length).trim());
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return freeRecord();
    raw = parsed as Raw;
  } catch {
    return freeRecord();
  }
  const pod = text(raw.pod, LIMITS.pod);
  const ns = text(raw.ns, LIMITS.ns);
  return bound({
    holder: text(raw.holder, LIMITS.holder),
    host: text(raw.host, LIMITS.host),
    pid: count(raw.pid),
    ...(pod ? { pod } : {}),
    ...(ns ? { ns } : {}),
    command: text(raw.command, LIMITS.command),
    manager: text(raw.manager, LIMITS.manager),
    acquiredAt: count(raw.acquiredAt),
    renewedAt: count(raw.renewedAt),
    durationMs: count(raw.durationMs),
    transitions: count(raw.transitions),
    managers: managerList(raw.managers),
    deletions: buckets(raw.deletions),
  });
}

function render(r: LeaseRecord): string {
  // Fixed key order so the same record always gives the same description.
  const json = {
    holder: r.holder,
    host: r.host,
    pid: r.pid,
    ...(r.pod ? { pod: r.pod } : {}),
    ...(r.ns ? { ns: r.ns } : {}),
    command: r.command,
    manager: r.manager,
    acquiredAt: r.acquiredAt,
    renewedAt: r.renewedAt,
    durationMs: r.durationMs,
    transitions: r.transitions,
    managers: r.managers,
    deletions: r.deletions,
  };
  return `${LEASE_DESCRIPTION_PREFIX}${JSON.stringify(json)}`;
}

/**
 * The record cut to its limits: strings to their lengths, at most 25 buckets and 20 managers, and
 * then, while the description would still reach 1,000 characters, the least recent manager other
 * than the holder's goes, then the two oldest buckets merge into the newer hour (the count is kept
 * and counted for longer: the deletion budget only errs on the careful side).
 */
export function bound(record: LeaseRecord): LeaseRecord {
  const pod = cleanText(record.pod ?? '', LIMITS.pod);
  const r: LeaseRecord = {
    ...record,
    holder: cleanText(record.holder, LIMITS.holder),
    host: cleanText(record.host, LIMITS.host),
    command: cleanText(record.command, LIMITS.command),
    manager: cleanText(record.manager, LIMITS.manager),
    pid: count(record.pid),
    acquiredAt: count(record.acquiredAt),
    renewedAt: count(record.renewedAt),
    durationMs: count(record.durationMs),
    transitions: count(record.transitions),
    managers: managerList(record.managers),
    deletions: buckets(record.deletions),
  };
  if (pod) r.pod = pod;
  else delete r.pod;
  const ns = cleanText(record.ns ?? '', LIMITS.ns);
  if (ns) r.ns = ns;
  else delete r.ns;
  const dropManager = (): boolean => {
    const i = r.managers.findIndex((m) => m !== r.manager);
    if (i < 0) return false;
    r.managers.splice(i, 1);
    return true;
  };
  const mergeBuckets = (): boolean => {
    if (r.deletions.length < 2) return false;
    const [first, second] = r.deletions as [[number, number], [number, number]];
    r.deletions.splice(0, 2, [second[0], first[1] + second[1]]);
    return true;
  };
  while (r.managers.length > MAX_MANAGERS && dropManager());
  while (r.deletions.length > MAX_BUCKETS && mergeBuckets());
  while (render(r).length >= MAX_DESCRIPTION && (dropManager() || mergeBuckets() || (r.managers.length > 0 && Boolean(r.managers.pop()))));
  return r;
}

export function encodeLease(record: LeaseRecord): string {
  return render(bound(record));
}

/** The manager moved to the end of the list (most recent); the oldest fall off in bound(). */
export function withManager(managers: readonly string[], manager: string): string[] {
  return manager ? [...managers.filter((m) => m !== manager), manager] : [...managers];
}

/** Adds `n` deletions at `atMs` to its hour's bucket and drops buckets whose hour ended a window ago. */
export function addDeletions(deletions: readonly [number, number][], n: number, atMs: number): [number, number][] {
  const hour = atMs - (atMs % HOUR_MS);
  const kept = deletions.filter(([h]) => h + HOUR_MS > atMs - LEDGER_WINDOW_MS).map(([h, c]): [number, number] => [h, c]);
  if (n <= 0) return kept;
  const same = kept.find(([h]) => h === hour);
  if (same) same[1] += n;
  else kept.push([hour, n]);
  return kept.sort((a, b) => a[0] - b[0]);
}

/** Deletions in the buckets whose hour ends after `sinceMs` (a partly covered hour counts whole). */
export function deletionsSince(deletions: readonly [number, number][], sinceMs: number): number {
  return deletions.filter(([h]) => h + HOUR_MS > sinceMs).reduce((sum, [, c]) => sum + c, 0);
}

/** Two ledgers as one: per hour the larger count (copies of one history, never two histories). */
export function mergeLedgers(a: LeaseRecord, b: LeaseRecord): Pick<LeaseRecord, 'managers' | 'deletions' | 'transitions'> {
  const byHour = new Map<number, number>(a.deletions);
  for (const [h, c] of b.deletions) byHour.set(h, Math.max(byHour.get(h) ?? 0, c));
  return {
    managers: [...a.managers.filter((m) => !b.managers.includes(m)), ...b.managers],
    deletions: [...byHour].sort((x, y) => x[0] - y[0]),
    transitions: Math.max(a.transitions, b.transitions),
  };
}
