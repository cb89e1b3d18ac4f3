// Managers, duplicates and orphans in the planner (docs/concepts/several-writers.md): pure scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planChanges } from '../../src/plan/index.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';
import type { Action, Plan } from '../../src/domain/plan.ts';
import { account, desiredState, destination, liveFlow, liveFor, liveTarget, MANAGER, OPTS } from './fixtures.ts';
import { Simulator } from './simulator.ts';

const OTHER = 'gitlab.example.com/team-b/aep';
const base = desiredState([account()], [destination()]);

const touched = (plan: Plan) => plan.actions.filter((a): a is Extract<Action, { entityId: string }> => 'entityId' in a).map((a) => a.entityId);

test('entities tagged by this manager are planned as before: no changes', () => {
  const plan = planChanges(base, liveFor(base), OPTS);
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.manager, MANAGER);
  assert.deepEqual([plan.conflicts, plan.orphans], [[], []]);
});

test('another manager holding the same names is a conflict: nothing is created, written or deleted', () => {
  const live = liveFor(base, { prefix: 'f' }, OTHER);
  for (const prune of [false, true]) {
    const plan = planChanges(base, live, { ...OPTS, prune });
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.orphans, []);
    assert.deepEqual(plan.conflicts.map((c) => `${c.address} ${c.entity} ${c.id} ${c.manager}`), [
      `prod/account/kinesis-prod base-connection f0001 ${OTHER}`,
      `prod/destination/summer-campaign target-connection f0004 ${OTHER}`,
      `prod/destination/summer-campaign flow f0005 ${OTHER}`,
    ]);
    assert.equal(plan.summary.conflict, 3);
  }
});

test('a manifest whose destination name another manager holds gets no create; the account is still ours', () => {
  const theirs = liveFor(base, { prefix: 'f' }, OTHER).sandboxes.prod!;
  const live = liveFor(desiredState([account()], []));
  const sb = live.sandboxes.prod!;
  sb.baseConnections.push(...theirs.baseConnections.filter((b) => b.name !== 'kinesis-prod'));
  sb.sourceConnections.push(...theirs.sourceConnections);
  sb.targetConnections.push(...theirs.targetConnections.map((t) => ({ ...t, baseConnectionId: sb.baseConnections[0]!.id })));
  sb.flows.push(...theirs.flows);
  const plan = planChanges(base, live, OPTS);
  assert.ok(!plan.actions.some((a) => a.type === 'create-target-connection' || a.type === 'create-flow'), JSON.stringify(plan.actions.map((a) => a.summary)));
  assert.deepEqual(plan.conflicts.map((c) => c.entity), ['target-connection', 'flow']);
  assert.deepEqual(touched(plan), []);
});

test('--force-conflicts takes another manager\'s entities over visibly, and then they are ours', () => {
  const live = liveFor(base, { prefix: 'f' }, OTHER);
  const plan = planChanges(base, live, { ...OPTS, forceConflicts: true });
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(plan.actions.map((a) => `${a.origin}: ${a.summary}`), [
    `takeover: take over account kinesis-prod from manager ${OTHER}`,
    `takeover: take over target connection summer-campaign from manager ${OTHER}`,
    `takeover: take over dataflow summer-campaign from manager ${OTHER}`,
  ]);
  const sim = new Simulator(live);
  sim.apply(plan.actions);
  for (const f of sim.live.sandboxes.prod!.flows) assert.equal(parseOwnerTag(f.description).tag?.manager, MANAGER);
  assert.deepEqual(planChanges(base, sim.live, OPTS).actions, []);
});

test('tags written before managers are ours, taken over once (the tag gains m=)', () => {
  const live = liveFor(base, { prefix: 'l' }, '');
  assert.equal(parseOwnerTag(live.sandboxes.prod!.flows[0]!.description).tag?.manager, undefined);
  const plan = planChanges(base, live, OPTS);
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(plan.actions.map((a) => `${a.origin}: ${a.summary}`), [
    'takeover: take over account kinesis-prod (tag written before managers)',
    'takeover: take over target connection summer-campaign (tag written before managers)',
    'takeover: take over dataflow summer-campaign (tag written before managers)',
  ]);
  const sim = new Simulator(live);
  sim.apply(plan.actions);
  assert.deepEqual(planChanges(base, sim.live, OPTS).actions, []);
});

test('a legacy takeover under drift: warn rewrites the tag only and leaves the drift alone', () => {
  const desired = desiredState([account()], [destination({ drift: 'warn' })]);
  const live = liveFor(desired, { prefix: 'l' }, '');
  const flow = live.sandboxes.prod!.flows[0]!;
  flow.segments = [];
  const plan = planChanges(desired, live, OPTS);
  const update = plan.actions.find((a) => a.type === 'update-flow')!;
  assert.equal(update.origin, 'takeover');
  assert.ok(update.type === 'update-flow' && update.addSegments.length === 0 && update.patch.length === 1 && update.patch[0]!.path === '/description');
  assert.equal(plan.drift.length, 1);
});

test('a duplicate dataflow is deleted without --prune; the oldest is kept', () => {
  const live = liveFor(base);
  const sb = live.sandboxes.prod!;
  const original = sb.flows[0]!;
  sb.flows.push({ ...structuredClone(original), id: 'a-older', createdAt: -5 });
  const plan = planChanges(base, live, OPTS);
  assert.deepEqual(plan.actions.map((a) => `${a.origin} ${a.type} ${'entityId' in a ? a.entityId : ''}`), [`duplicate delete-flow ${original.id}`]);
  assert.equal(plan.summary.duplicate, 1);
  assert.equal(plan.summary.delete, 0);
  const sim = new Simulator(live);
  sim.apply(plan.actions);
  assert.deepEqual(sim.live.sandboxes.prod!.flows.map((f) => f.id), ['a-older']);
});

test('of two target connections the one the dataflow uses is kept, even when it is the newer one', () => {
  const live = liveFor(base);
  const sb = live.sandboxes.prod!;
  const used = sb.targetConnections[0]!;
  used.createdAt = 100;
  sb.targetConnections.push({ ...structuredClone(used), id: 'z-unused', createdAt: 1 });
  const plan = planChanges(base, live, OPTS);
  assert.deepEqual(plan.actions.map((a) => `${a.origin} ${'entityId' in a ? a.entityId : ''}`), ['duplicate z-unused']);
});

test('a duplicate that a dataflow of another owner uses is kept, with a warning', () => {
  const live = liveFor(base);
  const sb = live.sandboxes.prod!;
  const tc = sb.targetConnections[0]!;
  sb.targetConnections.push({ ...structuredClone(tc), id: 'dup-t', createdAt: 9 });
  sb.flows.push(liveFlow({ id: 'hand-f', name: 'made by hand', targetConnectionIds: ['dup-t'] }));
  sb.flows.push(liveFlow({ id: 'their-f', name: 'theirs', targetConnectionIds: ['dup-t'], description: `[flowsync:destination/theirs m=${OTHER} h=abc]` }));
  const plan = planChanges(base, live, OPTS);
  assert.deepEqual(plan.actions, []);
  assert.ok(plan.warnings.some((w) => w.includes('dup-t') && w.includes('duplicate') && w.includes('still uses it')), plan.warnings.join('\n'));
});

test('orphans are listed without --prune and deleted with it; another manager\'s entities never are', () => {
  const both = desiredState([account()], [destination(), destination({ name: 'gone' })]);
  const live = liveFor(both);
  const sb = live.sandboxes.prod!;
  sb.targetConnections.push(liveTarget({ id: 'their-t', name: 'theirs', baseConnectionId: sb.baseConnections[0]!.id, description: `[flowsync:destination/theirs m=${OTHER} h=abc]` }));
  const without = planChanges(base, live, OPTS);
  assert.deepEqual(without.actions, []);
  assert.deepEqual(without.orphans.map((o) => `${o.address} ${o.entity} ${o.reason}`), ['prod/destination/gone flow no-manifest', 'prod/destination/gone target-connection no-manifest']);
  assert.equal(without.summary.orphan, 2);
  const pruned = planChanges(base, live, { ...OPTS, prune: true });
  assert.deepEqual(pruned.orphans, []);
  assert.deepEqual(pruned.actions.map((a) => `${a.origin} ${a.type}`), ['prune delete-flow', 'prune delete-target-connection']);
  assert.ok(!touched(pruned).includes('their-t'));
});

test('owned entities of a sandbox the config no longer names are orphans of that sandbox', () => {
  const old = desiredState([account({ sandbox: 'dev' })], [destination({ sandbox: 'dev' })]);
  const live = { sandboxes: { ...liveFor(base).sandboxes, dev: liveFor(old, { prefix: 'd' }).sandboxes.dev! } };
  live.sandboxes.dev.flows.push(liveFlow({ id: 'their-f', sandbox: 'dev', name: 'x', description: `[flowsync:destination/x m=${OTHER} h=abc]` }));
  const plan = planChanges(base, live, OPTS);
  assert.deepEqual(plan.actions, []);
  assert.deepEqual([...new Set(plan.orphans.map((o) => `${o.sandbox} ${o.reason}`))], ['dev sandbox-not-in-config']);
  assert.equal(plan.orphans.length, 5, JSON.stringify(plan.orphans));
  assert.ok(!plan.orphans.some((o) => o.id === 'their-f'));
  const pruned = planChanges(base, live, { ...OPTS, prune: true });
  assert.equal(pruned.actions.filter((a) => a.sandbox === 'dev' && a.origin === 'prune').length, 5);
  assert.ok(!touched(pruned).includes('their-f'));
});
