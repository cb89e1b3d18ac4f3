// Runs a DAG of actions: each starts once everything it depends on has succeeded, at most
// `concurrency` at a time. A failed action skips its dependents only, so one destination's
// failure never stops the others.
//
// Scheduling: each node counts its unmet dependencies and is released when the count reaches 0
// (Kahn), so a run is linear in nodes + edges. Among ready nodes the one with the longest chain of
// work still hanging below it starts first: every destination's first step (target connection)
// goes out before anyone's last step, so the pipeline stays full and no destination's three round
// trips are left for the end (highest-level-first list scheduling).

export type NodeStatus = 'applied' | 'failed' | 'skipped';

export interface DagNode {
  id: string;
  dependsOn: string[];
}

export interface DagResult {
  status: NodeStatus;
  error?: unknown;
  skippedBecause?: string;
}

/** Length of the longest chain of dependents below each node (0 for a leaf); cycles count as leaves. */
export function chainLengths(nodes: readonly DagNode[]): Map<string, number> {
  const dependents = dependentsOf(nodes);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let longest = 0;
    for (const d of dependents.get(id) ?? []) longest = Math.max(longest, 1 + visit(d));
    visiting.delete(id);
    depth.set(id, longest);
    return longest;
  };
  // Iterative outer loop; chains in a plan are short (account → target → flow → patch), so the recursion is shallow.
  for (const n of nodes) visit(n.id);
  return depth;
}

function dependentsOf(nodes: readonly DagNode[]): Map<string, string[]> {
  const known = new Set(nodes.map((n) => n.id));
  const out = new Map<string, string[]>();
  for (const n of nodes) {
    for (const d of new Set(n.dependsOn)) {
      if (!known.has(d)) continue; // a dependency outside the plan is already satisfied
      const list = out.get(d);
      if (list) list.push(n.id);
      else out.set(d, [n.id]);
    }
  }
  return out;
}

export async function runDag<N extends DagNode>(
  nodes: readonly N[],
  run: (node: N) => Promise<void>,
  opts: { concurrency: number; onSettled?: (node: N, result: DagResult) => void },
): Promise<Map<string, DagResult>> {
  const results = new Map<string, DagResult>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const dependents = dependentsOf(nodes);
  const level = chainLengths(nodes);
  const unmet = new Map<string, number>();
  for (const n of nodes) unmet.set(n.id, new Set(n.dependsOn.filter((d) => byId.has(d))).size);

  // Ready nodes bucketed by level (a queue each: items and the index of its head); within a level, plan order.
  const buckets: { items: N[]; head: number }[] = [];
  let readyCount = 0;
  const makeReady = (node: N) => {
    const l = level.get(node.id) ?? 0;
    (buckets[l] ??= { items: [], head: 0 }).items.push(node);
    readyCount += 1;
  };
  const takeReady = (): N | undefined => {
    for (let l = buckets.length - 1; l >= 0; l--) {
      const bucket = buckets[l];
      if (bucket && bucket.head < bucket.items.length) {
        readyCount -= 1;
        return bucket.items[bucket.head++];
      }
    }
    return undefined;
  };

  const settle = (node: N, result: DagResult) => {
    results.set(node.id, result);
    opts.onSettled?.(node, result);
  };
  const skipDependents = (id: string) => {
    const stack = [id];
    while (stack.length > 0) {
      const bad = stack.pop()!;
      for (const d of dependents.get(bad) ?? []) {
        if (results.has(d)) continue;
        settle(byId.get(d)!, { status: 'skipped', skippedBecause: bad });
        stack.push(d);
      }
    }
  };

  for (const n of nodes) if (unmet.get(n.id) === 0) makeReady(n);
  const running = new Set<Promise<void>>();
  const finish = (node: N, result: DagResult) => {
    settle(node, result);
    if (result.status !== 'applied') {
      skipDependents(node.id);
      return;
    }
    for (const d of dependents.get(node.id) ?? []) {
      const left = unmet.get(d)! - 1;
      unmet.set(d, left);
      if (left === 0 && !results.has(d)) makeReady(byId.get(d)!);
    }
  };

  for (;;) {
    while (running.size < opts.concurrency && readyCount > 0) {
      const node = takeReady()!;
      if (results.has(node.id)) continue; // skipped while it waited
      const task: Promise<void> = run(node).then(
        () => finish(node, { status: 'applied' }),
        (error: unknown) => finish(node, { status: 'failed', error }),
      );
      const tracked = task.finally(() => running.delete(tracked));
      running.add(tracked);
    }
    if (running.size === 0) {
      // Nothing running and nothing ready: whatever is left waits on a cycle (a planner bug).
      for (const node of nodes) if (!results.has(node.id)) settle(node, { status: 'skipped', skippedBecause: 'dependency cycle' });
      return results;
    }
    await Promise.race(running);
  }
}
