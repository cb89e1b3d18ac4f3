// Retries against the emulator's fault injection: which answers are retried, how long the client
// waits, and that a create is never repeated blindly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, kinesisConnection, profileConnection, virtualTime } from './harness.ts';
import { isApiError, type FlowServiceClient } from '../../src/api/index.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';

test('5xx answers are retried with full-jitter backoff until one succeeds', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: [{ count: 3, status: 503, method: 'GET', pathPrefix: '/connections' }] } } });
  const client = h.newClient({ backoff: { baseMs: 100, maxMs: 1000 } });
  assert.deepEqual(await client.list('prod', 'connections'), []);
  assert.deepEqual(h.serviceRequests().map((r) => r.status), [503, 503, 503, 200]);
  assert.deepEqual(h.sleeps, [50, 100, 200], 'random 0.5 of 100·2^n');
  assert.deepEqual(
    h.events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.reason, e.attempt]),
    [['server-error', 1], ['server-error', 2], ['server-error', 3]],
  );
});

test('429 waits exactly what Retry-After says', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 2, status: 429, retryAfterSeconds: 7, pathPrefix: '/flows' } } } });
  assert.deepEqual(await h.client.list('prod', 'flows'), []);
  assert.deepEqual(h.serviceRequests().map((r) => r.status), [429, 429, 200]);
  assert.deepEqual(h.sleeps, [7000, 7000]);
});

test('a Retry-After longer than allowed ends the retries with FS_API_UNAVAILABLE', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 1, status: 429, retryAfterSeconds: 600, pathPrefix: '/flows' } } } });
  await assert.rejects(h.client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_UNAVAILABLE') && /wait 600 s/.test(err.message) && err.adobeCode === '429050');
  assert.equal(h.serviceRequests().length, 1);
});

test('retries are bounded: maxRetries + 1 attempts, then FS_API_UNAVAILABLE', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 10, status: 500, pathPrefix: '/flows' } } } });
  const client = h.newClient({ maxRetries: 2 });
  await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_UNAVAILABLE') && /gave up after 3 attempts/.test(err.message) && err.status === 500);
  assert.equal(h.serviceRequests().length, 3);
});

test('dropped connections on reads are retried', async (t) => {
  const h = await harness(t, { emulator: { faults: { dropRate: 0.5, seed: 7 } } });
  const client = h.newClient({ maxRetries: 10 });
  for (let i = 0; i < 10; i++) assert.deepEqual(await client.list('prod', 'flows'), []);
  const statuses = h.serviceRequests().map((r) => r.status);
  assert.ok(statuses.includes(0), 'some were dropped');
  assert.equal(statuses.filter((s) => s === 200).length, 10);
  assert.ok(h.events.some((e) => e.type === 'retry' && e.reason === 'network'));
});

test('a 400 is not retried', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 1, status: 400, pathPrefix: '/flows' } } } });
  await assert.rejects(h.client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_REQUEST'));
  assert.equal(h.serviceRequests().length, 1);
  assert.deepEqual(h.sleeps, []);
});

test('a timeout is retried', async (t) => {
  const h = await harness(t, { emulator: { faults: { latencyMs: 300 } } });
  const client = h.newClient({ timeoutMs: 100, maxRetries: 1 });
  await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_UNAVAILABLE') && /no answer within 100 ms/.test(err.message));
  assert.ok(h.events.some((e) => e.type === 'retry' && e.reason === 'timeout'));
});

/** The lookup apply passes to create: by name and ownership tag, through a list. */
function lookup(client: FlowServiceClient, name: string) {
  return async () => {
    const items = await client.list<{ id: string; etag: string; name: string; description?: string }>('prod', 'connections', { property: [`name==${name}`] });
    const hit = items.find((c) => c.name === name && parseOwnerTag(c.description).tag?.name === name);
    return hit ? { id: hit.id, etag: hit.etag } : undefined;
  };
}

test('a create whose answer is lost after the commit is found, not repeated: exactly one entity', async (t) => {
  const h = await harness(t, { emulator: { faults: { dropAfterCommit: { count: 1, method: 'POST', pathPrefix: '/connections' } } } });
  const created = await h.client.create('prod', 'connections', kinesisConnection('orders-acct'), { findExisting: lookup(h.client, 'orders-acct') });
  const all = await h.client.list<{ id: string; etag: string }>('prod', 'connections');
  assert.equal(all.length, 1);
  assert.deepEqual(created, { id: all[0]!.id, etag: all[0]!.etag });
  assert.deepEqual(
    h.serviceRequests().map((r) => `${r.method} ${r.status}`),
    ['POST 0', 'GET 200', 'GET 200'],
    'one POST, one lookup, then the test’s own list',
  );
});

test('a create that failed before the commit is looked up for the whole late-commit window, then sent again', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 1, status: 502, method: 'POST', pathPrefix: '/connections' } } } });
  const time = virtualTime();
  const client = h.newClient({ now: time.now, sleep: time.sleep, timeoutMs: 1_000, lateCommitWindowMs: 10_000 });
  await client.create('prod', 'connections', kinesisConnection('orders-acct'), { findExisting: lookup(client, 'orders-acct') });
  assert.equal((await client.list('prod', 'connections')).length, 1);
  const seen = h.serviceRequests().map((r) => `${r.method} ${r.status}`);
  assert.equal(seen[0], 'POST 502');
  assert.equal(seen.at(-2), 'POST 201', 'sent again only once absence was established');
  const lookups = seen.slice(1, -2);
  assert.ok(lookups.length >= 3 && lookups.every((s) => s === 'GET 200'), seen.join(', '));
  const lookupSleeps = time.sleeps.slice(0, lookups.length - 1);
  assert.equal(lookupSleeps.reduce((a, b) => a + b, 0), 10_000, 'the last lookup starts exactly when the window ends');
});

test('without a lookup an ambiguous create failure is FS_API_OUTCOME_UNKNOWN at once and never resent', async (t) => {
  const h = await harness(t, { emulator: { faults: { dropAfterCommit: { count: 1, method: 'POST', pathPrefix: '/connections' } } } });
  await assert.rejects(h.client.create('prod', 'connections', profileConnection('ps')), (err) => isApiError(err, 'FS_API_OUTCOME_UNKNOWN') && /not sent again/.test(err.message) && err.entity === 'connections "ps"');
  assert.equal(h.serviceRequests().filter((r) => r.method === 'POST').length, 1);
  assert.equal((await h.client.list('prod', 'connections')).length, 1, 'the one write that did commit');
});

test('a throttled create (429, not processed) is retried without a lookup', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 1, status: 429, retryAfterSeconds: 1, method: 'POST', pathPrefix: '/connections' } } } });
  let lookups = 0;
  await h.client.create('prod', 'connections', profileConnection('ps'), {
    findExisting: async () => {
      lookups += 1;
      return undefined;
    },
  });
  assert.equal(lookups, 0);
  assert.deepEqual(h.serviceRequests().map((r) => r.status), [429, 201]);
});

test('a PATCH whose answer was lost is retried and meets the moved etag (412): no double write', async (t) => {
  const h = await harness(t);
  const { id, etag } = await h.client.create('prod', 'connections', profileConnection('ps'));
  h.emu.admin.setFaults({ dropAfterCommit: { count: 1, method: 'PATCH' } });
  await assert.rejects(h.client.patch('prod', 'connections', id, etag, [{ op: 'replace', path: '/name', value: 'ps-2' }]), (err) => isApiError(err, 'FS_API_PRECONDITION'));
  assert.equal((await h.client.get<{ name: string }>('prod', 'connections', id))?.name, 'ps-2');
});
