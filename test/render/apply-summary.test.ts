// The apply summary never says "Verified" unless every action applied and a fresh read matches;
// otherwise it says how many changed addresses were verified and why the others were not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionOutcome, ApplyResult, OutcomeStatus } from '../../src/apply/index.ts';
import { addressVerification, renderApplySummary } from '../../src/render/apply.ts';
import { unverifiedError, type Verification } from '../../src/reconcile/reconcile.ts';

function result(outcomes: Array<[address: string, status: OutcomeStatus]>): ApplyResult {
  const list: ActionOutcome[] = outcomes.map(([address, status], i) => ({
    id: `a${i}`,
    address,
    type: 'create-flow',
    summary: `create ${address}`,
    status,
    recomputed: 0,
    ...(status === 'unknown' ? { error: { code: 'FS_API_OUTCOME_UNKNOWN', message: 'POST flows "x": no answer', hint: 'Run plan or apply again.' } } : {}),
  }));
  const counts: Record<OutcomeStatus, number> = { applied: 0, failed: 0, skipped: 0, unneeded: 0, unknown: 0 };
  for (const o of list) counts[o.status] += 1;
  return { outcomes: list, counts };
}
const clean = { unverified: [], live: {} } as unknown as Verification;

test('everything applied and matching: "Verified"', () => {
  const text = renderApplySummary(result([['prod/destination/a', 'applied'], ['prod/destination/b', 'applied']]), clean, { color: false });
  assert.match(text, /Apply complete: 2 applied, 0 failed, 0 skipped\. Verified: live state matches the manifests\./);
});

test('an unknown outcome: listed with its hint, counted, and no "Verified"', () => {
  const r = result([['prod/destination/a', 'applied'], ['prod/destination/b', 'applied'], ['prod/destination/b', 'unknown'], ['prod/destination/b', 'skipped'], ['prod/destination/c', 'failed']]);
  const text = renderApplySummary(r, clean, { color: false });
  assert.doesNotMatch(text, /Verified/);
  assert.match(text, /Outcome unknown/);
  assert.match(text, /\? prod: create prod\/destination\/b \(outcome unknown\)\n\s+FS_API_OUTCOME_UNKNOWN: .*\n\s+hint: Run plan or apply again\./);
  assert.match(text, /Apply finished with errors: 2 applied, 1 failed, 1 skipped, 1 outcome unknown\. Live state matches the manifests for 1 of 3 changed addresses; not verified: 2 \(1 outcome unknown, 1 failed\)\./);
});

test('differences found by verification are not verified either', () => {
  const v = { unverified: [{ address: 'prod/destination/b', remaining: ['update flow'] }], live: {} } as unknown as Verification;
  const r = result([['prod/destination/a', 'applied'], ['prod/destination/b', 'applied']]);
  assert.deepEqual(addressVerification(r, v), { total: 2, verified: 1, notVerified: new Map([['differs', 1]]) });
  assert.doesNotMatch(renderApplySummary(r, v, { color: false }), /Verified/);
});

test('differences found by verification fail the run with FS_APPLY_UNVERIFIED, naming each address and what is left', () => {
  assert.equal(unverifiedError(clean), undefined);
  const err = unverifiedError({ unverified: [{ address: 'prod/destination/b', remaining: ['update flow', 'update target connection'] }], live: {} } as unknown as Verification);
  assert.equal(err?.code, 'FS_APPLY_UNVERIFIED');
  assert.equal(err?.message, '1 changed address still differs from the manifests after apply: prod/destination/b (update flow; update target connection)');
});
