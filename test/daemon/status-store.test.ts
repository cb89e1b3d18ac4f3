import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StatusStore } from '../../src/daemon/status-store.ts';
import { CONDITIONS, type CycleOutcome, type CycleResult, type EntityStatus } from '../../src/daemon/types.ts';
import { ok } from './helpers.ts';

const record = (store: StatusStore, at: number, outcome: CycleOutcome, revision: string | null = 'r1', sourceReachable = true) =>
  store.record({ trigger: 'interval', revision, startedAt: at, durationMs: 10, outcome, sourceReachable });

test('property: `since` is the time of the last condition change, whatever the reasons do', () => {
  const step = fc.record({ condition: fc.constantFrom(...CONDITIONS), reason: fc.constantFrom('A', 'B'), present: fc.boolean() });
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
      const store = new StatusStore({ mode: 'apply', source: 'test' });
      let expectedSince: number | null = null;
      let last: string | null = null;
      steps.forEach((s, i) => {
        const at = 1_000_000 + i * 1000;
        const entities: EntityStatus[] = s.present ? [{ sandbox: 'prod', kind: 'destination', name: 'orders', condition: s.condition, reason: s.reason }] : [];
        record(store, at, ok({ entities }));
        if (!s.present) {
          expectedSince = null;
          last = null;
        } else if (last !== s.condition) {
          expectedSince = at + 10;
          last = s.condition;
        }
        const e = store.snapshot().entities[0];
        if (expectedSince === null) assert.equal(e, undefined);
        else assert.equal(e?.since, new Date(expectedSince).toISOString());
      });
    }),
  );
});

test('readiness: after a first success or suspension; not while the API or git is unreachable', () => {
  const store = new StatusStore({ mode: 'apply', source: 'test' });
  assert.equal(store.ready, false);
  record(store, 1, { ...ok(), result: 'invalid' });
  assert.equal(store.ready, false, 'an invalid first revision is not a success');
  record(store, 2, { ...ok(), result: 'suspended' });
  assert.equal(store.ready, true);
  record(store, 3, { ...ok(), result: 'failed', apiReachable: false });
  assert.equal(store.ready, false);
  record(store, 4, ok());
  assert.equal(store.ready, true);
  record(store, 5, { ...ok(), result: 'failed', error: { code: 'FS_SOURCE_GIT', message: 'gone' } }, null, false);
  assert.equal(store.ready, false);
  assert.deepEqual(store.snapshot().reachable, { api: true, source: false });
  record(store, 6, { ...ok(), result: 'invalid' });
  assert.equal(store.ready, true, 'an invalid revision after a success does not make the daemon unready');
});

test('the revision in force only moves on a successful apply-mode cycle', () => {
  const results: CycleResult[] = ['invalid', 'refused', 'failed', 'suspended'];
  const store = new StatusStore({ mode: 'apply', source: 'test' });
  record(store, 1, ok(), 'good');
  for (const result of results) {
    record(store, 2, { ...ok(), result }, 'next');
    assert.equal(store.snapshot().revision.inForce, 'good', result);
  }
  const s = store.snapshot();
  assert.equal(s.revision.lastAttempted, 'next');
  assert.equal(s.revision.note, undefined, 'a note only for invalid and refused');
  record(store, 3, { ...ok(), result: 'refused' }, 'next');
  assert.equal(store.snapshot().revision.note, 'revision next was refused by the delete safety limit and was not applied; revision good stays in force');
  const observe = new StatusStore({ mode: 'observe', source: 'test' });
  record(observe, 1, ok(), 'seen');
  assert.equal(observe.snapshot().revision.inForce, null, 'observe mode applies nothing');
  assert.equal(observe.snapshot().suspended, false);
});
