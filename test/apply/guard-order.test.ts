import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findStaleEntities } from '../../src/apply/guard.ts';
import { withEntityOrdering } from '../../src/apply/order.ts';
import type { LiveState } from '../../src/domain/model.ts';
import type { Action } from '../../src/domain/plan.ts';

const lastWrite = { updatedAt: 0, updatedBy: 'x@AdobeID' };

function live(): LiveState {
  return {
    sandboxes: {
      prod: {
        baseConnections: [],
        sourceConnections: [],
        targetConnections: [],
        flows: [
          {
            id: 'f1', etag: '"e1"', sandbox: 'prod', name: 'summer', description: 'x [flowsync:destination/summer h=abc]',
            flowSpecId: 's', state: 'enabled', sourceConnectionIds: [], targetConnectionIds: [], segments: [], profileAttributes: [], lastWrite, createdAt: 0,
          },
        ],
      },
    },
  };
}

const base = { origin: 'manifest', sandbox: 'prod', address: 'prod/destination/summer', summary: 's', change: 'update' } as const;

function updateFlow(id: string, etag: string, dependsOn: string[] = []): Action {
  return { ...base, id, dependsOn, type: 'update-flow', destination: 'summer', entityId: 'f1', etag, changes: [], addSegments: [], removeSegments: [], addAttributes: [], removeAttributes: [], patch: [] };
}

test('a saved plan is stale when an entity it patches has a new etag, naming the entity', () => {
  const stale = findStaleEntities([updateFlow('a', '"e0"')], live());
  assert.equal(stale.length, 1);
  assert.match(stale[0]!.problem, /flow f1 changed since the plan \(etag "e0" → "e1"\)/);
});

test('a saved plan is current when every etag still matches', () => {
  assert.deepEqual(findStaleEntities([updateFlow('a', '"e1"')], live()), []);
});

test('a saved plan is stale when an entity it would create now exists, unless the plan deletes it first', () => {
  const create: Action = {
    ...base, change: 'create', id: 'c', dependsOn: [], type: 'create-flow', destination: 'summer', destinationType: 'amazon-kinesis',
    name: 'summer', description: '', flowSpecId: 's', segments: [], profileAttributes: [], enabled: true,
  };
  assert.match(findStaleEntities([create], live())[0]!.problem, /already exists now \(f1\)/);
  const del: Action = { ...base, change: 'replace', id: 'd', dependsOn: [], type: 'delete-flow', entityId: 'f1', etag: '"e1"', name: 'summer' };
  assert.deepEqual(findStaleEntities([del, create], live()), []);
});

test('a deleted entity makes a saved plan stale', () => {
  const state = live();
  state.sandboxes.prod!.flows = [];
  assert.match(findStaleEntities([updateFlow('a', '"e1"')], state)[0]!.problem, /no longer exists/);
});

test('actions on one entity run in sequence, a state change before the selector patch', () => {
  const patch = updateFlow('patch', '"e1"');
  const state: Action = { ...base, id: 'state', dependsOn: ['patch'], type: 'set-flow-state', destination: 'summer', entityId: 'f1', etag: '"e1"', from: 'enabled', to: 'disabled' };
  const ordered = withEntityOrdering([patch, state]);
  assert.deepEqual(ordered.find((a) => a.id === 'patch')!.dependsOn, ['state']);
  assert.deepEqual(ordered.find((a) => a.id === 'state')!.dependsOn, []);
});
