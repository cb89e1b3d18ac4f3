// A lease this run holds: renewed every third of its duration, asked before every write whether it
// is still safe to write (not once a renewal found another holder, nor past the renew deadline of
// two thirds of the duration since the last successful renewal), and the home of the deletion
// ledger. Every write of the record is a compare-and-swap, one at a time.
import type { FlowServiceClient } from '../api/client.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { describeHolder } from './inspect.ts';
import { addDeletions, deletionsSince, type LeaseRecord } from './record.ts';
import { casLeaseRecord, getLeaseEntity } from './store.ts';

export type LeaseEvent =
  | { type: 'acquired'; sandbox: string; record: LeaseRecord; waitedMs: number }
  | { type: 'waiting'; sandbox: string; holder: string; delayMs: number }
  | { type: 'renewed'; sandbox: string; record: LeaseRecord }
  | { type: 'lost'; sandbox: string; reason: string }
  | { type: 'released'; sandbox: string };

export interface HeldLease {
  readonly sandbox: string;
  /** The record as last written by this run. */
  readonly record: LeaseRecord;
  readonly lost: boolean;
  /** Throws FS_LEASE_LOST once the lease is lost or past its renew deadline. */
  assertHeld(): void;
  deletionsSince(sinceMs: number): number;
  /** Adds deletions to the ledger (CAS write; buckets older than a day are pruned). */
  recordDeletions(count: number, atMs: number): Promise<void>;
  /** Every manager that ever held the lease. */
  readonly managers: string[];
  /** Frees the lease (holder ''), keeping the ledger and managers. Best effort: never throws. */
  release(): Promise<void>;
}

export interface HeldContext {
  client: Pick<FlowServiceClient, 'list' | 'get' | 'create' | 'patch' | 'delete'>;
  sandbox: string;
  entity: { id: string; etag: string; record: LeaseRecord };
  durationMs: number;
  now: () => number;
  monotonic: () => number;
  /** Local monotonic time when the write that took the lease was sent. */
  takenAt: number;
  emit: (e: LeaseEvent) => void;
}

export class Lease implements HeldLease {
  readonly sandbox: string;
  private entity: { id: string; etag: string; record: LeaseRecord };
  private lastRenewal: number;
  private lostReason: string | undefined;
  private released = false;
  private renewing = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly ctx: HeldContext) {
    this.sandbox = ctx.sandbox;
    this.entity = ctx.entity;
    this.lastRenewal = ctx.takenAt;
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(ctx.durationMs / 3)));
    this.timer.unref();
  }

  get record(): LeaseRecord {
    return this.entity.record;
  }

  get managers(): string[] {
    return [...this.entity.record.managers];
  }

  get lost(): boolean {
    this.checkDeadline();
    return this.lostReason !== undefined;
  }

  assertHeld(): void {
    if (this.lost) {
      throw new FlowsyncError('FS_LEASE_LOST', `sandbox ${this.sandbox}: ${this.lostReason}; flowsync stopped before its next write`, { details: { sandbox: this.sandbox } });
    }
    if (this.released) throw new FlowsyncError('FS_LEASE_LOST', `sandbox ${this.sandbox}: the writer lease was already released`, { details: { sandbox: this.sandbox } });
  }

  deletionsSince(sinceMs: number): number {
    return deletionsSince(this.entity.record.deletions, sinceMs);
  }

  recordDeletions(count: number, atMs: number): Promise<void> {
    return this.serial(async () => {
      this.assertHeld();
      const next = { ...this.entity.record, deletions: addDeletions(this.entity.record.deletions, count, atMs) };
      if (!(await this.write(next))) this.assertHeld();
    });
  }

  /** One renewal (the timer calls it; tests may too). Failures only show through the deadline. */
  async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.serial(async () => {
        if (this.lost || this.released) return;
        const sentAt = this.ctx.monotonic();
        if (await this.write({ ...this.entity.record, renewedAt: this.ctx.now() })) {
          this.lastRenewal = sentAt;
          this.ctx.emit({ type: 'renewed', sandbox: this.sandbox, record: this.entity.record });
        }
      });
    } catch {
      // network trouble: the next tick tries again; the renew deadline stops writes meanwhile
    } finally {
      this.renewing = false;
    }
  }

  release(): Promise<void> {
    clearInterval(this.timer);
    return this.serial(async () => {
      if (this.released) return;
      this.released = true;
      // Even past the deadline the record may still be ours: the CAS frees it only then.
      if (await this.write({ ...this.entity.record, holder: '' })) this.ctx.emit({ type: 'released', sandbox: this.sandbox });
    }).catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkDeadline(): void {
    if (this.lostReason !== undefined || this.released) return;
    const since = this.ctx.monotonic() - this.lastRenewal;
    if (since > (this.ctx.durationMs * 2) / 3) this.markLost(`the writer lease was not renewed for ${Math.round(since)} ms (renew deadline: two thirds of ${this.ctx.durationMs} ms)`);
  }

  private markLost(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    clearInterval(this.timer);
    this.ctx.emit({ type: 'lost', sandbox: this.sandbox, reason });
  }

  /** CAS of the record; on a 412 reads the entity again: still ours → retry, else lost. */
  private async write(next: LeaseRecord): Promise<boolean> {
    const { client, sandbox } = this.ctx;
    for (let tries = 0; tries < 3; tries++) {
      const etag = await casLeaseRecord(client, sandbox, this.entity, next);
      if (etag) {
        this.entity = { id: this.entity.id, etag, record: next };
        return true;
      }
      const fresh = await getLeaseEntity(client, sandbox, this.entity.id);
      if (!fresh) {
        this.markLost('the lease entity was deleted');
        return false;
      }
      if (fresh.record.holder !== this.entity.record.holder) {
        const by = fresh.record.holder ? `another run took it: ${describeHolder(fresh.record, this.ctx.now())}` : 'it was freed (flowsync unlock --force)';
        this.markLost(`the writer lease was lost, ${by}`);
        return false;
      }
      this.entity = { ...this.entity, etag: fresh.etag }; // still ours, the entity was touched otherwise
    }
    return false;
  }
}
