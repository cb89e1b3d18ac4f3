import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { noticesFor } from '../../src/daemon/notices.ts';
import { slackMessage } from '../../src/daemon/notifier.ts';
import type { CycleOutcome } from '../../src/daemon/types.ts';
import { ok } from './helpers.ts';

const ctx = { revision: 'abcdef1234567890', mode: 'apply' as const };
const drift = (name: string, extra: Partial<CycleOutcome['drift'][number]> = {}) => ({ sandbox: 'prod', name, policy: 'warn' as const, healed: false, fields: ['segments'], ...extra });

test('a lasting drift is announced once and its end once', () => {
  let announced = new Map<string, string>();
  const kinds: string[][] = [];
  for (const outcome of [ok({ drift: [drift('a')] }), ok({ drift: [drift('a')] }), ok({ drift: [drift('a'), drift('b')] }), ok()]) {
    const r = noticesFor(outcome, ctx, announced);
    announced = r.announced;
    kinds.push(r.notices.map((n) => `${n.kind}:${n.key}`));
  }
  assert.deepEqual(kinds, [['drift:drift:prod/a'], [], ['drift:drift:prod/b'], ['recovered:drift:prod/a', 'recovered:drift:prod/b']]);
});

test('healed drift is an event, announced every time; drift: ignore is never announced', () => {
  const healed = ok({ drift: [drift('a', { policy: 'heal', healed: true }), drift('b', { policy: 'ignore' })] });
  const first = noticesFor(healed, ctx, new Map());
  const second = noticesFor(healed, ctx, first.announced);
  assert.deepEqual(first.notices.map((n) => n.kind), ['healed']);
  assert.deepEqual(second.notices.map((n) => n.kind), ['healed']);
});

test('cycles that cannot see live state do not declare a drift over', () => {
  const r1 = noticesFor(ok({ drift: [drift('a')] }), ctx, new Map());
  const invalid: CycleOutcome = { ...ok(), result: 'invalid' };
  const r2 = noticesFor(invalid, ctx, r1.announced);
  assert.deepEqual(r2.notices.map((n) => n.kind), ['failed']);
  assert.ok(r2.announced.has('drift:prod/a'));
  const r3 = noticesFor(invalid, ctx, r2.announced);
  assert.deepEqual(r3.notices, [], 'a lasting invalid revision is announced once');
  const r4 = noticesFor(ok(), ctx, r3.announced);
  assert.deepEqual(r4.notices.map((n) => n.text).sort(), [
    'Recovered: destination prod/a matches git again (revision abcdef123456)',
    'Recovered: reconcile succeeds again after an invalid revision (revision abcdef123456)',
  ]);
});

test('property: over any sequence of cycles, each condition is announced at most once per occurrence and every announcement is eventually closed', () => {
  const outcomeArb = fc.record({
    drifted: fc.subarray(['a', 'b', 'c']),
    result: fc.constantFrom('success', 'failed', 'invalid', 'refused', 'suspended') as fc.Arbitrary<CycleOutcome['result']>,
  });
  fc.assert(
    fc.property(fc.array(outcomeArb, { maxLength: 30 }), (steps) => {
      let announced = new Map<string, string>();
      const open = new Set<string>();
      for (const step of steps) {
        const outcome: CycleOutcome = { ...ok(), result: step.result, drift: step.result === 'success' ? step.drifted.map((n) => drift(n)) : [] };
        const r = noticesFor(outcome, ctx, announced);
        for (const n of r.notices) {
          if (n.kind === 'recovered') {
            assert.ok(open.has(n.key), `recovered ${n.key} that was never announced`);
            open.delete(n.key);
          } else if (n.kind !== 'healed') {
            assert.ok(!open.has(n.key), `${n.key} announced twice`);
            open.add(n.key);
          }
        }
        announced = r.announced;
        // one cycle failure replaced by another is closed without a "recovered" of its own
        for (const key of [...open]) if (key.startsWith('cycle:') && !announced.has(key)) open.delete(key);
        for (const key of open) assert.ok(announced.has(key), `${key} is open but no longer tracked`);
      }
      const end = noticesFor(ok(), ctx, announced);
      for (const n of end.notices) if (n.kind === 'recovered') open.delete(n.key);
      assert.deepEqual([...open], [], 'a clean cycle closes everything that was announced');
    }),
  );
});

test('the Slack message has a text fallback and one mrkdwn section per event', () => {
  const { notices } = noticesFor(ok({ drift: [drift('a', { changedBy: 'jane@example.com' }), drift('b')] }), ctx, new Map());
  const msg = slackMessage(notices);
  assert.equal(msg.text, 'flowsync: 2 events');
  assert.equal(msg.blocks.length, 2);
  assert.equal(msg.blocks[0]!.type, 'section');
  assert.match(msg.blocks[0]!.text.text, /^:warning: Drift found on destination prod\/a by jane@example\.com: segments \(drift: warn, left alone\) \(revision abcdef123456\)$/);
});

test('activation health: each transition into or between Degraded and Failed is announced once (without the revision: runs are not revisions), leaving them is "recovered"', () => {
  const dest = (health: 'Healthy' | 'Degraded' | 'Failed' | undefined, reason = 'RunFailed', message = 'the last run failed') => ok({
    entities: [{ sandbox: 'prod', kind: 'destination', name: 'orders', condition: 'Ready', reason: 'InSync', ...(health ? { activation: { health, reason, message, runs: [] } } : {}) }],
  });
  let announced = new Map<string, string>();
  const seen: string[][] = [];
  for (const outcome of [
    dest('Healthy', 'RunsSucceeded'),
    dest('Degraded', 'RecordsFailed', 'the last run failed 3 of 40 records'),
    dest('Degraded', 'RecordsFailed', 'the last run failed 9 of 41 records'), // same health, new counts: no repeat
    dest('Failed', 'RunsFailed'),
    dest(undefined), // runs could not be read: neither repeated nor declared over
    dest('Failed', 'RunsFailed'),
    dest('Healthy', 'RunsSucceeded'),
  ]) {
    const r = noticesFor(outcome, ctx, announced);
    announced = r.announced;
    seen.push(r.notices.map((n) => `${n.kind}: ${n.text}`));
  }
  assert.deepEqual(seen, [
    [],
    ['health: Destination prod/orders is Degraded: its last dataflow run failed some records'],
    [],
    ['health: Destination prod/orders is Failed: its last dataflow runs all failed'],
    [],
    [],
    ['recovered: Recovered: destination prod/orders is Healthy again (was Failed) (revision abcdef123456)'],
  ]);
  assert.match(slackMessage([{ kind: 'health', key: 'k', text: 't' }]).text, /flowsync: t/);
});
