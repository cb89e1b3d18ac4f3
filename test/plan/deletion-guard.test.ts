// The deletion guard: mass deletes and gradual deletion are refused, with the numbers named;
// duplicates and replaces never count; the budget's window forgets what is older than it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LiveState } from '../../src/domain/model.ts';
import type { Action, DeleteAction, Origin } from '../../src/domain/plan.ts';
import { guardDeletions, type DeletionLedger, type DeletionLimits } from '../../src/plan/deletion-guard.ts';
import { emptySandbox, liveFlow } from './fixtures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = 1_800_000_000_000;
const LIMITS: DeletionLimits = { maxDeleteRatio: 0.5, deleteBudget: { share: 0.5, windowMs: DAY } };
// The duplicates work gives duplicate deletions their own origin; the guard must not count them.
const DUPLICATE = 'duplicate' as Origin;

/** `owned` tagged flows and `foreign` untagged ones per sandbox. */
function liveWith(counts: Record<string, { owned: number; foreign?: number }>): LiveState {
  const live: LiveState = { sandboxes: {} };
  for (const [sandbox, { owned, foreign = 0 }] of Object.entries(counts)) {
    const sb = emptySandbox();
    for (let i = 0; i < owned; i++) sb.flows.push(liveFlow({ id: `${sandbox}-o${i}`, sandbox, description: `[flowsync:destination/d${i} h=00]` }));
    for (let i = 0; i < foreign; i++) sb.flows.push(liveFlow({ id: `${sandbox}-f${i}`, sandbox, description: 'made in the UI' }));
    live.sandboxes[sandbox] = sb;
  }
  return live;
}

function deletes(n: number, origin: Origin = 'prune', sandbox = 'prod', change: DeleteAction['change'] = 'delete'): Action[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${sandbox}/destination/d${i}/flow/${origin}/delete`, type: 'delete-flow', change, origin, sandbox, address: `${sandbox}/destination/d${i}`,
    dependsOn: [], summary: `delete dataflow d${i}`, entityId: `${sandbox}-o${i}`, etag: '"1"', name: `d${i}`,
  }) satisfies DeleteAction);
}

/** A ledger of (sandbox, time, count) records, like the lease entity's hourly buckets. */
function ledgerOf(records: { sandbox: string; at: number; count: number }[]): DeletionLedger {
  return { deletionsSince: (sandbox, since) => records.filter((r) => r.sandbox === sandbox && r.at >= since).reduce((n, r) => n + r.count, 0) };
}

const codes = (r: ReturnType<typeof guardDeletions>) => r.refusals.map((x) => x.code);

test('a plan deleting more than maxDeleteRatio of the owned entities is refused, naming the numbers', () => {
  const live = liveWith({ prod: { owned: 10, foreign: 30 } });
  const ok = guardDeletions({ actions: deletes(5), live, limits: LIMITS, now: NOW });
  assert.deepEqual(ok.refusals, []);
  assert.deepEqual([...ok.deletionsBySandbox], [['prod', 5]]);
  const r = guardDeletions({ actions: deletes(6), live, limits: LIMITS, now: NOW });
  assert.deepEqual(codes(r), ['FS_APPLY_MASS_DELETE', 'FS_APPLY_DELETE_BUDGET']);
  assert.equal(r.refusals[0]!.message, 'the plan would delete 6 of 10 owned entities (60%), more than reconcile.maxDeleteRatio 50%');
  assert.match(r.refusals[1]!.message, /0 deletion\(s\) recorded in the last 24h plus the plan's 6 would be 6 of the 10 entities/);
});

test('duplicates and the delete halves of replaces never count; other managers\' entities are not owned', () => {
  const live = liveWith({ prod: { owned: 4 } });
  const r = guardDeletions({ actions: [...deletes(4, DUPLICATE), ...deletes(4, 'manifest', 'prod', 'replace')], live, limits: LIMITS, now: NOW });
  assert.deepEqual(r.refusals, []);
  assert.equal(r.deletionsBySandbox.size, 0);
  // With a manager-aware predicate, only what it owns is measured against.
  const mine = (d: string) => /d[01] /.test(d);
  assert.deepEqual(codes(guardDeletions({ actions: deletes(2), live, isOwned: mine, limits: LIMITS, now: NOW })), ['FS_APPLY_MASS_DELETE', 'FS_APPLY_DELETE_BUDGET']);
  assert.deepEqual(codes(guardDeletions({ actions: deletes(1), live, isOwned: mine, limits: LIMITS, now: NOW })), []);
});

test('the budget counts what the ledger recorded within the window, over every sandbox read', () => {
  const live = liveWith({ prod: { owned: 6 }, dev: { owned: 4 } });
  const ledger = ledgerOf([{ sandbox: 'prod', at: NOW - HOUR, count: 3 }, { sandbox: 'dev', at: NOW - 2 * HOUR, count: 1 }]);
  // 4 recorded + 2 planned = 6 > 0.5 × (10 owned + 4 recorded) = 7? no. 3 planned: 7 > 7? no. 4 planned: 8 > 7.
  assert.deepEqual(codes(guardDeletions({ actions: deletes(3), live, limits: LIMITS, now: NOW, ledger })), []);
  const r = guardDeletions({ actions: deletes(4), live, limits: LIMITS, now: NOW, ledger });
  assert.deepEqual(codes(r), ['FS_APPLY_DELETE_BUDGET']);
  assert.equal(r.refusals[0]!.message, "4 deletion(s) recorded in the last 24h plus the plan's 4 would be 8 of the 14 entities owned at the window's start, more than reconcile.deleteBudget.share 50% (7)");
  // Records older than the window are forgotten.
  const old = ledgerOf([{ sandbox: 'prod', at: NOW - DAY - 1, count: 3 }]);
  assert.deepEqual(codes(guardDeletions({ actions: deletes(4), live, limits: LIMITS, now: NOW, ledger: old })), []);
});

test('deletionsBySandbox says what to record per sandbox', () => {
  const live = liveWith({ prod: { owned: 20 }, dev: { owned: 20 } });
  const r = guardDeletions({ actions: [...deletes(3), ...deletes(2, 'prune', 'dev'), ...deletes(5, DUPLICATE, 'dev')], live, limits: LIMITS, now: NOW });
  assert.deepEqual(r.refusals, []);
  assert.deepEqual(Object.fromEntries(r.deletionsBySandbox), { prod: 3, dev: 2 });
});

// ---- properties ----

const limitsArb: fc.Arbitrary<DeletionLimits> = fc.record({
  maxDeleteRatio: fc.double({ min: 0, max: 1, noNaN: true }),
  deleteBudget: fc.record({ share: fc.double({ min: 0, max: 1, noNaN: true }), windowMs: fc.integer({ min: HOUR, max: 7 * DAY }) }),
});
const recordsArb = fc.array(fc.record({ sandbox: fc.constantFrom('prod', 'dev'), at: fc.integer({ min: NOW - 8 * DAY, max: NOW }), count: fc.integer({ min: 0, max: 50 }) }), { maxLength: 6 });
const stateArb = fc.record({ prod: fc.integer({ min: 0, max: 60 }), dev: fc.integer({ min: 0, max: 60 }) });

test('property: a plan without prune deletions is never refused, and duplicates never count', () => {
  fc.assert(fc.property(stateArb, limitsArb, recordsArb, fc.nat({ max: 40 }), fc.nat({ max: 40 }), (owned, limits, records, dups, replaces) => {
    const live = liveWith({ prod: { owned: owned.prod }, dev: { owned: owned.dev } });
    const actions = [...deletes(dups, DUPLICATE), ...deletes(replaces, 'manifest', 'dev', 'replace')];
    const r = guardDeletions({ actions, live, limits, now: NOW, ledger: ledgerOf(records) });
    assert.deepEqual(r.refusals, []);
    assert.equal(r.deletionsBySandbox.size, 0);
  }));
});

test('property: adding duplicates to a plan never changes the verdict', () => {
  fc.assert(fc.property(stateArb, limitsArb, recordsArb, fc.nat({ max: 60 }), fc.nat({ max: 40 }), (owned, limits, records, prunes, dups) => {
    const live = liveWith({ prod: { owned: owned.prod }, dev: { owned: owned.dev } });
    const ledger = ledgerOf(records);
    const without = guardDeletions({ actions: deletes(prunes), live, limits, now: NOW, ledger });
    const withDups = guardDeletions({ actions: [...deletes(prunes), ...deletes(dups, DUPLICATE, 'dev')], live, limits, now: NOW, ledger });
    assert.deepEqual(withDups, without);
  }));
});

test('property: refusal is monotonic in the number of deletions', () => {
  fc.assert(fc.property(stateArb, limitsArb, recordsArb, fc.nat({ max: 60 }), fc.nat({ max: 20 }), (owned, limits, records, n, more) => {
    const live = liveWith({ prod: { owned: owned.prod }, dev: { owned: owned.dev } });
    const ledger = ledgerOf(records);
    const fewer = guardDeletions({ actions: deletes(n), live, limits, now: NOW, ledger });
    const most = guardDeletions({ actions: deletes(n + more), live, limits, now: NOW, ledger });
    for (const code of codes(fewer)) assert.ok(codes(most).includes(code), `${code} with ${n} but not with ${n + more}`);
  }));
});

test('property: commits each deleting 40 % of what is left are refused by the second within a window', () => {
  fc.assert(fc.property(fc.integer({ min: 10, max: 500 }), fc.integer({ min: 0, max: DAY - 2 }), (total, gap) => {
    const records: { sandbox: string; at: number; count: number }[] = [];
    const ledger = ledgerOf(records);
    let owned = total;
    const commit = (now: number) => {
      const n = Math.floor(owned * 0.4);
      const r = guardDeletions({ actions: deletes(n), live: liveWith({ prod: { owned } }), limits: LIMITS, now, ledger });
      if (r.refusals.length > 0) return r;
      // The caller records before deleting.
      for (const [sandbox, count] of r.deletionsBySandbox) records.push({ sandbox, at: now, count });
      owned -= n;
      return r;
    };
    assert.deepEqual(commit(NOW).refusals, [], 'the first 40 % is within both limits');
    assert.deepEqual(codes(commit(NOW + gap)), ['FS_APPLY_DELETE_BUDGET'], 'the second is over the budget, not over the ratio');
    // Once the window has passed, the first deletion is forgotten and 40 % is allowed again.
    assert.deepEqual(commit(NOW + DAY + 1).refusals, [], 'a window that has passed forgets');
  }));
});

test('property: a window that has passed forgets every record', () => {
  fc.assert(fc.property(stateArb, recordsArb, fc.nat({ max: 60 }), (owned, records, n) => {
    const live = liveWith({ prod: { owned: owned.prod }, dev: { owned: owned.dev } });
    const later = Math.max(NOW, ...records.map((r) => r.at)) + LIMITS.deleteBudget.windowMs + 1;
    const remembered = guardDeletions({ actions: deletes(n), live, limits: LIMITS, now: later, ledger: ledgerOf(records) });
    const fresh = guardDeletions({ actions: deletes(n), live, limits: LIMITS, now: later });
    assert.deepEqual(remembered, fresh);
  }));
});
