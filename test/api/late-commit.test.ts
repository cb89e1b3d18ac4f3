// Creates whose outcome is unknown: the late-commit window, counted from when the lost attempt was
// sent, on an injected clock (no waiting), plus the emulator's lateCommit fault on a real clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, kinesisConnection, virtualTime } from './harness.ts';
import { isApiError, type FlowServiceClient } from '../../src/api/index.ts';
import { lookupDelay, settleCreate, type SettleInput } from '../../src/api/settle-create.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';

function lookup(client: FlowServiceClient, name: string) {
  return async () => {
    const items = await client.list<{ id: string; etag: string; name: string; description?: string }>('prod', 'connections', { property: [`name==${name}`] });
    const hit = items.find((c) => c.name === name && parseOwnerTag(c.description).tag?.name === name);
    return hit ? { id: hit.id, etag: hit.etag } : undefined;
  };
}

/** settleCreate on a virtual clock; `answers` are what each lookup does in turn (the last repeats). */
function settle(answers: Array<'absent' | 'found' | 'fail'>, opts: { windowMs?: number; sentAt?: number; start?: number } = {}) {
  const time = virtualTime(opts.start ?? 1_000);
  const startedAt: number[] = [];
  const input: SettleInput = {
    entity: 'connections "a"',
    problem: 'POST connections "a": no answer within 30000 ms',
    status: 0,
    sentAt: opts.sentAt ?? 1_000,
    windowMs: opts.windowMs ?? 60_000,
    findExisting: async () => {
      startedAt.push(time.now());
      const answer = answers[Math.min(startedAt.length - 1, answers.length - 1)];
      if (answer === 'fail') throw new Error('connect ECONNREFUSED');
      return answer === 'found' ? { id: 'id-1', etag: '"e1"' } : undefined;
    },
    lookup: (find) => find(),
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
  };
  return { run: () => settleCreate(input), time, startedAt };
}

test('lookup back-off: 0.5 s doubling to 5 s, with jitter in the upper half', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => lookupDelay(r, () => 0)), [250, 500, 1000, 2000, 2500, 2500]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => lookupDelay(r, () => 0.999999)), [499, 999, 1999, 3999, 4999, 4999]);
});

test('a lookup that finds the entity ends the wait at once', async () => {
  const s = settle(['absent', 'absent', 'found']);
  assert.deepEqual(await s.run(), { id: 'id-1', etag: '"e1"' });
  assert.equal(s.startedAt.length, 3);
});

test('absence is established only by a lookup started once the window (from the send) has passed', async () => {
  const s = settle(['absent'], { sentAt: 1_000, start: 31_000, windowMs: 60_000 }); // the answer was awaited 30 s
  assert.equal(await s.run(), undefined);
  assert.equal(s.startedAt.at(-1), 61_000, 'the last lookup starts exactly at sent + window');
  assert.ok(s.startedAt.slice(0, -1).every((at) => at < 61_000));
  assert.ok(s.time.sleeps.every((ms) => ms <= 5_000));
});

test('lookups that fail through the end of the window: FS_API_OUTCOME_UNKNOWN naming the entity', async () => {
  const s = settle(['absent', 'fail']);
  await assert.rejects(s.run(), (err) => isApiError(err, 'FS_API_OUTCOME_UNKNOWN') && err.entity === 'connections "a"' && /ECONNREFUSED/.test(err.message) && /Run plan or apply again/.test(err.hint ?? ''));
  assert.ok(s.startedAt.at(-1)! >= 61_000);
});

test('a failed lookup during the window is fine when a later one answers', async () => {
  const s = settle(['fail', 'fail', 'absent']);
  assert.equal(await s.run(), undefined);
  const s2 = settle(['fail', 'found']);
  assert.deepEqual(await s2.run(), { id: 'id-1', etag: '"e1"' });
});

test('a window already over when the answer is given up on: one lookup decides', async () => {
  const s = settle(['absent'], { sentAt: 0, start: 100_000 });
  assert.equal(await s.run(), undefined);
  assert.equal(s.startedAt.length, 1);
});

test('a create that commits after the client timeout is found by lookup: one entity, no second POST', async (t) => {
  // real clock: api timeout 1 s, the emulator commits after 1.5 s and only then answers
  const h = await harness(t, { emulator: { faults: { lateCommit: { count: 1, delayMs: 1_500, method: 'POST', pathPrefix: '/connections' } } } });
  const client = h.newClient({ timeoutMs: 1_000, lateCommitWindowMs: 5_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
  const started = Date.now();
  const created = await client.create('prod', 'connections', kinesisConnection('late-acct'), { findExisting: lookup(client, 'late-acct') });
  const all = await client.list<{ id: string }>('prod', 'connections');
  assert.equal(all.length, 1);
  assert.equal(created.id, all[0]!.id);
  assert.equal(h.serviceRequests().filter((r) => r.method === 'POST').length, 1);
  assert.ok(Date.now() - started < 5_000, 'found as soon as it committed, not at the end of the window');
});

test('the window is never shorter than the timeout', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 1, status: 503, method: 'POST', pathPrefix: '/connections' } } } });
  const time = virtualTime();
  const client = h.newClient({ now: time.now, sleep: time.sleep, timeoutMs: 20_000, lateCommitWindowMs: 1_000 });
  let lookups = 0;
  const find = lookup(client, 'w-acct');
  await client.create('prod', 'connections', kinesisConnection('w-acct'), { findExisting: () => ((lookups += 1), find()) });
  const lookupSleeps = time.sleeps.slice(0, lookups - 1);
  assert.equal(lookupSleeps.reduce((a, b) => a + b, 0), 20_000);
});

test('an open breaker during the window: lookups wait for its probe instead of failing at once', async (t) => {
  const h = await harness(t, { emulator: { faults: { dropAfterCommit: { count: 1, method: 'POST', pathPrefix: '/connections' } } } });
  const time = virtualTime();
  const client = h.newClient({ now: time.now, sleep: time.sleep, maxRetries: 0, breaker: { failureThreshold: 1, cooldownMs: 5_000 } });
  // the dropped create is a failure: with a threshold of 1 the breaker opens before the first lookup
  const created = await client.create('prod', 'connections', kinesisConnection('b-acct'), { findExisting: lookup(client, 'b-acct') });
  assert.ok(created.id);
  const states = h.events.flatMap((e) => (e.type === 'breaker' ? [e.state] : []));
  assert.deepEqual(states, ['open', 'half-open', 'closed']);
  assert.equal(h.serviceRequests().filter((r) => r.method === 'POST').length, 1);
});
