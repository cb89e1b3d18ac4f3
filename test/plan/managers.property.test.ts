// Managers as a property: whatever mix of this manager's, pre-manager and other managers' tags the
// live org holds, another manager's entity is never written, and applying the plan leaves at most
// one owned entity per manifest entity (duplicates converge without --prune).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planChanges } from '../../src/plan/index.ts';
import { describeWithTag, isOurs, parseOwnerTag } from '../../src/domain/owner-tag.ts';
import type { LiveState } from '../../src/domain/model.ts';
import type { Plan } from '../../src/domain/plan.ts';
import { scenarioArb } from './arbitraries.ts';
import { Simulator } from './simulator.ts';
import { MANAGER, OPTS } from './fixtures.ts';

const runs = process.env.FLOWSYNC_LONG_TESTS ? 3000 : 150;
const OTHER = 'gitlab.example.com/team-b/aep';

type Who = 'mine' | 'legacy' | 'foreign';

/** Re-tags every tagged entity as this manager's, pre-manager or another manager's. */
function assignManagers(live: LiveState, whos: Who[]): LiveState {
  const out = structuredClone(live);
  let i = 0;
  for (const sb of Object.values(out.sandboxes)) {
    for (const e of [...sb.baseConnections, ...sb.sourceConnections, ...sb.targetConnections, ...sb.flows]) {
      const { userDescription, tag } = parseOwnerTag(e.description);
      if (!tag) continue;
      const who = whos[i++ % whos.length] ?? 'mine';
      const { manager: _m, ...rest } = tag;
      e.description = describeWithTag(userDescription, who === 'legacy' ? rest : { ...rest, manager: who === 'mine' ? MANAGER : OTHER });
    }
  }
  return out;
}

function foreignIds(live: LiveState): Set<string> {
  const ids = new Set<string>();
  for (const sb of Object.values(live.sandboxes)) {
    for (const e of [...sb.baseConnections, ...sb.sourceConnections, ...sb.targetConnections, ...sb.flows]) {
      const tag = parseOwnerTag(e.description).tag;
      if (tag && !isOurs(tag, MANAGER)) ids.add(e.id);
    }
  }
  return ids;
}

const whosArb = fc.array(fc.constantFrom<Who>('mine', 'legacy', 'foreign'), { minLength: 1, maxLength: 12 });
const noTransitional = (live: LiveState) => Object.values(live.sandboxes).every((sb) => [...sb.baseConnections, ...sb.targetConnections, ...sb.flows].every((e) => e.state === 'enabled' || e.state === 'disabled'));

test('another manager\'s entities never appear in any action, with or without prune', () => {
  fc.assert(
    fc.property(scenarioArb, whosArb, fc.boolean(), ([desired, raw], whos, prune) => {
      const live = assignManagers(raw, whos);
      const foreign = foreignIds(live);
      const plan = planChanges(desired, live, { ...OPTS, prune });
      for (const a of plan.actions) {
        if ('entityId' in a) assert.ok(!foreign.has(a.entityId), `${a.id} writes ${a.entityId} of another manager`);
      }
      for (const o of plan.orphans) assert.ok(!foreign.has(o.id), `orphan ${o.id} belongs to another manager`);
      for (const c of plan.conflicts) assert.ok(foreign.has(c.id));
    }),
    { numRuns: runs, ...(process.env.FLOWSYNC_SEED ? { seed: Number(process.env.FLOWSYNC_SEED) } : {}) },
  );
});

/** Owned entities of one manifest name that nothing else pins (a use by an entity of another owner keeps a duplicate alive). */
function ownedLeft(plan: Plan, live: LiveState): string[] {
  const problems: string[] = [];
  const conflicted = new Set(plan.conflicts.map((c) => c.address));
  for (const [sandbox, sb] of Object.entries(live.sandboxes)) {
    const count = new Map<string, string[]>();
    const ours = (description: string) => { const t = parseOwnerTag(description).tag; return t && isOurs(t, MANAGER) && t.name ? t : undefined; };
    const pinned = (id: string) =>
      sb.flows.some((f) => f.targetConnectionIds.includes(id) && !ours(f.description)) ||
      sb.targetConnections.some((t) => t.baseConnectionId === id && !ours(t.description)) ||
      sb.sourceConnections.some((s) => s.baseConnectionId === id);
    const add = (key: string, id: string) => count.set(key, [...(count.get(key) ?? []), id]);
    for (const b of sb.baseConnections) { const t = ours(b.description); if (t?.kind === 'account' && !pinned(b.id)) add(`${sandbox}/account/${t.name}`, b.id); }
    for (const x of sb.targetConnections) { const t = ours(x.description); if (t?.kind === 'destination' && !pinned(x.id)) add(`${sandbox}/destination/${t.name}|target`, x.id); }
    for (const f of sb.flows) { const t = ours(f.description); if (t?.kind === 'destination') add(`${sandbox}/destination/${t.name}|flow`, f.id); }
    for (const [key, ids] of count) {
      if (ids.length > 1 && !conflicted.has(key.split('|')[0]!)) problems.push(`${key}: ${ids.join(', ')}`);
    }
  }
  return problems;
}

test('after applying the plan there is at most one owned entity per manifest entity (without prune)', () => {
  fc.assert(
    fc.property(scenarioArb, whosArb, ([desired, raw], whos) => {
      const live = assignManagers(raw, whos);
      fc.pre(noTransitional(live));
      const plan = planChanges(desired, live, OPTS);
      const sim = new Simulator(live);
      sim.apply(plan.actions);
      // An address the plan holds says why: a conflict, or a warning (a replace blocked by what
      // still uses the entity, say). A destination is held with its account.
      const conflicted = new Set(plan.conflicts.map((c) => c.address));
      const held = (address: string) => conflicted.has(address) || plan.warnings.some((w) => w.startsWith(`${address}:`));
      const settled = new Set([
        ...desired.accounts.map((a) => `${a.sandbox}/account/${a.name}`).filter((a) => !held(a)),
        ...desired.destinations.filter((d) => !held(`${d.sandbox}/account/${d.account}`)).map((d) => `${d.sandbox}/destination/${d.name}`).filter((a) => !held(a)),
      ]);
      const problems = ownedLeft(plan, sim.live).filter((p) => settled.has(p.split(/[|:]/)[0]!));
      assert.deepEqual(problems, []);
      // And the plan after that is settled: nothing more to do for this manager.
      assert.deepEqual(planChanges(desired, sim.live, OPTS).actions.map((a) => a.summary), []);
    }),
    { numRuns: runs, ...(process.env.FLOWSYNC_SEED ? { seed: Number(process.env.FLOWSYNC_SEED) } : {}) },
  );
});
