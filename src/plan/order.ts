// Execution order: deletions wait for the deletions of what uses them; then a deterministic
// topological sort (Kahn) that prefers deletes, then accounts, Profile Store, target connections,
// dataflows and state changes, ties broken by id.
import type { LiveSandbox } from '../domain/model.ts';
import type { Action, Plan } from '../domain/plan.ts';

const RANK: Record<Action['type'], number> = {
  'delete-flow': 0,
  'delete-target-connection': 1,
  'delete-profile-store': 2,
  'delete-account': 3,
  'create-account': 4,
  'update-account': 4,
  'create-profile-store': 5,
  'create-target-connection': 6,
  'update-target-connection': 6,
  'create-flow': 7,
  'update-flow': 7,
  'set-flow-state': 8,
};

function rank(a: Action): number {
  // The Profile Store base goes after its source connection.
  return a.type === 'delete-profile-store' && a.resource === 'base-connection' ? 3 : RANK[a.type];
}

function addDep(a: Action, id: string): void {
  if (!a.dependsOn.includes(id)) a.dependsOn.push(id);
}

/** A deletion depends on the deletion of every entity in this plan that references the entity. */
export function linkDeletions(actions: Action[], live: LiveSandbox): void {
  const deletes = actions.filter((a) => a.type.startsWith('delete-')) as Extract<Action, { type: `delete-${string}` }>[];
  const byEntity = new Map(deletes.map((a) => [a.entityId, a]));
  for (const f of live.flows) {
    const del = byEntity.get(f.id);
    if (!del) continue;
    for (const ref of [...f.targetConnectionIds, ...f.sourceConnectionIds]) {
      const target = byEntity.get(ref);
      if (target) addDep(target, del.id);
    }
  }
  for (const c of [...live.targetConnections, ...live.sourceConnections]) {
    const del = byEntity.get(c.id);
    const target = del && byEntity.get(c.baseConnectionId);
    if (del && target) addDep(target, del.id);
  }
}

function insertSorted<T>(list: T[], item: T, cmp: (a: T, b: T) => number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(list[mid]!, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}

/** Topological order, deterministic for equal input. Dependencies outside the list are ignored. */
export function orderActions(actions: Action[]): Action[] {
  const byId = new Map(actions.map((a) => [a.id, a]));
  for (const a of actions) a.dependsOn = [...new Set(a.dependsOn)].filter((d) => byId.has(d)).sort();
  const waiting = new Map(actions.map((a) => [a.id, a.dependsOn.length]));
  const dependents = new Map<string, string[]>();
  for (const a of actions) for (const d of a.dependsOn) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(a.id);
  const cmp = (x: Action, y: Action) => rank(x) - rank(y) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const ready = actions.filter((a) => a.dependsOn.length === 0).sort(cmp);
  const out: Action[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    out.push(next);
    for (const id of dependents.get(next.id) ?? []) {
      const left = waiting.get(id)! - 1;
      waiting.set(id, left);
      if (left === 0) insertSorted(ready, byId.get(id)!, cmp);
    }
  }
  if (out.length !== actions.length) throw new Error('plan actions have a dependency cycle'); // a planner bug, never user input
  return out;
}

/** The entity an action writes, so a create+patch+disable or an update+state counts once. */
function entityKey(a: Action): string {
  return a.id.slice(0, a.id.lastIndexOf('/'));
}

export function summarize(actions: Action[], counts: { orphan: number; conflict: number }): Plan['summary'] {
  const kinds = new Map<string, Action['change']>();
  let duplicate = 0;
  for (const a of actions) {
    if (a.origin === 'duplicate') { duplicate++; continue; }
    const key = entityKey(a);
    const prev = kinds.get(key);
    if (prev === 'replace') continue;
    if (a.change === 'replace' || !prev || prev === 'update') kinds.set(key, a.change);
  }
  const summary = { create: 0, update: 0, delete: 0, replace: 0, duplicate, ...counts };
  for (const kind of kinds.values()) summary[kind]++;
  return summary;
}
