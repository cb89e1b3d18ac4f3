// Runs a DAG of actions: each starts once everything it depends on has succeeded, at most
// `concurrency` at a time. A failed action skips its dependents only, so one destination's
// failure never stops the others.

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

export async function runDag<N extends DagNode>(
  nodes: readonly N[],
  run: (node: N) => Promise<void>,
  opts: { concurrency: number; onSettled?: (node: N, result: DagResult) => void },
): Promise<Map<string, DagResult>> {
  const results = new Map<string, DagResult>();
  const known = new Set(nodes.map((n) => n.id));
  const pending = new Map(nodes.map((n) => [n.id, n]));
  const running = new Set<Promise<void>>();

  const settle = (node: N, result: DagResult) => {
    results.set(node.id, result);
    opts.onSettled?.(node, result);
  };

  for (;;) {
    // Skip everything whose dependency failed or was skipped (transitively, over the loop).
    let changed = true;
    while (changed) {
      changed = false;
      for (const node of pending.values()) {
        const bad = node.dependsOn.find((d) => known.has(d) && results.has(d) && results.get(d)!.status !== 'applied');
        if (bad !== undefined) {
          pending.delete(node.id);
          settle(node, { status: 'skipped', skippedBecause: bad });
          changed = true;
        }
      }
    }
    const ready = [...pending.values()].filter((n) => n.dependsOn.every((d) => !known.has(d) || results.get(d)?.status === 'applied'));
    for (const node of ready) {
      if (running.size >= opts.concurrency) break;
      pending.delete(node.id);
      const task: Promise<void> = run(node).then(
        () => settle(node, { status: 'applied' }),
        (error: unknown) => settle(node, { status: 'failed', error }),
      );
      const tracked = task.finally(() => running.delete(tracked));
      running.add(tracked);
    }
    if (running.size === 0) {
      // Nothing running and nothing ready: whatever is left waits on a cycle (a planner bug).
      for (const node of pending.values()) settle(node, { status: 'skipped', skippedBecause: 'dependency cycle' });
      return results;
    }
    await Promise.race(running);
  }
}
