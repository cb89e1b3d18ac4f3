// Extra ordering apply adds on top of the planner's DAG: actions on the same entity run one after
// another (each continues from the etag of the previous write), and a flow's state change runs
// before its selector patch so the patch, which stamps the spec hash, is always the last write.
import type { Action } from '../domain/plan.ts';

export function withEntityOrdering(actions: readonly Action[]): Action[] {
  const byEntity = new Map<string, Action[]>();
  for (const action of actions) {
    if (!('entityId' in action)) continue;
    byEntity.set(action.entityId, [...(byEntity.get(action.entityId) ?? []), action]);
  }
  const before = new Map<string, Set<string>>(); // action id -> ids that must run first
  for (const list of byEntity.values()) {
    const ordered = [...list].sort((a, b) => rank(a) - rank(b));
    for (let i = 1; i < ordered.length; i++) before.set(ordered[i]!.id, new Set([ordered[i - 1]!.id]));
  }
  return actions.map((action) => {
    const deps = new Set([...action.dependsOn, ...(before.get(action.id) ?? [])]);
    for (const dep of [...deps]) if (before.get(dep)?.has(action.id)) deps.delete(dep); // entity order wins
    return { ...action, dependsOn: [...deps] };
  });
}

function rank(action: Action): number {
  if (action.type === 'set-flow-state') return 0;
  if (action.type.startsWith('delete-')) return 2;
  return 1;
}
