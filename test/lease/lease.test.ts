// The writer lease against the real emulator over HTTP: what taking and releasing it costs, two
// contenders never holding it at once, expiry (by the clock and by an etag that never changes),
// renewal, a lease lost to force-unlock stopping its holder's writes, and unlock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { harness, kinesisConnection, type Harness } from '../api/harness.ts';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { acquireLease, readLeaseRecord, unlockLease, withWriteLeases, type LeaseEvent, type LeaseOptions } from '../../src/lease/index.ts';
import { encodeLease, freeRecord } from '../../src/lease/record.ts';
import { listLeaseEntities } from '../../src/lease/store.ts';
import type { FlowServiceClient } from '../../src/api/index.ts';

function options(name: string, extra: Partial<LeaseOptions> = {}): LeaseOptions {
  return { durationMs: 60_000, clockSkewMs: 0, identity: { manager: `github.com/acme/${name}`, command: 'flowsync apply', host: `host-${name}`, pid: 100 }, ...extra };
}

/** Writes a lease record as a run on another host would have left it. */
async function plantRecord(client: FlowServiceClient, sandbox: string, patch: Partial<ReturnType<typeof freeRecord>>): Promise<void> {
  const released = await acquireLease(client, sandbox, options('planter'));
  await released.release();
  const [entity] = await listLeaseEntities(client, sandbox);
  const record = { ...entity!.record, host: 'gone-host', pid: 7, command: 'flowsync run', manager: 'github.com/acme/gone', ...patch };
  await client.patch(sandbox, 'connections', entity!.id, entity!.etag, [{ op: 'replace', path: '/description', value: encodeLease(record) }]);
}

const leaseRequests = (h: Harness) => h.serviceRequests().map((r) => `${r.method} ${r.path.replace(/\/[0-9a-f-]{36}$/, '/{id}')}`);

test('steady state: taking the lease costs one GET and one PATCH, releasing it one PATCH', async (t) => {
  const h = await harness(t);
  const first = await acquireLease(h.client, 'prod', options('a'));
  await first.release();
  h.emu.admin.resetRequests();

  const lease = await acquireLease(h.client, 'prod', options('a'));
  assert.deepEqual(leaseRequests(h), ['GET /data/foundation/flowservice/connections', 'PATCH /data/foundation/flowservice/connections/{id}']);
  assert.equal(lease.record.holder.startsWith('host-a:100:'), true);
  h.emu.admin.resetRequests();
  await lease.release();
  assert.deepEqual(leaseRequests(h), ['PATCH /data/foundation/flowservice/connections/{id}']);

  const after = await readLeaseRecord(h.client, 'prod');
  assert.equal(after?.holder, '');
  assert.deepEqual(after?.managers, ['github.com/acme/a']);
  assert.equal(after?.transitions, 2);
});

test('two contenders on an empty sandbox never hold the lease at once; the loser fails naming the holder or waits and then takes it', async (t) => {
  const h = await harness(t);
  const clients = [h.newClient(), h.newClient()];
  let inside = 0;
  let overlaps = 0;
  let refused = 0;
  let extraEntities = 0;
  for (let trial = 0; trial < 24; trial++) {
    const sandbox = `trial-${trial}`;
    h.emu.admin.addSandbox(sandbox);
    const wait = trial % 2 === 1;
    const outcomes = await Promise.all(
      clients.map(async (client, i) => {
        await delay(Math.floor(Math.random() * 50));
        try {
          const lease = await acquireLease(client, sandbox, options(i === 0 ? 'a' : 'b', wait ? { lockTimeoutMs: 5_000 } : {}));
          inside += 1;
          if (inside > 1) overlaps += 1;
          await delay(50);
          inside -= 1;
          await lease.release();
          return 'held';
        } catch (err) {
          if (!isFlowsyncError(err, 'FS_LEASE_HELD')) throw err;
          assert.match(err.message, new RegExp(`held by host-${i === 0 ? 'b' : 'a'} pid 100 \\(flowsync apply, manager github.com/acme/${i === 0 ? 'b' : 'a'}\\)`));
          refused += 1;
          return 'refused';
        }
      }),
    );
    assert.equal(overlaps, 0, `trial ${trial}: both held the lease at once`);
    if (wait) assert.deepEqual(outcomes, ['held', 'held'], `trial ${trial}`);
    else assert.ok(outcomes.includes('held'), `trial ${trial}: ${outcomes.join(', ')}`);
    const entities = await listLeaseEntities(h.client, sandbox);
    assert.ok(entities.every((e) => e.record.holder === ''), `trial ${trial}: a lease is still held`);
    if (entities.length > 1) extraEntities += 1;
    // A loser that fails at once may leave the free entity it created; the next take removes it.
    if (wait) assert.equal(entities.length, 1, `trial ${trial}: ${entities.length} lease entities after the waiter took it`);
    else await (await acquireLease(h.client, sandbox, options('c'))).release();
    assert.equal((await listLeaseEntities(h.client, sandbox)).length, 1, `trial ${trial}`);
  }
  t.diagnostic(`${refused} refusals, ${extraEntities} trials left a second (free) entity before the next take`);
});

test('two runs that each created a lease entity converge on one after the next take', async (t) => {
  const h = await harness(t);
  const body = { name: 'flowsync-lease', description: encodeLease(freeRecord()), connectionSpec: { id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1', version: '1.0' } };
  await h.client.create('prod', 'connections', body);
  await h.client.create('prod', 'connections', { ...body, description: encodeLease({ ...freeRecord(), managers: ['old-manager'], deletions: [[3_600_000, 4]] }) });
  const lease = await acquireLease(h.client, 'prod', options('a'));
  assert.deepEqual(lease.managers, ['old-manager', 'github.com/acme/a']);
  assert.equal(lease.deletionsSince(0), 4);
  await lease.release();
  assert.equal((await listLeaseEntities(h.client, 'prod')).length, 1);
});

test('an expired lease is taken over and the transition counted', async (t) => {
  const h = await harness(t);
  await plantRecord(h.client, 'prod', { holder: 'gone-host:7:dead', renewedAt: Date.now() - 5_000, durationMs: 1_000, transitions: 4 });
  const lease = await acquireLease(h.client, 'prod', options('b', { durationMs: 1_000 }));
  assert.equal(lease.record.transitions, 5);
  assert.deepEqual(lease.managers, ['github.com/acme/planter', 'github.com/acme/b']);
  await lease.release();
});

test('a record whose clock runs ahead expires once its etag stayed the same for a whole duration on the waiter\'s clock', async (t) => {
  const h = await harness(t);
  await plantRecord(h.client, 'prod', { holder: 'gone-host:7:dead', renewedAt: Date.now() + 3_600_000, durationMs: 300 });
  const events: LeaseEvent[] = [];
  await assert.rejects(acquireLease(h.client, 'prod', options('b')), (err) => isFlowsyncError(err, 'FS_LEASE_HELD') && /held by gone-host pid 7 \(flowsync run/.test(err.message));
  const lease = await acquireLease(h.client, 'prod', options('b', { lockTimeoutMs: 5_000, onEvent: (e) => events.push(e) }));
  assert.ok(events.some((e) => e.type === 'waiting'));
  assert.equal(events.at(-1)?.type, 'acquired');
  await lease.release();
});

test('renewal keeps a lease alive across several durations', async (t) => {
  const h = await harness(t);
  const events: LeaseEvent[] = [];
  const lease = await acquireLease(h.client, 'prod', options('a', { durationMs: 600, onEvent: (e) => events.push(e) }));
  await delay(2_000);
  lease.assertHeld();
  assert.ok(events.filter((e) => e.type === 'renewed').length >= 6, `${events.filter((e) => e.type === 'renewed').length} renewals`);
  await assert.rejects(acquireLease(h.newClient(), 'prod', options('b', { durationMs: 600 })), (err) => isFlowsyncError(err, 'FS_LEASE_HELD'));
  await lease.release();
  assert.equal((await readLeaseRecord(h.client, 'prod'))?.holder, '');
});

test('a lease freed by force and taken by another run stops its first holder before its next write', async (t) => {
  const h = await harness(t);
  const first = h.newClient();
  const second = h.newClient();
  let lostSeen!: () => void;
  const lost = new Promise<void>((resolve) => (lostSeen = resolve));
  await withWriteLeases(first, ['prod'], options('a', { durationMs: 900, onEvent: (e) => e.type === 'lost' && lostSeen() }), async (leases) => {
    await first.create('prod', 'connections', kinesisConnection('written-while-held', 'secret-1'));
    await assert.rejects(unlockLease(second, 'prod', { force: false, clockSkewMs: 0 }), (err) => isFlowsyncError(err, 'FS_LEASE_LIVE') && /held by host-a pid 100/.test(err.message));
    const freed = await unlockLease(second, 'prod', { force: true, clockSkewMs: 0 });
    assert.equal(freed.freed, true);
    assert.equal(freed.previous?.host, 'host-a');
    const taker = await acquireLease(second, 'prod', options('b', { durationMs: 60_000 }));
    h.emu.admin.resetRequests();
    await lost; // the first holder's next renewal finds another holder
    assert.equal(leases.get('prod')!.lost, true);
    await assert.rejects(first.create('prod', 'connections', kinesisConnection('written-after-loss', 'secret-2')), (err) => isFlowsyncError(err, 'FS_LEASE_LOST'));
    await assert.rejects(first.delete('prod', 'connections', 'anything'), (err) => isFlowsyncError(err, 'FS_LEASE_LOST'));
    const writes = h.serviceRequests().filter((r) => r.write);
    assert.deepEqual(writes.map((r) => `${r.method} ${r.status}`), ['PATCH 412'], 'only the renewal that found the new holder reached the emulator');
    await taker.release();
  });
  // The first holder's release left the second holder's record alone.
  const record = await readLeaseRecord(h.client, 'prod');
  assert.equal(record?.host, 'host-b');
  assert.equal(record?.holder, '');
});

test('without a lease for the sandbox the guard refuses the write; the guard is gone after the run', async (t) => {
  const h = await harness(t);
  await withWriteLeases(h.client, ['dev'], options('a'), async () => {
    await assert.rejects(h.client.create('prod', 'connections', kinesisConnection('elsewhere', 's')), (err) => isFlowsyncError(err, 'FS_LEASE_LOST'));
  });
  await h.client.create('prod', 'connections', kinesisConnection('after', 's'));
  assert.equal((await readLeaseRecord(h.client, 'dev'))?.holder, '');
});

test('unlock frees an expired lease without --force and says when there is nothing to free', async (t) => {
  const h = await harness(t);
  assert.deepEqual(await unlockLease(h.client, 'prod', { force: false, clockSkewMs: 0 }), { freed: false });
  await plantRecord(h.client, 'prod', { holder: 'gone-host:7:dead', renewedAt: Date.now() - 10_000, durationMs: 1_000 });
  const result = await unlockLease(h.client, 'prod', { force: false, clockSkewMs: 0 });
  assert.equal(result.freed, true);
  assert.equal(result.previous?.host, 'gone-host');
  const again = await unlockLease(h.client, 'prod', { force: false, clockSkewMs: 0 });
  assert.equal(again.freed, false);
  assert.equal((await readLeaseRecord(h.client, 'prod'))?.managers.length, 1, 'the ledger is kept');
});
