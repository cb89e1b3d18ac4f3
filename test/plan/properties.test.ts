import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planChanges } from '../../src/plan/index.ts';
import { parseOwnerTag } from '../../src/domain/ownership.ts';
import type { LiveState } from '../../src/domain/model.ts';
import { scenarioArb } from './arbitraries.ts';
import { Simulator } from './simulator.ts';
import { OPTS } from './fixtures.ts';

const runs = process.env.FLOWSYNC_LONG_TESTS ? 5000 : 150;

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

test('no plan creates a second entity for a manifest that already has one', () => {
  fc.assert(
    fc.property(scenarioArb, ([desired, live]) => {
      const plan = planChanges(desired, live, OPTS);
      const sim = new Simulator(live);
      sim.apply(plan.actions);
      for (const [sandbox, sb] of Object.entries(sim.live.sandboxes)) {
        const count = (list: { description: string; id: string }[], kind: string, name: string) =>
          list.filter((e) => { const t = parseOwnerTag(e.description).tag; return t?.kind === kind && t.name === name; }).length;
        const before = live.sandboxes[sandbox];
        for (const a of desired.accounts.filter((x) => x.sandbox === sandbox)) {
          assert.ok(count(sb.baseConnections, 'account', a.name) <= Math.max(1, count(before?.baseConnections ?? [], 'account', a.name)), `duplicate account ${a.name}`);
        }
        for (const d of desired.destinations.filter((x) => x.sandbox === sandbox)) {
          assert.ok(count(sb.targetConnections, 'destination', d.name) <= Math.max(1, count(before?.targetConnections ?? [], 'destination', d.name)), `duplicate target ${d.name}`);
          assert.ok(count(sb.flows, 'destination', d.name) <= Math.max(1, count(before?.flows ?? [], 'destination', d.name)), `duplicate flow ${d.name}`);
        }
        const profileSources = sb.sourceConnections.length;
        assert.ok(profileSources <= Math.max(1, before?.sourceConnections.length ?? 0), 'second Profile Store source connection');
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

test('planning is deterministic, whatever order the live lists come in', () => {
  fc.assert(
    fc.property(scenarioArb, fc.boolean(), ([desired, live], prune) => {
      const opts = { ...OPTS, prune };
      const reversed: LiveState = { sandboxes: Object.fromEntries(Object.entries(live.sandboxes).reverse().map(([k, sb]) => [k, {
        baseConnections: [...sb.baseConnections].reverse(), sourceConnections: [...sb.sourceConnections].reverse(),
        targetConnections: [...sb.targetConnections].reverse(), flows: [...sb.flows].reverse(),
      }])) };
      assert.deepEqual(planChanges(desired, live, opts), planChanges(desired, live, opts));
      assert.deepEqual(planChanges(desired, reversed, opts), planChanges(desired, live, opts));
    }),
    { numRuns: runs },
  );
});
