// Circuit breaker, request budget and concurrency limit, observed at the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, virtualTime } from './harness.ts';
import { isApiError } from '../../src/api/index.ts';

test('the breaker opens after N consecutive failures, stops calling, and closes after a good probe', async (t) => {
  let clock = 0;
  const h = await harness(t, { emulator: { faults: { failNext: { count: 3, status: 500, pathPrefix: '/flows' } } } });
  const client = h.newClient({ now: () => clock, maxRetries: 0, breaker: { failureThreshold: 3, cooldownMs: 5_000 }, outageWaitMs: 0 });
  for (let i = 0; i < 3; i++) await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_UNAVAILABLE'));
  const sent = h.serviceRequests().length;
  await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_BUDGET') && /circuit breaker is open/.test(err.message) && /5 s/.test(err.message));
  assert.equal(h.serviceRequests().length, sent, 'nothing sent while open');
  clock += 5_000;
  assert.deepEqual(await client.list('prod', 'flows'), []); // the half-open probe succeeds
  assert.deepEqual(await client.list('prod', 'flows'), []);
  const states = h.events.flatMap((e) => (e.type === 'breaker' ? [e.state] : []));
  assert.deepEqual(states, ['open', 'half-open', 'closed']);
});

test('a short outage is waited out: a request meeting the open breaker waits for its probe instead of failing', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 3, status: 500, pathPrefix: '/flows' } } } });
  const time = virtualTime();
  const client = h.newClient({ now: time.now, sleep: time.sleep, maxRetries: 0, breaker: { failureThreshold: 3, cooldownMs: 5_000 } });
  for (let i = 0; i < 3; i++) await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_UNAVAILABLE'));
  assert.deepEqual(await client.list('prod', 'flows'), [], 'waited the cooldown, then was the probe');
  assert.deepEqual(time.sleeps, [5_000]);
  assert.deepEqual(h.events.flatMap((e) => (e.type === 'breaker' ? [e.state] : [])), ['open', 'half-open', 'closed']);
});

test('an outage longer than outageWaitMs fails the waiting requests once the bound is reached', async (t) => {
  const h = await harness(t, { emulator: { faults: { errorRate: 1, errorStatuses: [503] } } });
  const time = virtualTime();
  const client = h.newClient({ now: time.now, sleep: time.sleep, maxRetries: 20, breaker: { failureThreshold: 2, cooldownMs: 5_000 }, outageWaitMs: 12_000 });
  const start = time.now();
  await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_BUDGET') && /circuit breaker is open after repeated API failures for 1\d s/.test(err.message));
  assert.equal(h.serviceRequests().length, 4, 'two failures, then one probe per cooldown within the bound');
  assert.ok(time.now() - start <= 12_000 + 5_000, `gave up after ${time.now() - start} ms`);
});

test('retries count towards the breaker: a storm stops within one call', async (t) => {
  const h = await harness(t, { emulator: { faults: { errorRate: 1, errorStatuses: [503] } } });
  const client = h.newClient({ maxRetries: 10, breaker: { failureThreshold: 4, cooldownMs: 60_000 } });
  await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_BUDGET'));
  assert.equal(h.serviceRequests().length, 4);
});

test('4xx answers do not trip the breaker', async (t) => {
  const h = await harness(t);
  const client = h.newClient({ breaker: { failureThreshold: 2, cooldownMs: 60_000 } });
  for (let i = 0; i < 5; i++) await client.get('prod', 'flows', `missing-${i}`);
  assert.deepEqual(await client.list('prod', 'flows'), []);
  assert.ok(!h.events.some((e) => e.type === 'breaker'));
});

test('the request budget paces requests after the burst and refuses waits over its limit', async (t) => {
  let clock = 0;
  const h = await harness(t);
  const waits: number[] = [];
  const client = h.newClient({
    now: () => clock,
    budget: { requestsPerSecond: 10, burst: 3, maxWaitMs: 1_000 },
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  });
  for (let i = 0; i < 5; i++) await client.list('prod', 'flows');
  assert.deepEqual(waits, [100, 100], 'burst of 3, then one per 100 ms');
  assert.equal(h.serviceRequests().length, 5);
  const budgets = h.events.flatMap((e) => (e.type === 'budget' ? [e.remaining] : []));
  assert.equal(budgets.length, 5);

  const strict = h.newClient({ now: () => clock, budget: { requestsPerSecond: 1, burst: 1, maxWaitMs: 500 } });
  await strict.list('prod', 'flows');
  await assert.rejects(strict.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_BUDGET') && /budget is spent/.test(err.message));
  assert.equal(h.serviceRequests().length, 6);
});

test('no more requests are in flight than the concurrency limit', async (t) => {
  const h = await harness(t, { emulator: { faults: { latencyMs: 40 } } });
  const client = h.newClient({ concurrency: 3 });
  await client.list('prod', 'flows'); // token first, so the burst below is pure Flow Service traffic
  h.emu.admin.resetRequests();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, client.inFlight)), 2);
  await Promise.all(Array.from({ length: 12 }, (_, i) => client.get('prod', 'flows', `f-${i}`)));
  clearInterval(sampler);
  const spans = h.serviceRequests().map((r) => [r.at, r.at + r.durationMs] as const);
  const overlapAt = (t0: number) => spans.filter(([s, e]) => s <= t0 && t0 < e - 1).length;
  const serverPeak = Math.max(...spans.map(([s]) => overlapAt(s)));
  assert.equal(spans.length, 12);
  assert.ok(serverPeak <= 3, `server saw ${serverPeak} at once`);
  assert.ok(serverPeak >= 2, 'requests did run in parallel');
  assert.ok(peak <= 3 && peak >= 2, `client peak ${peak}`);
});
