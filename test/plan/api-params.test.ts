// Target params the API does not return, or returns though the manifest leaves them unset: not
// drift while the manifest is what flowsync last wrote; a manifest change still sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planChanges } from '../../src/plan/index.ts';
import type { Plan } from '../../src/domain/plan.ts';
import { account, destination, desiredState, liveFor, OPTS } from './fixtures.ts';

const withToggles = (includeSegmentNames: boolean) =>
  desiredState([account()], [destination({ target: { stream: 'summer', region: 'us-east-1', includeSegmentNames, includeSegmentTimestamps: true } })]);

const targetUpdates = (plan: Plan) => plan.actions.filter((a) => a.type === 'update-target-connection');

test('a param the API drops on read is not drift while the manifest is unchanged', () => {
  const desired = withToggles(true);
  const live = liveFor(desired);
  delete live.sandboxes.prod!.targetConnections[0]!.params.includeSegmentNames;
  const plan = planChanges(desired, live, OPTS);
  assert.deepEqual(plan.actions, []);
  assert.deepEqual(plan.drift, []);
});

test('a param the API adds on read (a default the manifest leaves unset) is not drift', () => {
  const desired = desiredState([account()], [destination()]);
  const live = liveFor(desired);
  live.sandboxes.prod!.targetConnections[0]!.params.includeSegmentTimestamps = false;
  const plan = planChanges(desired, live, OPTS);
  assert.deepEqual(plan.actions, []);
  assert.deepEqual(plan.drift, []);
});

test('a manifest change of a dropped param is sent: the whole params object, as a manifest change', () => {
  const live = liveFor(withToggles(true));
  delete live.sandboxes.prod!.targetConnections[0]!.params.includeSegmentNames;
  const plan = planChanges(withToggles(false), live, OPTS);
  const [update] = targetUpdates(plan);
  assert.ok(update && update.type === 'update-target-connection');
  assert.equal(update.origin, 'manifest');
  assert.deepEqual(update.patch[0], { op: 'replace', path: '/params', value: { stream: 'summer', region: 'us-east-1', includeSegmentNames: false, includeSegmentTimestamps: true } });
  assert.deepEqual(update.changes.find((c) => c.field === 'params.includeSegmentNames'), { field: 'params.includeSegmentNames', from: null, to: false });
  assert.equal(update.overwrites, undefined, 'what flowsync wrote to a hidden param is unknown: no overwrite is claimed');
  assert.deepEqual(plan.drift, []);
});

test('removing a param from the manifest that the API still shows is sent', () => {
  const live = liveFor(withToggles(true));
  const plan = planChanges(desiredState([account()], [destination()]), live, OPTS);
  const [update] = targetUpdates(plan);
  assert.ok(update && update.type === 'update-target-connection');
  assert.deepEqual(update.patch[0], { op: 'replace', path: '/params', value: { stream: 'summer', region: 'us-east-1' } });
});

test('a param both sides show and someone changed is still drift, healed', () => {
  const desired = withToggles(true);
  const live = liveFor(desired);
  const params = live.sandboxes.prod!.targetConnections[0]!.params;
  delete params.includeSegmentNames;
  params.stream = 'edited-in-ui';
  const plan = planChanges(desired, live, OPTS);
  const [update] = targetUpdates(plan);
  assert.ok(update && update.type === 'update-target-connection');
  assert.equal(update.origin, 'drift');
  assert.deepEqual(plan.drift[0]!.changes.map((c) => c.field), ['target.params.stream']);
});

test('a param the API returns under an inherited member\'s name (toString) is one-sided like any other', () => {
  const desired = withToggles(true);
  const live = liveFor(desired);
  Object.assign(live.sandboxes.prod!.targetConnections[0]!.params, { toString: 'from-the-api' });
  const unchanged = planChanges(desired, live, OPTS);
  assert.deepEqual(unchanged.actions, [], 'not drift while the manifest is what flowsync wrote');
  const [update] = targetUpdates(planChanges(withToggles(false), live, OPTS));
  assert.ok(update && update.type === 'update-target-connection');
  assert.deepEqual(update.changes.find((c) => c.field === 'params.toString'), { field: 'params.toString', from: 'from-the-api', to: null });
});
