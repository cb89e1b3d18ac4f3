import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planChanges } from '../../src/plan/index.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';
import { canonicalJson } from '../../src/domain/fingerprint.ts';
import { DESTINATION_TYPE_SPECS, PROFILE_STORE_SPEC_ID } from '../../src/domain/specs.ts';
import type { LiveState } from '../../src/domain/model.ts';
import { desiredArb, driftMutationArb, mutate, scenarioArb } from './arbitraries.ts';
import { Simulator } from './simulator.ts';
import { liveFor, OPTS } from './fixtures.ts';

const runs = process.env.FLOWSYNC_LONG_TESTS ? 5000 : 150;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function entityIds(live: LiveState): Map<string, string> {
  const out = new Map<string, string>();
  for (const sb of Object.values(live.sandboxes)) {
    for (const e of [...sb.baseConnections, ...sb.sourceConnections, ...sb.targetConnections, ...sb.flows]) out.set(e.id, e.description);
  }
  return out;
}

test('applying a plan converges: the next plan has no actions (with and without prune)', () => {
  fc.assert(
    fc.property(scenarioArb, fc.boolean(), ([desired, live], prune) => {
      const opts = { ...OPTS, prune };
      const plan = planChanges(desired, live, opts);
      const sim = new Simulator(live);
      sim.apply(plan.actions);
      const again = planChanges(desired, sim.live, opts);
      assert.deepEqual(again.actions.map((a) => a.summary), []);
    }),
    { numRuns: runs },
  );
});

test('no action touches an unowned entity; untagged entities are only ever adopted', () => {
  fc.assert(
    fc.property(scenarioArb, fc.boolean(), ([desired, live], prune) => {
      const plan = planChanges(desired, live, { ...OPTS, prune });
      const unowned = new Set(plan.unowned.map((u) => u.id));
      const descriptions = entityIds(live);
      for (const a of plan.actions) {
        if (!('entityId' in a)) continue;
        assert.ok(!unowned.has(a.entityId), `${a.id} touches unowned ${a.entityId}`);
        if (!parseOwnerTag(descriptions.get(a.entityId)).tag) {
          assert.equal(a.origin, 'adoption', `${a.id} changes untagged ${a.entityId} without adopting it`);
          assert.ok(!a.type.startsWith('delete-'), `${a.id} deletes an untagged entity`);
        }
      }
    }),
    { numRuns: runs },
  );
});

test('no plan creates a second entity for a manifest that already has an owned or adoptable one', () => {
  fc.assert(
    fc.property(scenarioArb, fc.boolean(), ([desired, live], prune) => {
      const plan = planChanges(desired, live, { ...OPTS, prune });
      const deleted = new Set(plan.actions.flatMap((a) => (a.type.startsWith('delete-') && 'entityId' in a ? [a.entityId] : [])));
      const tagged = (e: { description: string }, kind: string, name: string) => { const t = parseOwnerTag(e.description).tag; return t?.kind === kind && t.name === name; };
      const untagged = (e: { description: string }) => !parseOwnerTag(e.description).tag;
      for (const a of plan.actions) {
        if (a.change !== 'create') continue;
        const sb = live.sandboxes[a.sandbox];
        if (!sb) continue;
        const kept = <T extends { id: string }>(list: T[]) => list.filter((e) => !deleted.has(e.id));
        if (a.type === 'create-account') {
          const spec = DESTINATION_TYPE_SPECS[a.destinationType].specId;
          assert.ok(!sb.baseConnections.some((b) => tagged(b, 'account', a.account)), `${a.id} next to an owned one`);
          assert.ok(!sb.baseConnections.some((b) => untagged(b) && b.name === a.name && b.specId === spec), `${a.id} next to an adoptable one`);
        }
        if (a.type === 'create-target-connection') {
          assert.ok(!kept(sb.targetConnections).some((t) => tagged(t, 'destination', a.destination)), `${a.id} next to an owned one`);
          const bases = new Set(kept(sb.baseConnections).filter((b) => tagged(b, 'account', a.account) || (untagged(b) && b.name === a.account)).map((b) => b.id));
          const adoptable = kept(sb.targetConnections).find((t) => untagged(t) && t.name === a.name && t.specId === a.specId && bases.has(t.baseConnectionId) && canonicalJson(t.params) === canonicalJson(a.params) && a.baseConnectionId === t.baseConnectionId);
          assert.ok(!adoptable, `${a.id} next to adoptable ${adoptable?.id}`);
        }
        if (a.type === 'create-flow') {
          assert.ok(!kept(sb.flows).some((f) => tagged(f, 'destination', a.destination)), `${a.id} next to an owned one`);
          if (a.targetConnectionId) {
            const adoptable = kept(sb.flows).find((f) => untagged(f) && f.name === a.name && f.targetConnectionIds.includes(a.targetConnectionId!));
            assert.ok(!adoptable, `${a.id} next to adoptable ${adoptable?.id}`);
          }
        }
        if (a.type === 'create-profile-store') assert.equal(sb.sourceConnections.filter((c) => c.specId === PROFILE_STORE_SPEC_ID).length, 0);
      }
    }),
    { numRuns: runs },
  );
});

test('actions are in a valid topological order with unique ids', () => {
  fc.assert(
    fc.property(scenarioArb, fc.boolean(), ([desired, live], prune) => {
      const plan = planChanges(desired, live, { ...OPTS, prune });
      const seen = new Set<string>();
      for (const a of plan.actions) {
        assert.ok(!seen.has(a.id), `duplicate id ${a.id}`);
        for (const dep of a.dependsOn) assert.ok(seen.has(dep), `${a.id} before ${dep}`);
        seen.add(a.id);
      }
    }),
    { numRuns: runs },
  );
});

test('planning is deterministic and pure: same plan for the same input, whatever order the live lists come in, inputs untouched', () => {
  fc.assert(
    fc.property(scenarioArb, fc.boolean(), ([desired, live], prune) => {
      const opts = { ...OPTS, prune };
      const reversed: LiveState = { sandboxes: Object.fromEntries(Object.entries(live.sandboxes).reverse().map(([k, sb]) => [k, {
        baseConnections: [...sb.baseConnections].reverse(), sourceConnections: [...sb.sourceConnections].reverse(),
        targetConnections: [...sb.targetConnections].reverse(), flows: [...sb.flows].reverse(),
      }])) };
      assert.deepEqual(planChanges(deepFreeze(structuredClone(desired)), deepFreeze(structuredClone(live)), opts), planChanges(desired, live, opts), 'inputs are never mutated');
      assert.deepEqual(planChanges(desired, reversed, opts), planChanges(desired, live, opts));
    }),
    { numRuns: runs },
  );
});

test('live changes to what flowsync applied are drift: healed or only reported, per policy', () => {
  fc.assert(
    fc.property(desiredArb, fc.array(driftMutationArb, { minLength: 1, maxLength: 5 }), (desired, mutations) => {
      const live = liveFor(desired);
      mutations.forEach((m, i) => mutate(live, m, i));
      const plan = planChanges(desired, live, OPTS);
      const policy = new Map(desired.destinations.map((d) => [`${d.sandbox}/destination/${d.name}`, d.drift]));
      for (const a of plan.actions) {
        assert.equal(a.origin, 'drift', `${a.id} is not drift`);
        if (policy.has(a.address)) assert.equal(policy.get(a.address), 'heal', `${a.id} acts on a ${policy.get(a.address)} destination`);
      }
      for (const item of plan.drift) {
        if (item.resource === 'destination') assert.equal(item.drift, policy.get(`${item.sandbox}/destination/${item.destination}`));
        assert.ok(item.changes.length > 0);
      }
      const sim = new Simulator(live);
      sim.apply(plan.actions);
      const after = planChanges(desired, sim.live, OPTS);
      assert.deepEqual(after.actions, []);
      assert.ok(after.drift.every((d) => d.drift !== 'heal'), 'healed drift is gone');
    }),
    { numRuns: runs },
  );
});
