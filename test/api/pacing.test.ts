// The shared 429 gate and the learned pace: the pacer alone on a fake clock, then the client
// against the emulator's rateLimit knob (fixed 1 s windows, 429 with Retry-After when over).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isApiError } from '../../src/api/index.ts';
import { RatePacer } from '../../src/api/pacer.ts';
import { harness, eventClock } from './harness.ts';

/** Sends `n` requests at `now`, all accepted. */
function acceptBurst(pacer: RatePacer, n: number): void {
  for (let i = 0; i < n; i++) pacer.answered(pacer.sent(), false);
}

test('a 429 with Retry-After pauses every later request until then, but not the one that already slept through it', () => {
  let now = 1_000;
  const pacer = new RatePacer(() => now);
  const sentAt = pacer.sent();
  now += 50;
  assert.equal(pacer.answered(sentAt, true, 1000), 2_050);
  assert.equal(pacer.reserve().waitMs, 1000, 'a new request waits for the gate');
  now += 400;
  assert.equal(pacer.reserve().waitMs, 600);
  assert.equal(pacer.reserve(2_050).waitMs, 0, 'the refused request slept through its own Retry-After');
  now = 2_050;
  assert.equal(pacer.reserve().waitMs, 0);
  assert.equal(pacer.rate, undefined, 'one 429 out of slow traffic only gates: nothing to learn a rate from');
});

test('the pace is learned from the rate the API accepted before the 429, once per episode', () => {
  let now = 0;
  const pacer = new RatePacer(() => now);
  for (let i = 0; i < 25; i++) {
    acceptBurst(pacer, 1);
    now += 10;
  }
  // Four requests are in flight when the limit hits; each comes back 429.
  const inFlight = [pacer.sent(), pacer.sent(), pacer.sent(), pacer.sent()];
  now += 50;
  for (const s of inFlight) pacer.answered(s, true, 1000);
  assert.equal(pacer.rate, 25 * 0.95, 'one decrease for the whole episode, from the 25 accepted in the window');
  // After the gate, requests are spaced by 1/rate.
  now += 1000;
  const waits = Array.from({ length: 4 }, () => pacer.reserve().waitMs);
  const gap = 1000 / (25 * 0.95);
  waits.forEach((w, i) => assert.ok(Math.abs(w - i * gap) < 1e-6, `slot ${i}: ${w}`));
});

test('answers still in flight when the 429 comes back (it is answered faster than real work) count as they arrive', () => {
  let now = 0;
  const pacer = new RatePacer(() => now);
  const sends: number[] = [];
  for (let i = 0; i < 25; i++) {
    sends.push(pacer.sent());
    now += 4;
  }
  for (const s of sends.slice(0, 10)) pacer.answered(s, false);
  pacer.answered(pacer.sent(), true, 1000); // the 26th, refused at once
  now += 1;
  assert.equal(pacer.rate, 10 * 0.95, 'what is known so far');
  pacer.answered(pacer.sent(), true, 1000); // sent before the pause was known: the same episode
  assert.equal(pacer.rate, 10 * 0.95);
  for (const s of sends.slice(10)) pacer.answered(s, false);
  assert.equal(pacer.rate, 25 * 0.95, 'all 25 the API accepted in the window');
  now += 100;
  pacer.answered(pacer.sent(), false);
  assert.equal(pacer.rate, 25 * 0.95, 'requests sent well after the refused one are not part of the measurement');
});

test('a request sent just after the refused one but accepted (it reached the API first) counts', () => {
  let now = 0;
  const pacer = new RatePacer(() => now);
  acceptBurst(pacer, 20);
  now += 1;
  const refused = pacer.sent();
  const overtaker = pacer.sent(); // same moment, arrived before the refused one
  now += 30;
  pacer.answered(refused, true, 1000);
  pacer.answered(overtaker, false);
  assert.equal(pacer.rate, 21 * 0.95);
});

test('the pace creeps up while no 429 comes, and is forgotten after a quiet minute', () => {
  let now = 0;
  const pacer = new RatePacer(() => now, { increase: 0.1, increaseAfterMs: 10_000, forgetAfterMs: 60_000 });
  acceptBurst(pacer, 20);
  pacer.answered(pacer.sent(), true, 1000);
  assert.equal(pacer.rate, 19);
  now += 10_000;
  pacer.reserve();
  assert.ok(Math.abs(pacer.rate! - 20.9) < 1e-9);
  now += 50_000;
  pacer.reserve();
  assert.equal(pacer.rate, undefined);
});

test('reserved slots never start before the gate and are never closer than 1/rate', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ step: fc.nat(300), throttle: fc.boolean(), retryAfter: fc.option(fc.integer({ min: 1, max: 3 }).map((s) => s * 1000)) }), { minLength: 1, maxLength: 60 }), (events) => {
      let now = 0;
      const pacer = new RatePacer(() => now);
      acceptBurst(pacer, 10);
      let lastSlot = -Infinity;
      let lastRate: number | undefined;
      for (const e of events) {
        now += e.step;
        const { waitMs } = pacer.reserve();
        const at = now + waitMs;
        if (at < pacer.pausedUntil) return false;
        if (pacer.rate !== undefined && lastRate === pacer.rate && at - lastSlot < 1000 / pacer.rate - 1e-6 && at > pacer.pausedUntil) return false;
        lastSlot = at;
        lastRate = pacer.rate;
        pacer.answered(pacer.sent(), e.throttle, e.retryAfter ?? undefined);
        if (pacer.rate !== undefined && !(pacer.rate >= 1)) return false;
      }
      return true;
    }),
  );
});

test('against a rate-limited API the client pauses everyone on the first 429 and then paces under the limit', async (t) => {
  // One injected clock for the emulator's rate windows and the client: the test does not depend on
  // how fast the machine is (a loaded one used to let a 10th request into the window).
  const time = eventClock();
  const h = await harness(t, { emulator: { now: time.now, faults: { rateLimit: 12 } } });
  const client = h.newClient({ now: time.now, sleep: time.sleep, concurrency: 8 });
  await time.run(() => client.list('prod', 'flows')); // the token, and a warm connection
  h.emu.admin.resetRequests();
  // 36 lists from 8 workers: as many at once as the client sends.
  let left = 36;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      await client.list('prod', 'flows');
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, () => time.run(worker)));
  assert.equal(done, 36);
  const log = h.serviceRequests();
  const refused = log.filter((r) => r.status === 429);
  assert.equal(log.filter((r) => r.status === 200).length, 36);
  const first = refused[0];
  assert.ok(first, 'the burst meets the limit');
  // The gate: after the first 429 is answered, only requests already on their way (at most the 8
  // in flight) arrive until its Retry-After (>= 1 s) ends; without it the queued ones keep coming.
  const answeredAt = first.at; // requests take no time on the event clock
  const duringGate = log.filter((r) => r.at > answeredAt && r.at < answeredAt + 900);
  assert.ok(duringGate.length <= 8, `requests arriving during the pause: ${duringGate.length}`);
  // The pace: the requests in flight when the limit hit are refused, and (almost) nothing after.
  const later = refused.filter((r) => r.at > answeredAt + 900);
  assert.ok(later.length <= 1, `429s after the first window: ${later.length}`);
  assert.ok(refused.length <= 8 + 1, `refused: ${refused.length}`);
});

test('pacing: false keeps the old behaviour, each request retrying on its own', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 1, status: 429, retryAfterSeconds: 2, pathPrefix: '/flows' } } } });
  const client = h.newClient({ pacing: false });
  await client.list('prod', 'flows');
  assert.deepEqual(h.sleeps, [2000]);
});

test('429s answered during a pause, for requests sent before it, do not extend it: one episode, one pause', () => {
  let now = 0;
  const pacer = new RatePacer(() => now);
  const inFlight = Array.from({ length: 8 }, () => pacer.sent());
  now = 50;
  assert.equal(pacer.answered(inFlight[0]!, true, 1000), 1050);
  for (const [i, s] of inFlight.slice(1).entries()) {
    now = 100 + i * 100; // the others come back refused one by one during the pause
    pacer.answered(s, true, 1000);
    assert.equal(pacer.pausedUntil, 1050);
  }
  now = 1050;
  assert.equal(pacer.reserve().waitMs, 0, 'the pause ends when the first 429 said');
});

/**
 * A storm: every other answer is a 429 with Retry-After 1 s, whatever the rate. Waves of 16
 * requests (the client's concurrency) go out at their reserved slots; returns how long it took
 * the API to accept `want` requests, on the injected clock.
 */
function stormTime(want: number): { elapsedMs: number; pauses: number } {
  let now = 0;
  const pacer = new RatePacer(() => now);
  let accepted = 0;
  let answers = 0;
  let pauses = 0;
  while (accepted < want && now < 600_000) {
    const sends: number[] = [];
    for (let k = 0; k < 16; k++) {
      now += pacer.reserve().waitMs;
      sends.push(pacer.sent());
    }
    now += 30;
    for (const s of sends) {
      const refused = answers++ % 2 === 1;
      const before = pacer.pausedUntil;
      pacer.answered(s, refused, refused ? 1000 : undefined);
      if (pacer.pausedUntil !== before) pauses += 1;
      if (!refused) accepted += 1;
      now += 5;
    }
  }
  return { elapsedMs: now, pauses };
}

test('under a storm of 429s (every other answer, Retry-After 1 s) the client keeps its speed: one pause per wave, no shrinking pace', () => {
  const { elapsedMs, pauses } = stormTime(200);
  // 25 waves of 16 (8 accepted each), each paying one 1 s pause plus the answer times.
  assert.ok(elapsedMs < 30_000, `200 accepted took ${elapsedMs} ms`);
  assert.ok(pauses <= 26, `pauses: ${pauses}`);
});

test('429s in a row do not spend the retries meant for failures: a storm is waited out (bounded)', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 9, status: 429, retryAfterSeconds: 1, pathPrefix: '/flows' } } } });
  await h.client.list('prod', 'flows');
  assert.equal(h.serviceRequests().filter((r) => r.status === 429).length, 9);
  const bounded = h.newClient({ maxRetries: 1 });
  h.emu.admin.setFaults({ failNext: { count: 9, status: 429, retryAfterSeconds: 1, pathPrefix: '/flows' } });
  await assert.rejects(bounded.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_UNAVAILABLE') && /gave up after 5 attempts/.test(err.message));
});
