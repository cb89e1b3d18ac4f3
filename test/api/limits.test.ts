// The guards on their own, driven by a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CircuitBreaker, Semaphore, TokenBucket, type BreakerState } from '../../src/api/limits.ts';

test('the semaphore never lets more than its limit run', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(fc.nat(3), { minLength: 1, maxLength: 30 }), async (limit, delays) => {
      const sem = new Semaphore(limit);
      let running = 0;
      let peak = 0;
      await Promise.all(
        delays.map((d) =>
          sem.run(async () => {
            running += 1;
            peak = Math.max(peak, running);
            for (let i = 0; i < d; i++) await Promise.resolve();
            running -= 1;
          }),
        ),
      );
      return peak <= limit && sem.inFlight === 0;
    }),
  );
});

test('the token bucket gives its burst at once, then one token per interval, and refuses long waits', () => {
  let now = 0;
  const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 3, maxWaitMs: 250 }, () => now);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take()], [0, 0, 0]);
  assert.equal(bucket.take(), 100); // the 4th waits for one refill
  assert.equal(bucket.take(), 200);
  assert.equal(bucket.take(), undefined); // would wait 300 ms > 250
  now += 1000;
  assert.equal(bucket.remaining, 3); // refilled up to the burst, never above
  assert.equal(bucket.take(), 0);
});

test('the breaker opens after N consecutive failures, half-opens after the cooldown, closes on success', () => {
  let now = 0;
  const states: BreakerState[] = [];
  const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, () => now, (s) => states.push(s));
  breaker.failure();
  breaker.failure();
  breaker.success(); // resets the run
  breaker.failure();
  breaker.failure();
  assert.equal(breaker.allow(), true);
  breaker.failure();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.allow(), false);
  now += 999;
  assert.equal(breaker.allow(), false);
  now += 1;
  assert.equal(breaker.allow(), true); // the probe
  assert.equal(breaker.allow(), false); // only one probe at a time
  breaker.failure(); // probe failed: open again
  assert.equal(breaker.state, 'open');
  now += 1000;
  assert.equal(breaker.allow(), true);
  breaker.success();
  assert.equal(breaker.state, 'closed');
  assert.deepEqual(states, ['open', 'half-open', 'open', 'half-open', 'closed']);
});

test('a half-open probe that was never sent frees the slot without closing the breaker', () => {
  let now = 0;
  const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 10 }, () => now, () => {});
  breaker.failure();
  now = 10;
  assert.equal(breaker.allow(), true);
  breaker.release();
  assert.equal(breaker.state, 'half-open');
  assert.equal(breaker.allow(), true, 'the next request may probe');
  breaker.neutral(); // the API answered (a 4xx): it is up
  assert.equal(breaker.state, 'closed');
});
