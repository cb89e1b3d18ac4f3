// What the daemon knows between cycles, served as /status: the revision in force, the last
// attempt, every entity's condition with the time it last changed, each destination's activation
// health (activation-conditions.ts), readiness. One place records a cycle's outcome; /status,
// /readyz and the metrics read from here.
import { activationConditions, type HealthCondition, type LastRunCondition } from './activation-conditions.ts';
import type { BuildInfo, Condition, CycleOutcome, CycleResult, EntityStatus, Mode, Trigger } from './types.ts';

export const STATUS_VERSION = 1;

export interface EntityCondition extends Omit<EntityStatus, 'activation'> {
  since: string; // ISO time the condition last changed (not the reason, not the last check)
  /** Destinations: activation health, kept from the last cycle that could read the runs. */
  health?: HealthCondition;
  lastRun?: LastRunCondition;
}

export interface CycleRecord {
  trigger: Trigger;
  revision: string | null; // null when the source could not be read
  result: CycleResult;
  startedAt: string;
  durationMs: number;
  changes: number;
  drifted: number;
  error?: { code: string; message: string; hint?: string };
  diagnostics?: { summary: string; file?: string; line?: number }[];
}

export interface StatusDocument {
  version: typeof STATUS_VERSION;
  mode: Mode;
  /** Which flowsync runs (absent only where the daemon is built without it, in tests). */
  build?: BuildInfo;
  suspended: boolean;
  ready: boolean;
  source: string;
  revision: {
    inForce: string | null; // last revision applied successfully in apply mode
    inForceSince: string | null;
    lastAttempted: string | null;
    lastAttemptedResult: CycleResult | null;
    /** Set when the last attempted revision was not applied (invalid or refused). */
    note?: string;
  };
  lastCycle: CycleRecord | null;
  lastSuccessAt: string | null;
  reachable: { api: boolean; source: boolean };
  counts: Record<Condition, number>;
  entities: EntityCondition[];
}

export interface RecordInput {
  trigger: Trigger;
  revision: string | null;
  startedAt: number;
  durationMs: number;
  outcome: CycleOutcome;
  /** False when the source could not be fetched (git remote unreachable). */
  sourceReachable: boolean;
}

export class StatusStore {
  private readonly mode: Mode;
  private readonly source: string;
  private readonly build: BuildInfo | undefined;
  private entities = new Map<string, EntityCondition>();
  private inForce: { revision: string; at: number } | null = null;
  private lastAttempt: { revision: string | null; result: CycleResult } | null = null;
  private lastCycle: CycleRecord | null = null;
  private lastSuccessAt: number | null = null;
  private everSucceeded = false;
  private suspended = false;
  private reachable = { api: true, source: true };

  constructor(opts: { mode: Mode; source: string; build?: BuildInfo }) {
    this.mode = opts.mode;
    this.source = opts.source;
    this.build = opts.build;
  }

  record(input: RecordInput): void {
    const { outcome } = input;
    const ok = outcome.result === 'success' || outcome.result === 'suspended';
    this.reachable = { api: outcome.apiReachable, source: input.sourceReachable };
    this.suspended = outcome.result === 'suspended';
    this.lastAttempt = { revision: input.revision, result: outcome.result };
    if (ok) {
      this.everSucceeded = true;
      this.lastSuccessAt = input.startedAt + input.durationMs;
    }
    if (outcome.result === 'success' && this.mode === 'apply' && input.revision !== null && this.inForce?.revision !== input.revision) {
      this.inForce = { revision: input.revision, at: input.startedAt + input.durationMs };
    }
    // Invalid or refused revisions, and cycles that never reached the API, tell nothing about the
    // entities: keep the conditions of the last cycle that did.
    if (ok || outcome.entities.length > 0) this.updateEntities(outcome.entities, input.startedAt + input.durationMs);
    this.lastCycle = {
      trigger: input.trigger,
      revision: input.revision,
      result: outcome.result,
      startedAt: new Date(input.startedAt).toISOString(),
      durationMs: input.durationMs,
      changes: outcome.changes.length,
      drifted: outcome.drift.filter((d) => !d.healed).length,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.diagnostics?.length ? { diagnostics: outcome.diagnostics } : {}),
    };
  }

  /** Ready after a first successful cycle, and not while the last cycle found the API or git unreachable. */
  get ready(): boolean {
    return this.everSucceeded && this.reachable.api && this.reachable.source;
  }

  /** What the last cycle found; a cycle that never reached the API repeats this for `apiReachable`. */
  get apiReachable(): boolean {
    return this.reachable.api;
  }

  get revisionInForce(): string | null {
    return this.inForce?.revision ?? null;
  }

  conditions(): EntityCondition[] {
    return [...this.entities.values()].sort(
      (a, b) => a.sandbox.localeCompare(b.sandbox) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
    );
  }

  snapshot(): StatusDocument {
    const entities = this.conditions();
    const counts: Record<Condition, number> = { Ready: 0, Drifted: 0, Failed: 0, Suspended: 0 };
    for (const e of entities) counts[e.condition]++;
    const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
    const note = this.note();
    return {
      version: STATUS_VERSION,
      mode: this.mode,
      ...(this.build ? { build: { ...this.build } } : {}),
      suspended: this.suspended,
      ready: this.ready,
      source: this.source,
      revision: {
        inForce: this.inForce?.revision ?? null,
        inForceSince: iso(this.inForce?.at),
        lastAttempted: this.lastAttempt?.revision ?? null,
        lastAttemptedResult: this.lastAttempt?.result ?? null,
        ...(note ? { note } : {}),
      },
      lastCycle: this.lastCycle,
      lastSuccessAt: iso(this.lastSuccessAt),
      reachable: { ...this.reachable },
      counts,
      entities,
    };
  }

  private note(): string | undefined {
    const attempt = this.lastAttempt;
    if (!attempt || (attempt.result !== 'invalid' && attempt.result !== 'refused')) return undefined;
    const why = attempt.result === 'invalid' ? 'failed validation' : 'was refused by the delete safety limit';
    const kept = this.inForce ? `revision ${this.inForce.revision} stays in force` : 'no revision has been applied yet';
    return `revision ${attempt.revision ?? '(unknown)'} ${why} and was not applied; ${kept}`;
  }

  private updateEntities(next: readonly EntityStatus[], at: number): void {
    const fresh = new Map<string, EntityCondition>();
    for (const e of next) {
      const key = `${e.sandbox}\0${e.kind}\0${e.name}`;
      const prev = this.entities.get(key);
      const since = prev && prev.condition === e.condition ? prev.since : new Date(at).toISOString();
      const activation = e.activation ? activationConditions(e.activation, prev, new Date(at).toISOString()) : prev?.health && prev.lastRun ? { health: prev.health, lastRun: prev.lastRun } : undefined;
      fresh.set(key, { sandbox: e.sandbox, kind: e.kind, name: e.name, condition: e.condition, reason: e.reason, ...(e.message ? { message: e.message } : {}), since, ...activation });
    }
    this.entities = fresh;
  }
}
