import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runDag } from '../../src/apply/executor.ts';

const tick = () => new Promise((r) => setImmediate(r));

test('runDag runs dependencies first and never more than the concurrency limit at once', async () => {
  const nodes = [
    { id: 'a', dependsOn: [] },
    { id: 'b', dependsOn: ['a'] },
    { id: 'c', dependsOn: ['a'] },
    { id: 'd', dependsOn: ['b', 'c'] },
    { id: 'e', dependsOn: [] },
  ];
  const order: string[] = [];
  let running = 0;
  let peak = 0;
  const results = await runDag(
    nodes,
    async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await tick();
      order.push(n.id);
      running -= 1;
    },
    { concurrency: 2 },
  );
  assert.ok(peak <= 2);
  assert.ok(order.indexOf('a') < order.indexOf('b'));
  assert.ok(order.indexOf('b') < order.indexOf('d') && order.indexOf('c') < order.indexOf('d'));
  assert.deepEqual([...results.values()].map((r) => r.status), ['applied', 'applied', 'applied', 'applied', 'applied']);
});

test('a failure skips only its dependents, transitively; independent work still runs', async () => {
  const nodes = [
    { id: 'acct', dependsOn: [] },
    { id: 'tc1', dependsOn: ['acct'] },
    { id: 'flow1', dependsOn: ['tc1'] },
    { id: 'tc2', dependsOn: [] },
    { id: 'flow2', dependsOn: ['tc2'] },
  ];
  const ran: string[] = [];
  const results = await runDag(
    nodes,
    async (n) => {
      ran.push(n.id);
      if (n.id === 'acct') throw new Error('boom');
    },
    { concurrency: 4 },
  );
  assert.equal(results.get('acct')?.status, 'failed');
  assert.equal(results.get('tc1')?.status, 'skipped');
  assert.equal(results.get('flow1')?.status, 'skipped');
  assert.equal(results.get('flow1')?.skippedBecause, 'tc1');
  assert.equal(results.get('flow2')?.status, 'applied');
  assert.deepEqual(ran.sort(), ['acct', 'flow2', 'tc2']);
});

test('a dependency cycle is reported as skipped instead of hanging', async () => {
  const results = await runDag(
    [
      { id: 'x', dependsOn: ['y'] },
      { id: 'y', dependsOn: ['x'] },
    ],
    async () => {},
    { concurrency: 1 },
  );
  assert.equal(results.get('x')?.skippedBecause, 'dependency cycle');
});

test('property: every node settles exactly once and no node starts before its dependencies applied', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 25 }).chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 }),
          fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          fc.integer({ min: 1, max: 4 }),
        ),
      ),
      async ([n, edges, fails, concurrency]) => {
        // Edges only from lower to higher index keep the graph acyclic.
        const nodes = Array.from({ length: n }, (_, i) => ({
          id: `n${i}`,
          dependsOn: edges.filter(([a, b]) => a < b && b === i).map(([a]) => `n${a}`),
        }));
        const applied = new Set<string>();
        const settled: string[] = [];
        await runDag(
          nodes,
          async (node) => {
            for (const d of node.dependsOn) assert.ok(applied.has(d), `${node.id} started before ${d}`);
            await tick();
            if (fails[Number(node.id.slice(1))]) throw new Error('fail');
            applied.add(node.id);
          },
          { concurrency, onSettled: (node) => settled.push(node.id) },
        );
        assert.equal(settled.length, n);
        assert.equal(new Set(settled).size, n);
      },
    ),
    { numRuns: 150 },
  );
});
