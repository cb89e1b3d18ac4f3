import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderActions } from '../../src/plan/order.ts';
import type { Action } from '../../src/domain/plan.ts';

function del(id: string, type: 'delete-flow' | 'delete-account', dependsOn: string[] = []): Action {
  return { id, type, change: 'delete', origin: 'prune', sandbox: 'prod', address: `prod/x/${id}`, dependsOn, summary: id, entityId: id, etag: '"e"', name: id };
}

test('ordering is topological, then by kind, then by id, whatever the input order', () => {
  const actions = [del('b', 'delete-account'), del('a', 'delete-account', ['z']), del('z', 'delete-flow')];
  const order = orderActions(structuredClone(actions)).map((a) => a.id);
  assert.deepEqual(order, ['z', 'a', 'b']);
  assert.deepEqual(orderActions(structuredClone(actions).reverse()).map((a) => a.id), order);
});

test('dependencies outside the list are dropped; a cycle is a planner bug and throws', () => {
  assert.deepEqual(orderActions([del('a', 'delete-flow', ['gone'])])[0]!.dependsOn, []);
  assert.throws(() => orderActions([del('a', 'delete-flow', ['b']), del('b', 'delete-flow', ['a'])]), /cycle/);
});
