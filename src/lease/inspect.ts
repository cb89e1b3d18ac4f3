// Reading a lease without taking it: who holds it (for error messages), whether it has expired by
// the clock, the record orphan discovery reads, and `flowsync unlock`.
import os from 'node:os';
import type { FlowServiceClient } from '../api/client.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { holderGoneHere, pidNamespace } from './local-holder.ts';
import { mergeLedgers, type LeaseRecord } from './record.ts';
import { casLeaseRecord, getLeaseEntity, listLeaseEntities, type LeaseEntity } from './store.ts';

type Client = Pick<FlowServiceClient, 'list' | 'get' | 'create' | 'patch' | 'delete'>;

function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "host pid 123 (flowsync apply, manager M) since …, expires …" */
export function describeHolder(record: LeaseRecord, now: number): string {
  const who = [record.host || 'an unknown host', record.pod ? `pod ${record.pod}` : '', record.pid ? `pid ${record.pid}` : ''].filter(Boolean).join(' ');
  const what = [record.command || 'flowsync', record.manager ? `manager ${record.manager}` : ''].filter(Boolean).join(', ');
  const expiry = record.renewedAt + record.durationMs;
  const since = record.acquiredAt ? ` since ${iso(record.acquiredAt)} (${span(now - record.acquiredAt)} ago)` : '';
  const ends = expiry > now ? `expires ${iso(expiry)} (in ${span(expiry - now)})` : `expired ${iso(expiry)} (${span(now - expiry)} ago)`;
  return `${who} (${what})${since}, ${ends}`;
}

/** Held and past renewedAt + durationMs + clockSkew on this clock. A free lease is not "expired". */
export function expiredByClock(record: LeaseRecord, now: number, clockSkewMs: number): boolean {
  return record.holder !== '' && now > record.renewedAt + record.durationMs + clockSkewMs;
}

/** The sandbox's lease record (the held entity's, else the first), with the ledgers of all its entities; undefined when none exists. */
export async function readLeaseRecord(client: Client, sandbox: string): Promise<LeaseRecord | undefined> {
  const entities = await listLeaseEntities(client, sandbox);
  const main = entities.find((e) => e.record.holder !== '') ?? entities[0];
  if (!main) return undefined;
  return entities.reduce<LeaseRecord>((acc, e) => ({ ...acc, ...mergeLedgers(acc, e.record) }), main.record);
}

function liveError(sandbox: string, record: LeaseRecord, now: number): FlowsyncError {
  return new FlowsyncError('FS_LEASE_LIVE', `sandbox ${sandbox}: the writer lease is live, held by ${describeHolder(record, now)}; not freed without --force`, {
    details: { sandbox, holder: record.holder },
  });
}

/**
 * Frees the sandbox's lease: an expired one always, a live one only with `force`. Refuses (FS_LEASE_LIVE)
 * before writing anything when any entity is live. The ledger and managers are kept.
 */
export async function unlockLease(
  client: Client,
  sandbox: string,
  opts: { force: boolean; now?: () => number; clockSkewMs: number },
): Promise<{ freed: boolean; previous?: LeaseRecord }> {
  const now = opts.now ?? Date.now;
  const entities = await listLeaseEntities(client, sandbox);
  const held = entities.filter((e) => e.record.holder !== '');
  if (held.length === 0) return entities[0] ? { freed: false, previous: entities[0].record } : { freed: false };
  const here = { host: os.hostname(), ns: pidNamespace() };
  const over = (r: LeaseRecord) => expiredByClock(r, now(), opts.clockSkewMs) || holderGoneHere(r, here);
  const live = held.find((e) => !over(e.record));
  if (live && !opts.force) throw liveError(sandbox, live.record, now());
  let freed: LeaseRecord | undefined;
  for (const first of held) {
    let entity: LeaseEntity | undefined = first;
    for (let tries = 0; entity && entity.record.holder !== '' && tries < 5; tries++) {
      if (!opts.force && !over(entity.record)) throw liveError(sandbox, entity.record, now());
      if (await casLeaseRecord(client, sandbox, entity, { ...entity.record, holder: '' })) {
        freed ??= entity.record;
        break;
      }
      entity = await getLeaseEntity(client, sandbox, entity.id); // someone wrote first: look again
    }
  }
  return freed ? { freed: true, previous: freed } : { freed: false, previous: held[0]!.record };
}
