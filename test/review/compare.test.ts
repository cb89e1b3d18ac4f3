// The pure review core: the simulator converges like the real apply, and the comparison separates
// what a pull request changes from drift. Property-based over the planner's scenario generator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planChanges } from '../../src/plan/index.ts';
import { comparePlans, reviewSandboxes } from '../../src/review/compare.ts';
import { simulatePlan } from '../../src/review/simulate.ts';
import type { DesiredState, LiveState } from '../../src/domain/model.ts';
import { desiredArb, scenarioArb } from '../plan/arbitraries.ts';
import { OPTS, SEG3, account, desiredState, destination, liveFor } from '../plan/fixtures.ts';

const runs = process.env.FLOWSYNC_LONG_TESTS ? 3000 : 100;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const input = (base: DesiredState | undefined, head: DesiredState, live: LiveState) => ({ base, head, live, basePrune: false, headPrune: false, createdAt: OPTS.createdAt, manager: OPTS.manager });

test('simulating a plan converges: planning again against the simulated state finds nothing, nothing is refused, the input is untouched', () => {
  fc.assert(
    fc.property(scenarioArb, fc.boolean(), ([desired, live], prune) => {
      deepFreeze(live);
      const plan = planChanges(desired, live, { ...OPTS, prune });
      const sim = simulatePlan(live, plan.actions);
      assert.deepEqual(sim.refused, []);
      assert.equal(sim.applied.length, plan.actions.length);
      assert.deepEqual(planChanges(desired, sim.live, { ...OPTS, prune }).actions.map((a) => a.summary), []);
    }),
    { numRuns: runs },
  );
});

test('a pull request that changes nothing has no pull-request actions, whatever the live org looks like', () => {
  fc.assert(
    fc.property(scenarioArb, ([desired, live]) => {
      const review = comparePlans(input(desired, desired, live));
      assert.deepEqual(review.pullRequest.actions.map((a) => a.summary), []);
      assert.deepEqual(review.drift?.actions, planChanges(desired, live, OPTS).actions);
    }),
    { numRuns: runs },
  );
});

test('with no drift (live = base applied), the pull request section is exactly plan(head) against live and the drift section is empty', () => {
  fc.assert(
    fc.property(scenarioArb, desiredArb, ([base, live], head) => {
      const applied = simulatePlan(live, planChanges(base, live, OPTS).actions).live;
      const review = comparePlans(input(base, head, applied));
      assert.deepEqual(review.drift?.actions, []);
      assert.deepEqual(review.pullRequest.actions, planChanges(head, applied, OPTS).actions);
    }),
    { numRuns: runs },
  );
});

test('pull request plus drift: merging and applying converges to head, and the PR section is what is left after the base', () => {
  fc.assert(
    fc.property(scenarioArb, desiredArb, ([base, live], head) => {
      const review = comparePlans(input(base, head, live));
      const afterBase = simulatePlan(live, review.drift!.actions).live;
      const afterPr = simulatePlan(afterBase, review.pullRequest.actions);
      assert.deepEqual(afterPr.refused, []);
      assert.deepEqual(planChanges(head, afterPr.live, OPTS).actions.map((a) => a.summary), []);
    }),
    { numRuns: runs },
  );
});

test('invalid base manifests: no drift plan, the pull request is planned against live directly', () => {
  const head = desiredState([account()], [destination()]);
  const review = comparePlans(input(undefined, head, { sandboxes: {} }));
  assert.equal(review.drift, undefined);
  assert.deepEqual(review.pullRequest.actions, planChanges(head, { sandboxes: {} }, OPTS).actions);
});

test('reviewSandboxes: the union of both sides, sorted, so live state is read once for both', () => {
  const a = desiredState([account({ sandbox: 'prod' })], []);
  const b = desiredState([account({ sandbox: 'dev' })], []);
  assert.deepEqual(reviewSandboxes(a, b), ['dev', 'prod']);
  assert.deepEqual(reviewSandboxes(undefined, b), ['dev']);
});

test('a stale etag is refused like the API would (412) and the actions depending on it are skipped', () => {
  const desired = desiredState([account()], [destination({ segments: [{ id: SEG3 }] })]);
  const live = liveFor(desiredState([account()], [destination()]));
  const plan = planChanges(desired, live, OPTS);
  const update = plan.actions.find((a) => a.type === 'update-flow');
  assert.ok(update && 'etag' in update);
  const stale = plan.actions.map((a) => (a === update ? { ...a, etag: '"someone-else"' } : a));
  const sim = simulatePlan(live, [...stale, { ...update, id: 'after', dependsOn: [update.id] }]);
  assert.deepEqual(sim.refused.map((r) => r.action), [update.id, 'after']);
  assert.match(sim.refused[0]!.reason, /^412/);
  assert.deepEqual(sim.live, live);
});
