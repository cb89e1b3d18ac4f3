// Taking the writer lease of a sandbox (docs/concepts/several-writers.md "Taking it"): list the lease
// entities (one GET; create a free one when there is none), take every one of them in id order by
// compare-and-swap, give everything back when one has a live foreign holder, then wait with
// back-off and jitter or fail naming the holder. The winner keeps the first entity (with the
// ledgers of all) and deletes the others, so the steady state costs one GET and one PATCH.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { FlowServiceClient } from '../api/client.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { Lease, type HeldLease, type LeaseEvent } from './held.ts';
import { describeHolder, expiredByClock } from './inspect.ts';
import { holderGoneHere, pidNamespace } from './local-holder.ts';
import { cleanText, LIMITS, mergeLedgers, withManager, type LeaseRecord } from './record.ts';
import { casLeaseRecord, createLeaseEntity, deleteLeaseEntity, listLeaseEntities, type LeaseEntity } from './store.ts';

export interface LeaseIdentity {
  manager: string;
  command: string; // e.g. "flowsync apply"
  host?: string; // default os.hostname()
  pid?: number; // default process.pid
  pod?: string; // default env POD_NAME
  ns?: string; // default this process's PID namespace (Linux)
}

export interface LeaseOptions {
  durationMs: number;
  clockSkewMs: number;
  identity: LeaseIdentity;
  /** 0/undefined: fail at once with FS_LEASE_HELD naming the holder. */
  lockTimeoutMs?: number;
  now?: () => number;
  /** Local monotonic clock for the renew deadline and the unchanged-etag rule (default performance.now). */
  monotonic?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onEvent?: (e: LeaseEvent) => void;
}

type Client = Pick<FlowServiceClient, 'list' | 'get' | 'create' | 'patch' | 'delete'>;

const WAIT_BASE_MS = 100;
const WAIT_MAX_MS = 5_000;
const MAX_RACES = 20;

interface Clocks {
  now: () => number;
  monotonic: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  emit: (e: LeaseEvent) => void;
}

function clocksOf(opts: LeaseOptions): Clocks {
  return {
    now: opts.now ?? Date.now,
    monotonic: opts.monotonic ?? (() => performance.now()),
    sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: opts.random ?? Math.random,
    emit: (e) => {
      try {
        opts.onEvent?.(e);
      } catch {
        // a log or metrics hook never breaks the lease
      }
    },
  };
}

function holderRecord(identity: LeaseIdentity, random: () => number): Omit<LeaseRecord, 'acquiredAt' | 'renewedAt' | 'durationMs' | 'transitions' | 'managers' | 'deletions'> {
  const host = cleanText(identity.host ?? os.hostname(), LIMITS.host);
  const pid = identity.pid ?? process.pid;
  const pod = identity.pod ?? process.env.POD_NAME;
  const ns = identity.ns ?? pidNamespace();
  const nonce = Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0');
  return { holder: cleanText(`${host}:${pid}:${nonce}`, LIMITS.holder), host, pid, ...(pod ? { pod } : {}), ...(ns ? { ns } : {}), command: identity.command, manager: identity.manager };
}

/** Full jitter between half and all of min(max, base * 2^n). */
function waitDelay(n: number, random: () => number): number {
  const cap = Math.min(WAIT_MAX_MS, WAIT_BASE_MS * 2 ** Math.min(n, 16));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

type Attempt = { kind: 'held'; entity: LeaseEntity; sentAt: number } | { kind: 'blocked'; record: LeaseRecord } | { kind: 'race' };

export async function acquireLease(client: Client, sandbox: string, opts: LeaseOptions): Promise<HeldLease> {
  const clocks = clocksOf(opts);
  const me = holderRecord(opts.identity, clocks.random);
  const started = clocks.monotonic();
  const deadline = started + Math.max(0, opts.lockTimeoutMs ?? 0);
  // The second expiry rule: an entity whose etag stays the same for a whole durationMs on our clock.
  const seen = new Map<string, { etag: string; since: number }>();
  const expired = (e: LeaseEntity): boolean => {
    if (expiredByClock(e.record, clocks.now(), opts.clockSkewMs) || holderGoneHere(e.record, me)) return true;
    const mark = seen.get(e.id);
    if (!mark || mark.etag !== e.etag) {
      seen.set(e.id, { etag: e.etag, since: clocks.monotonic() });
      return false;
    }
    return clocks.monotonic() - mark.since >= e.record.durationMs;
  };

  const takeAll = async (entities: LeaseEntity[]): Promise<Attempt> => {
    const ledger = entities.map((e) => e.record).reduce((acc, r) => ({ ...acc, ...mergeLedgers(acc, r) }));
    const taken: { before: LeaseEntity; after: LeaseEntity }[] = [];
    const giveBack = async (): Promise<void> => {
      for (const { before, after } of taken.reverse()) {
        await casLeaseRecord(client, sandbox, after, { ...before.record, holder: '' }).catch(() => undefined); // else it expires
      }
    };
    let sentAt = 0;
    for (const [i, e] of entities.entries()) {
      if (e.record.holder !== '' && !expired(e)) {
        await giveBack();
        return { kind: 'blocked', record: e.record };
      }
      const base = i === 0 ? ledger : e.record;
      const at = clocks.now();
      const record: LeaseRecord = {
        ...me,
        acquiredAt: at,
        renewedAt: at,
        durationMs: opts.durationMs,
        transitions: base.transitions + (e.record.holder === me.holder ? 0 : 1),
        managers: withManager(base.managers, me.manager),
        deletions: base.deletions,
      };
      if (i === 0) sentAt = clocks.monotonic();
      const etag = await casLeaseRecord(client, sandbox, e, record);
      if (!etag) {
        await giveBack();
        return { kind: 'race' };
      }
      taken.push({ before: e, after: { id: e.id, etag, record } });
    }
    // Every entity is ours: keep the first (it carries every ledger), the rest go.
    for (const { after } of taken.slice(1)) {
      await deleteLeaseEntity(client, sandbox, after.id).catch(() => casLeaseRecord(client, sandbox, after, { ...after.record, holder: '' }).catch(() => undefined));
    }
    return { kind: 'held', entity: taken[0]!.after, sentAt };
  };

  let waits = 0;
  let races = 0;
  for (;;) {
    let entities = await listLeaseEntities(client, sandbox);
    if (entities.length === 0) {
      await createLeaseEntity(client, sandbox);
      entities = await listLeaseEntities(client, sandbox);
      if (entities.length === 0) throw new FlowsyncError('FS_LEASE_ENTITY', `sandbox ${sandbox}: the writer lease entity was created but the list does not show it`);
    }
    const attempt = await takeAll(entities);
    if (attempt.kind === 'held') {
      clocks.emit({ type: 'acquired', sandbox, record: attempt.entity.record, waitedMs: Math.round(clocks.monotonic() - started) });
      return new Lease({ client, sandbox, entity: attempt.entity, durationMs: opts.durationMs, now: clocks.now, monotonic: clocks.monotonic, takenAt: attempt.sentAt, emit: clocks.emit });
    }
    if (attempt.kind === 'race') {
      // Someone wrote between our list and our PATCH: look again soon (a live holder shows up as blocked).
      if (++races > MAX_RACES) throw new FlowsyncError('FS_LEASE_ENTITY', `sandbox ${sandbox}: the writer lease entity kept changing while taking it (${races} tries)`);
      await clocks.sleep(Math.round(clocks.random() * 20 * Math.min(races, 5)));
      continue;
    }
    const left = deadline - clocks.monotonic();
    const holder = describeHolder(attempt.record, clocks.now());
    if (left <= 0) {
      const waited = opts.lockTimeoutMs ? ` (waited ${Math.round((clocks.monotonic() - started) / 1000)} s)` : '';
      throw new FlowsyncError('FS_LEASE_HELD', `sandbox ${sandbox}: the writer lease is held by ${holder}${waited}`, {
        details: { sandbox, holder: attempt.record.holder, host: attempt.record.host, pid: attempt.record.pid, manager: attempt.record.manager },
      });
    }
    const delayMs = Math.max(1, Math.min(left, waitDelay(waits++, clocks.random)));
    clocks.emit({ type: 'waiting', sandbox, holder, delayMs });
    await clocks.sleep(delayMs);
  }
}

/**
 * Takes every sandbox's lease in sorted order (no deadlock; one lock timeout for all), installs the
 * client's write guard, runs fn, then removes the guard and releases every lease (also on error).
 */
export async function withWriteLeases<T>(
  client: FlowServiceClient,
  sandboxes: string[],
  opts: LeaseOptions,
  fn: (leases: Map<string, HeldLease>) => Promise<T>,
): Promise<T> {
  const monotonic = opts.monotonic ?? (() => performance.now());
  const deadline = monotonic() + Math.max(0, opts.lockTimeoutMs ?? 0);
  const leases = new Map<string, HeldLease>();
  try {
    for (const sandbox of [...new Set(sandboxes)].sort()) {
      leases.set(sandbox, await acquireLease(client, sandbox, { ...opts, lockTimeoutMs: Math.max(0, deadline - monotonic()) }));
    }
    client.setWriteGuard((sandbox) => {
      const lease = sandbox === undefined ? undefined : leases.get(sandbox);
      if (lease) return lease.assertHeld();
      if (sandbox === undefined) return leases.forEach((l) => l.assertHeld());
      throw new FlowsyncError('FS_LEASE_LOST', `sandbox ${sandbox}: this run holds no writer lease for it, so it does not write there`, { details: { sandbox } });
    });
    return await fn(leases);
  } finally {
    client.setWriteGuard(undefined);
    await Promise.all([...leases.values()].map((l) => l.release()));
  }
}
