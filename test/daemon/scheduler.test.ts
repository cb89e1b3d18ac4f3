import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backoffMs, jittered, nextDelay } from '../../src/daemon/backoff.ts';
import { Scheduler, type CycleVerdict } from '../../src/daemon/scheduler.ts';
import type { Trigger } from '../../src/daemon/types.ts';
import { FakeTimers, flushMicrotasks } from './helpers.ts';

/** A runCycle whose cycles stay open until the test finishes them. */
function gatedCycles() {
  const runs: { trigger: Trigger; finish: (v?: CycleVerdict) => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const runCycle = (trigger: Trigger) =>
    new Promise<CycleVerdict>((resolve) => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push({
        trigger,
        finish: (v = 'done') => {
          active--;
          resolve(v);
        },
      });
    });
  return { runs, runCycle, maxActive: () => maxActive };
}

test('triggers during a cycle coalesce into exactly one follow-up cycle, never overlapping', async () => {
  const timers = new FakeTimers();
  const gate = gatedCycles();
  const s = new Scheduler({ intervalMs: 60_000, jitter: 0, backoffBaseMs: 1_000, timers, runCycle: gate.runCycle });
  s.start();
  assert.equal(gate.runs.length, 1);
  s.trigger('webhook');
  s.trigger('change');
  s.trigger('webhook');
  await flushMicrotasks();
  assert.equal(gate.runs.length, 1, 'no second cycle while the first runs');
  gate.runs[0]!.finish();
  await flushMicrotasks();
  assert.deepEqual(gate.runs.map((r) => r.trigger), ['startup', 'webhook']);
  gate.runs[1]!.finish();
  await flushMicrotasks();
  assert.equal(gate.runs.length, 2, 'the three triggers made one follow-up');
  assert.equal(gate.maxActive(), 1);
  assert.equal(s.coalesced, 2);
  await s.stop();
});

test('after a success the next cycle waits the interval, and an early trigger replaces the timer', async () => {
  const timers = new FakeTimers();
  const gate = gatedCycles();
  const s = new Scheduler({ intervalMs: 10_000, jitter: 0, backoffBaseMs: 1_000, timers, runCycle: gate.runCycle });
  s.start();
  gate.runs[0]!.finish();
  await flushMicrotasks();
  assert.deepEqual(timers.armed(), [10_000]);
  await timers.advance(9_999);
  assert.equal(gate.runs.length, 1);
  await timers.advance(1);
  assert.deepEqual(gate.runs.map((r) => r.trigger), ['startup', 'interval']);
  gate.runs[1]!.finish();
  await flushMicrotasks();
  s.trigger('change');
  assert.deepEqual(timers.armed(), [], 'the interval timer is cleared when a trigger starts a cycle');
  gate.runs[2]!.finish();
  await s.stop();
  assert.deepEqual(timers.armed(), []);
});

test('failures back off exponentially from the base up to the interval, and a success resets it', async () => {
  const timers = new FakeTimers();
  const gate = gatedCycles();
  const s = new Scheduler({ intervalMs: 10_000, jitter: 0, backoffBaseMs: 1_000, timers, runCycle: gate.runCycle });
  s.start();
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    gate.runs.at(-1)!.finish('retry');
    await flushMicrotasks();
    const [delay] = timers.armed();
    waits.push(delay!);
    await timers.advance(delay!);
  }
  assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  assert.equal(gate.runs.at(-1)!.trigger, 'retry');
  assert.equal(s.consecutiveFailures, 6);
  gate.runs.at(-1)!.finish('done');
  await flushMicrotasks();
  assert.deepEqual(timers.armed(), [10_000]);
  assert.equal(s.consecutiveFailures, 0);
  await s.stop();
});

test('a cycle that throws is counted as a failure and the loop goes on', async () => {
  const timers = new FakeTimers();
  let calls = 0;
  const s = new Scheduler({
    intervalMs: 5_000,
    jitter: 0,
    backoffBaseMs: 100,
    timers,
    runCycle: async () => {
      calls++;
      throw new Error('boom');
    },
  });
  s.start();
  await flushMicrotasks();
  assert.deepEqual(timers.armed(), [100]);
  await timers.advance(100);
  assert.equal(calls, 2);
  await s.stop();
});

test('stop waits for the cycle in flight and then nothing runs again', async () => {
  const timers = new FakeTimers();
  const gate = gatedCycles();
  const s = new Scheduler({ intervalMs: 1_000, jitter: 0, backoffBaseMs: 100, timers, runCycle: gate.runCycle });
  s.start();
  s.trigger('webhook');
  let stopped = false;
  const stopping = s.stop().then(() => (stopped = true));
  await flushMicrotasks();
  assert.equal(stopped, false, 'stop waits for the running cycle');
  gate.runs[0]!.finish();
  await stopping;
  s.trigger('change');
  await timers.advance(10_000);
  assert.equal(gate.runs.length, 1, 'the queued follow-up and later triggers are dropped');
});

test('jittered delays stay within [d(1-j), d(1+j)]', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (ms, j, r) => {
      const d = jittered(ms, j, r);
      return d >= Math.floor(ms * (1 - j)) && d <= Math.ceil(ms * (1 + j));
    }),
  );
});

test('back-off doubles per failure, never exceeds the interval, and is never below the base (unless the interval is)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 3_600_000 }), (n, base, interval) => {
      const policy = { intervalMs: interval, jitter: 0, backoffBaseMs: base };
      const d = backoffMs(n, policy);
      assert.ok(d <= interval);
      assert.ok(d >= Math.min(base, interval));
      assert.ok(backoffMs(n + 1, policy) >= d, 'monotonic');
      assert.equal(nextDelay(0, policy, 0.5), interval);
    }),
  );
});

test('the armed interval respects the jitter bounds at both ends of the random range', async () => {
  for (const [random, expected] of [[0, 9_000], [0.999999, 11_000], [0.5, 10_000]] as const) {
    const timers = new FakeTimers();
    const s = new Scheduler({ intervalMs: 10_000, jitter: 0.1, backoffBaseMs: 1_000, timers, random: () => random, runCycle: async () => 'done' });
    s.start();
    await flushMicrotasks();
    assert.equal(timers.armed()[0], expected);
    await s.stop();
  }
});
