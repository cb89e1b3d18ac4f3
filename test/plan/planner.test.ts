import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planChanges, planDestination, planAccount, withLiveEntity } from '../../src/plan/index.ts';
import type { Action, Plan } from '../../src/domain/plan.ts';
import type { LiveState } from '../../src/domain/model.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';
import { PROFILE_STORE_SPEC_ID, DESTINATION_TYPE_SPECS } from '../../src/domain/specs.ts';
import { SEGMENTS_PATH, ATTRIBUTES_PATH } from '../../src/plan/selectors.ts';
import { account, destination, desiredState, liveFor, liveBase, liveSource, liveTarget, liveFlow, OPTS, SEG1, SEG2, SEG3, UI_WRITE } from './fixtures.ts';
import { Simulator } from './simulator.ts';

const ids = (plan: Plan) => plan.actions.map((a) => a.id);
type Of<T extends Action['type']> = Action extends infer A ? (A extends { type: infer U } ? (T extends U ? A & { type: T } : never) : never) : never;
const byType = <T extends Action['type']>(plan: Plan, type: T) => plan.actions.filter((a): a is Of<T> => a.type === type);
const one = <T extends Action['type']>(plan: Plan, type: T) => {
  const found = byType(plan, type);
  assert.equal(found.length, 1, `expected one ${type}, got ${found.length}`);
  return found[0]!;
};

const base = desiredState([account()], [destination()]);

test('an empty org gets account, Profile Store, target connection and dataflow in dependency order', () => {
  const plan = planChanges(base, { sandboxes: {} }, OPTS);
  assert.deepEqual(ids(plan), [
    'prod/account/kinesis-prod/base-connection/create',
    'prod/profile-store/create',
    'prod/destination/summer-campaign/target-connection/create',
    'prod/destination/summer-campaign/flow/create',
  ]);
  const flow = one(plan, 'create-flow');
  assert.deepEqual(flow.dependsOn, ['prod/destination/summer-campaign/target-connection/create', 'prod/profile-store/create']);
  assert.deepEqual(one(plan, 'create-target-connection').dependsOn, ['prod/account/kinesis-prod/base-connection/create']);
  assert.deepEqual(plan.summary, { create: 4, update: 0, delete: 0, replace: 0, duplicate: 0, orphan: 0, conflict: 0 });
  const tag = parseOwnerTag(one(plan, 'create-account').description).tag;
  assert.equal(tag?.credentialFingerprint, '00112233aabbccdd');
});

test('live state left by an apply of the same manifests plans nothing', () => {
  const plan = planChanges(base, liveFor(base), OPTS);
  assert.deepEqual(plan.actions, []);
  assert.deepEqual(plan.drift, []);
  assert.deepEqual(plan.warnings, []);
  assert.deepEqual(plan.summary, { create: 0, update: 0, delete: 0, replace: 0, duplicate: 0, orphan: 0, conflict: 0 });
});

test('selectors are compared as sets: order and server-added keys do not matter', () => {
  const desired = desiredState([account()], [destination({ segments: [{ id: SEG1 }, { id: SEG2 }], profileAttributes: ['a.b', 'c.d'] })]);
  const live = liveFor(desired);
  const flow = live.sandboxes.prod!.flows[0]!;
  flow.segments = [{ index: 0, id: SEG2, name: 'renamed in UI' }, { index: 1, id: SEG1 }];
  flow.profileAttributes = [{ index: 0, path: 'c.d' }, { index: 1, path: 'a.b' }];
  assert.deepEqual(planChanges(desired, live, OPTS).actions, []);
});

test('selector removals go in descending index order, segments then attributes, then adds, then replaces', () => {
  const old = desiredState([account()], [destination({ segments: [{ id: SEG1 }, { id: SEG2 }, { id: SEG3 }], profileAttributes: ['a.a', 'b.b', 'c.c'] })]);
  const live = liveFor(old);
  const desired = desiredState([account()], [destination({ description: 'new words', segments: [{ id: SEG2 }, { id: '0b3f5e7a-1111-4222-8333-944455556666', name: 'New' }], profileAttributes: ['b.b', 'd.d'] })]);
  const update = one(planChanges(desired, live, OPTS), 'update-flow');
  assert.deepEqual(update.patch.map((p) => `${p.op} ${p.path}`), [
    `remove ${SEGMENTS_PATH}/2`,
    `remove ${SEGMENTS_PATH}/0`,
    `remove ${ATTRIBUTES_PATH}/2`,
    `remove ${ATTRIBUTES_PATH}/0`,
    `add ${SEGMENTS_PATH}/-`,
    `add ${ATTRIBUTES_PATH}/-`,
    'replace /description',
  ]);
  assert.deepEqual(update.patch[4]!.value, { type: 'PLATFORM_SEGMENT', value: { id: '0b3f5e7a-1111-4222-8333-944455556666', name: 'New' } });
  assert.deepEqual(update.patch[5]!.value, { type: 'JSON_PATH', value: { path: 'd.d', operator: 'EXISTS' } });
  assert.match(String(update.patch[6]!.value), /^new words \[flowsync:destination\/summer-campaign m=github\.com\/acme\/aep h=[0-9a-f]{12}\]$/);
  assert.equal(update.etag, live.sandboxes.prod!.flows[0]!.etag);
  assert.equal(update.origin, 'manifest');
});

test('a duplicated segment in the live flow is removed once the set holds it', () => {
  const live = liveFor(base);
  live.sandboxes.prod!.flows[0]!.segments = [{ index: 0, id: SEG1 }, { index: 1, id: SEG1 }];
  const update = one(planChanges(base, live, OPTS), 'update-flow');
  assert.deepEqual(update.removeSegments, [{ id: SEG1, index: 1 }]);
});

test('enabled: false disables an existing dataflow after its other changes; a new one is created then disabled', () => {
  const desired = desiredState([account()], [destination({ enabled: false, description: 'paused' })]);
  const plan = planChanges(desired, liveFor(base), OPTS);
  const state = one(plan, 'set-flow-state');
  assert.equal(state.to, 'disabled');
  assert.deepEqual(state.dependsOn, ['prod/destination/summer-campaign/flow/update', 'prod/destination/summer-campaign/target-connection/update']);
  assert.equal(plan.summary.update, 2); // target connection description + dataflow (counted once)
  assert.equal(one(planChanges(desired, { sandboxes: {} }, OPTS), 'create-flow').enabled, false);
});

test('a new credential fingerprint rotates credentials without any secret in the plan', () => {
  const desired = desiredState([account({ credentialFingerprint: 'ffeeddccbbaa9988' })], [destination()]);
  const update = one(planChanges(desired, liveFor(base), OPTS), 'update-account');
  assert.equal(update.rotateCredentials, true);
  assert.equal(update.origin, 'manifest');
  assert.deepEqual(update.changes.find((c) => c.field === 'auth.secretKey'), { field: 'auth.secretKey', from: '(unknown)', to: '(changed)' });
  const desc = update.patch.find((p) => p.path === '/description');
  assert.equal(parseOwnerTag(String(desc?.value)).tag?.credentialFingerprint, 'ffeeddccbbaa9988');
  assert.ok(!update.patch.some((p) => p.path.startsWith('/auth')), 'apply adds the /auth/params op with the secret values');
});

test('a non-secret auth param change also sends all params again', () => {
  const desired = desiredState([account({ authParams: { accessKeyId: 'AKIANEW', region: 'us-east-1' } })], [destination()]);
  const update = one(planChanges(desired, liveFor(base), OPTS), 'update-account');
  assert.equal(update.rotateCredentials, true);
  assert.deepEqual(update.changes[0], { field: 'auth.accessKeyId', from: 'AKIAEXAMPLE', to: 'AKIANEW' });
});

test('target params change is one replace /params with all params', () => {
  const desired = desiredState([account()], [destination({ target: { stream: 'autumn', region: 'us-east-1' } })]);
  const update = one(planChanges(desired, liveFor(base), OPTS), 'update-target-connection');
  assert.deepEqual(update.patch[0], { op: 'replace', path: '/params', value: { stream: 'autumn', region: 'us-east-1' } });
  assert.deepEqual(update.changes[0], { field: 'params.stream', from: 'summer', to: 'autumn' });
});

test('moving a destination to another account replaces its target connection and dataflow, deletes first', () => {
  const two = desiredState([account(), account({ name: 'kinesis-eu' })], [destination()]);
  const live = liveFor(two);
  const moved = desiredState([account(), account({ name: 'kinesis-eu' })], [destination({ account: 'kinesis-eu' })]);
  const plan = planChanges(moved, live, OPTS);
  assert.deepEqual(plan.actions.map((a) => `${a.change} ${a.type}`), [
    'replace delete-flow',
    'replace delete-target-connection',
    'replace create-target-connection',
    'replace create-flow',
  ]);
  const eu = live.sandboxes.prod!.baseConnections.find((b) => b.name === 'kinesis-eu')!;
  assert.equal(one(plan, 'create-target-connection').baseConnectionId, eu.id);
  assert.deepEqual(plan.summary, { create: 0, update: 0, delete: 0, replace: 2, duplicate: 0, orphan: 0, conflict: 0 });
});

test('changing an account type replaces the account and every destination using it', () => {
  const live = liveFor(base);
  const hubs = desiredState(
    [account({ type: 'azure-event-hubs', authParams: { sasKeyName: 'k', namespace: 'ns' }, secretParams: ['sasKey'] })],
    [destination({ type: 'azure-event-hubs', target: { eventHubName: 'hub' } })],
  );
  const plan = planChanges(hubs, live, OPTS);
  assert.deepEqual(plan.actions.map((a) => a.type), ['delete-flow', 'delete-target-connection', 'delete-account', 'create-account', 'create-target-connection', 'create-flow']);
  const del = one(plan, 'delete-account');
  assert.ok(del.dependsOn.includes('prod/destination/summer-campaign/target-connection/delete'));
  assert.ok(plan.actions.every((a) => a.change === 'replace'));
  assert.equal(one(plan, 'create-account').specId, DESTINATION_TYPE_SPECS['azure-event-hubs'].specId);
  new Simulator(live).apply(plan.actions);
});

test('an untagged account, target connection and dataflow with matching name and shape are adopted, not duplicated', () => {
  const live = liveFor(base);
  for (const e of [...live.sandboxes.prod!.baseConnections, ...live.sandboxes.prod!.targetConnections, ...live.sandboxes.prod!.flows]) {
    if (!('specId' in e) || e.specId !== PROFILE_STORE_SPEC_ID) e.description = 'made by hand';
  }
  const plan = planChanges(base, live, OPTS);
  assert.deepEqual(plan.actions.map((a) => `${a.type} ${a.origin}`), ['update-account adoption', 'update-target-connection adoption', 'update-flow adoption']);
  assert.ok(plan.actions.every((a) => a.change === 'update'));
  assert.deepEqual(plan.unowned.filter((u) => u.resource !== 'base-connection' || u.name !== 'flowsync Profile Store'), []);
  // Adoption writes the credentials from the manifest too: the secret cannot be compared.
  assert.equal(one(plan, 'update-account').rotateCredentials, true);
  const sim = new Simulator(live);
  sim.apply(plan.actions);
  assert.deepEqual(planChanges(base, sim.live, OPTS).actions, []);
});

test('an untagged entity with the same name but another shape is unowned and left alone', () => {
  const live: LiveState = { sandboxes: { prod: { baseConnections: [], sourceConnections: [], targetConnections: [], flows: [] } } };
  const sb = live.sandboxes.prod!;
  sb.baseConnections.push(liveBase({ id: 'hand-b', name: 'kinesis-prod', specId: DESTINATION_TYPE_SPECS['azure-event-hubs'].specId }));
  sb.targetConnections.push(liveTarget({ id: 'hand-t', name: 'summer-campaign', baseConnectionId: 'hand-b', params: { stream: 'other' } }));
  sb.flows.push(liveFlow({ id: 'hand-f', name: 'summer-campaign', targetConnectionIds: ['hand-t'] }));
  const plan = planChanges(base, live, { ...OPTS, prune: true });
  assert.deepEqual(plan.unowned.map((u) => u.id), ['hand-b', 'hand-t', 'hand-f']);
  assert.ok(plan.actions.every((a) => !('entityId' in a)));
  assert.equal(plan.summary.create, 4);
});

test('prune deletes stale owned entities flow, then target connection, then base connection; never without --prune', () => {
  const live = liveFor(base);
  const empty = { ...desiredState([], []), sandboxes: ['prod'] };
  const without = planChanges(empty, live, OPTS);
  assert.deepEqual(without.actions, []);
  assert.deepEqual(without.orphans.map((o) => `${o.entity} ${o.reason}`).sort(), ['base-connection no-manifest', 'base-connection no-manifest', 'flow no-manifest', 'source-connection no-manifest', 'target-connection no-manifest']);
  assert.equal(without.summary.orphan, 5);
  const plan = planChanges(empty, live, { ...OPTS, prune: true });
  assert.deepEqual(plan.actions.map((a) => `${a.type}${a.type === 'delete-profile-store' ? `:${a.resource}` : ''} ${a.origin}`), [
    'delete-flow prune',
    'delete-target-connection prune',
    'delete-profile-store:source-connection prune',
    'delete-account prune',
    'delete-profile-store:base-connection prune',
  ]);
  assert.deepEqual(one(plan, 'delete-target-connection').dependsOn, ['prod/destination/summer-campaign/flow/delete']);
  new Simulator(live).apply(plan.actions);
});

test('prune keeps a base connection that an unowned target connection still uses', () => {
  const live = liveFor(base);
  const sb = live.sandboxes.prod!;
  const acct = sb.baseConnections.find((b) => b.name === 'kinesis-prod')!;
  sb.targetConnections.push(liveTarget({ id: 'hand-t', name: 'hand', baseConnectionId: acct.id }));
  const plan = planChanges(desiredState([], []), live, { ...OPTS, prune: true });
  assert.ok(!plan.actions.some((a) => a.type === 'delete-account'));
  assert.ok(plan.warnings.some((w) => w.includes('hand (hand-t) still uses it')));
});

test('an unowned Profile Store source connection is reused; a lone base connection is reused for a new source', () => {
  const live: LiveState = { sandboxes: { prod: { baseConnections: [liveBase({ id: 'ps-b', specId: PROFILE_STORE_SPEC_ID, name: 'UI profile store' })], sourceConnections: [], targetConnections: [], flows: [] } } };
  const plan = planChanges(base, live, OPTS);
  assert.equal(one(plan, 'create-profile-store').baseConnectionId, 'ps-b');
  live.sandboxes.prod!.sourceConnections.push(liveSource({ id: 'ps-s', baseConnectionId: 'ps-b', name: 'UI source' }));
  const reuse = planChanges(base, live, OPTS);
  assert.equal(byType(reuse, 'create-profile-store').length, 0);
  assert.equal(one(reuse, 'create-flow').sourceConnectionId, 'ps-s');
});

test('a half-finished apply (target connection, no dataflow) only creates the dataflow', () => {
  const live = liveFor(base);
  const tc = live.sandboxes.prod!.targetConnections[0]!;
  live.sandboxes.prod!.flows = [];
  const plan = planChanges(base, live, OPTS);
  assert.deepEqual(plan.actions.map((a) => a.type), ['create-flow']);
  assert.equal(one(plan, 'create-flow').targetConnectionId, tc.id);
  assert.equal(one(plan, 'create-flow').sourceConnectionId, live.sandboxes.prod!.sourceConnections[0]!.id);
});

function drifted(policy: 'heal' | 'warn' | 'ignore') {
  const desired = desiredState([account()], [destination({ drift: policy })]);
  const live = liveFor(desired);
  const flow = live.sandboxes.prod!.flows[0]!;
  flow.segments.push({ index: 1, id: SEG2 });
  flow.state = 'disabled';
  flow.lastWrite = UI_WRITE;
  return { desired, live };
}

test('drift with policy heal: actions with origin drift and a drift item naming who changed it', () => {
  const { desired, live } = drifted('heal');
  const plan = planChanges(desired, live, OPTS);
  assert.deepEqual(plan.actions.map((a) => `${a.type} ${a.origin}`), ['update-flow drift', 'set-flow-state drift']);
  assert.equal(plan.drift.length, 1);
  assert.equal(plan.drift[0]!.drift, 'heal');
  assert.deepEqual(plan.drift[0]!.lastWrite, UI_WRITE);
  assert.deepEqual(plan.drift[0]!.changes.map((c) => c.field), [`dataflow.segment ${SEG2}`, 'dataflow.state']);
});

for (const policy of ['warn', 'ignore'] as const) {
  test(`drift with policy ${policy}: no actions, only the drift item`, () => {
    const { desired, live } = drifted(policy);
    const plan = planChanges(desired, live, OPTS);
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.drift[0]!.drift, policy);
  });
}

test('a manifest change is applied even under drift: warn, and heals the drift with it', () => {
  const { live } = drifted('warn');
  const changed = desiredState([account()], [destination({ drift: 'warn', profileAttributes: ['person.name.lastName'] })]);
  const plan = planChanges(changed, live, OPTS);
  assert.ok(plan.actions.length > 0);
  assert.ok(plan.actions.every((a) => a.origin === 'manifest'));
  assert.deepEqual(plan.drift, []);
  const sim = new Simulator(live);
  sim.apply(plan.actions);
  assert.deepEqual(planChanges(changed, sim.live, OPTS).actions, []);
});

test('an owned entity in a transitional state is left for later with a warning', () => {
  const live = liveFor(base);
  live.sandboxes.prod!.flows[0]!.state = 'updating';
  const desired = desiredState([account()], [destination({ segments: [] })]);
  const plan = planChanges(desired, live, OPTS);
  assert.deepEqual(plan.actions, []);
  assert.match(plan.warnings[0]!, /is updating; changes wait until it settles/);
});

test('a replace blocked by a dataflow flowsync does not own is held back, never half-done', () => {
  const two = desiredState([account(), account({ name: 'kinesis-eu' })], [destination()]);
  const live = liveFor(two);
  const tc = live.sandboxes.prod!.targetConnections[0]!;
  live.sandboxes.prod!.flows.push(liveFlow({ id: 'hand-f', name: 'hand', targetConnectionIds: [tc.id] }));
  const moved = desiredState([account(), account({ name: 'kinesis-eu' })], [destination({ account: 'kinesis-eu' })]);
  const plan = planChanges(moved, live, OPTS);
  assert.deepEqual(plan.actions, []);
  assert.match(plan.warnings.join('\n'), /dataflow hand \(hand-f\) still uses it/);
});

test('every action on an existing entity carries its id and the etag it was computed from', () => {
  const { desired, live } = drifted('heal');
  for (const a of planChanges(desired, live, OPTS).actions) {
    assert.ok('entityId' in a && 'etag' in a);
    const flow = live.sandboxes.prod!.flows.find((f) => f.id === a.entityId)!;
    assert.equal(a.etag, flow.etag);
  }
});

test('planDestination recomputes one destination against fresh live data (the 412 path)', () => {
  const live = liveFor(base);
  const desired = desiredState([account()], [destination({ segments: [{ id: SEG1 }, { id: SEG2 }] })]);
  const first = planDestination(desired, live, { sandbox: 'prod', destination: 'summer-campaign' }, OPTS);
  assert.deepEqual(first.map((a) => a.type), ['update-flow']);
  // Someone added the same segment meanwhile: the recomputed action has nothing left to add.
  const flow = structuredClone(live.sandboxes.prod!.flows[0]!);
  flow.segments.push({ index: 1, id: SEG2 });
  flow.etag = '"moved"';
  const fresh = withLiveEntity(live, 'prod', 'flows', flow.id, flow);
  const again = planDestination(desired, fresh, { sandbox: 'prod', destination: 'summer-campaign' }, OPTS);
  assert.equal(again.length, 1);
  assert.equal((again[0] as Extract<Action, { type: 'update-flow' }>).addSegments.length, 0);
  assert.equal((again[0] as Extract<Action, { type: 'update-flow' }>).etag, '"moved"');
  assert.deepEqual(planAccount(desired, fresh, { sandbox: 'prod', account: 'kinesis-prod' }, OPTS), []);
});

test('an entity tagged for another kind is unowned and never touched', () => {
  const live = liveFor(base);
  const sb = live.sandboxes.prod!;
  sb.targetConnections.push(liveTarget({ id: 'odd-t', name: 'summer-campaign', baseConnectionId: sb.baseConnections[0]!.id, description: '[flowsync:account/summer-campaign h=000000000000]' }));
  const plan = planChanges(base, live, { ...OPTS, prune: true });
  assert.deepEqual(plan.actions, []);
  assert.deepEqual(plan.unowned.map((u) => u.id), ['odd-t']);
});

test('an account edited in the UI is healed, reported as account drift', () => {
  const live = liveFor(base);
  const b = live.sandboxes.prod!.baseConnections[0]!;
  b.description = b.description.replace('Kinesis account', 'Renamed by hand');
  b.lastWrite = UI_WRITE;
  const plan = planChanges(base, live, OPTS);
  const update = one(plan, 'update-account');
  assert.equal(update.origin, 'drift');
  assert.equal(update.rotateCredentials, false);
  assert.deepEqual(plan.drift, [{ sandbox: 'prod', destination: 'kinesis-prod', resource: 'account', drift: 'heal', changes: [{ field: 'description', from: 'Renamed by hand', to: 'Kinesis account' }], lastWrite: UI_WRITE }]);
});

test('a manifest change that live already matches only refreshes the tag, so later drift is still recognised', () => {
  const live = liveFor(base);
  const desired = desiredState([account()], [destination({ segments: [] })]);
  live.sandboxes.prod!.flows[0]!.segments = []; // someone made the same change in the UI
  const plan = planChanges(desired, live, OPTS);
  const update = one(plan, 'update-flow');
  assert.deepEqual(update.changes.map((c) => c.field), ['tag']);
  assert.deepEqual(update.patch.map((p) => p.path), ['/description']);
  const sim = new Simulator(live);
  sim.apply(plan.actions);
  assert.deepEqual(planChanges(desired, sim.live, OPTS).actions, []);
});

test('without a resolved secret (fingerprint "") credentials are never rotated and the recorded fingerprint is kept', () => {
  const desired = desiredState([account({ credentialFingerprint: '' })], [destination()]);
  assert.deepEqual(planChanges(desired, liveFor(base), OPTS).actions, []);
});

test('summary counts entities, not API calls', () => {
  const desired = desiredState([account()], [destination({ enabled: false, description: 'x' })]);
  const plan = planChanges(desired, liveFor(base), OPTS);
  assert.deepEqual(plan.actions.map((a) => a.type), ['update-target-connection', 'update-flow', 'set-flow-state']);
  assert.deepEqual(plan.summary, { create: 0, update: 2, delete: 0, replace: 0, duplicate: 0, orphan: 0, conflict: 0 });
});
