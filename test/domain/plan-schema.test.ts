// schemas/plan.schema.json is generated from the types of src/domain/plan.ts (`npm run schemas`,
// cmd/schemas.ts). The committed file must be what the types give today, and what the generator
// gives must keep the strictness the saved-plan reader (src/cli/plan-file.ts) relies on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PLAN_SCHEMA_FILE, planSchemaText } from '../../cmd/schemas.ts';
import { parsePlanJson } from '../../src/cli/plan-file.ts';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { MANAGER_RE } from '../../src/domain/owner-tag.ts';
import type { Action, Plan } from '../../src/domain/plan.ts';
import { PLAN_FORMAT_VERSION } from '../../src/domain/plan.ts';

const committed = readFileSync(PLAN_SCHEMA_FILE, 'utf8');
/** A plan the golden tests produce (test/golden/selectors-and-state): updates, segments, attributes, a state change. */
const golden = readFileSync(new URL('../golden/selectors-and-state/plan.json', import.meta.url), 'utf8');

function refused(mutate: (plan: Record<string, any>) => void, message: RegExp): void {
  const plan = JSON.parse(golden) as Record<string, any>;
  mutate(plan);
  assert.throws(
    () => parsePlanJson(JSON.stringify(plan), 'plan.json'),
    (err: unknown) => isFlowsyncError(err, 'FS_PLAN_INVALID') && message.test(err.message),
    `expected FS_PLAN_INVALID matching ${message}`,
  );
}

test('the committed plan schema is the one the types of src/domain/plan.ts give', () => {
  assert.ok(committed === planSchemaText(), 'schemas/plan.schema.json is stale: run `npm run schemas` and commit the result');
});

test('the schema pins what the code pins: $id, formatVersion, the manager pattern', () => {
  const schema = JSON.parse(committed) as { $id: string; properties: { formatVersion: { const: number }; manager: { pattern: string } } };
  assert.equal(schema.$id, 'https://flowsync.dev/schemas/plan.schema.json');
  assert.equal(schema.properties.formatVersion.const, PLAN_FORMAT_VERSION);
  assert.equal(schema.properties.manager.pattern, MANAGER_RE.source);
});

test('a plan that uses every optional field the types declare reads back unchanged', () => {
  const base = parsePlanJson(golden);
  const [updateTarget, updateFlow, setState] = base.actions;
  assert.ok(updateTarget?.type === 'update-target-connection' && updateFlow?.type === 'update-flow' && setState?.type === 'set-flow-state');
  const lastWrite = { updatedAt: 1_767_225_600_000, updatedBy: 'someone@acme', updatedClient: 'UI' };
  const { sandbox, address, entityId, etag } = setState;
  const deleteSource: Action = { id: 'prod/profile-store/delete', type: 'delete-profile-store', change: 'delete', origin: 'prune', sandbox, address, dependsOn: [], summary: 'delete', entityId, etag, name: 'Profile Store', resource: 'source-connection' };
  const plan: Plan = {
    ...base,
    org: 'ACME@AdobeOrg',
    endpoint: 'https://platform.adobe.io',
    configDir: '/srv/aep',
    revision: '0123456789abcdef0123456789abcdef01234567',
    desiredHash: '0123456789ab',
    scope: ['prod'],
    actions: [
      { ...updateTarget, overwrites: { changes: [{ field: 'params.region', from: 'eu-west-1', to: 'eu-west-2' }], lastWrite } },
      { ...updateFlow, removeSegments: [{ id: 'c4e2a1f0-5b6d-4c3e-9a8b-7d6e5f4a3b22', index: 0, name: 'Old' }], overwrites: { changes: [{ field: 'state', to: 'enabled' }] } },
      setState,
      deleteSource,
    ],
    drift: [{ sandbox: 'prod', destination: 'summer-campaign', resource: 'destination', drift: 'warn', changes: [{ field: 'params.stream', from: 'a' }], lastWrite }],
    labels: [{ sandbox: 'prod', destination: 'summer-campaign', id: 'c4e2a1f0-5b6d-4c3e-9a8b-7d6e5f4a3b21', from: 'Newsletter', to: 'Weekly newsletter' }],
    unowned: [{ sandbox: 'prod', resource: 'flow', id: 'f1', name: 'hand-made' }],
    conflicts: [{ sandbox: 'prod', address: 'prod/destination/x', resource: 'destination', entity: 'flow', id: 'f2', name: 'x', manager: 'someone-else' }],
    orphans: [{ sandbox: 'dev', address: 'dev/account/y', resource: 'account', entity: 'base-connection', id: 'b1', name: 'y', reason: 'sandbox-not-in-config' }],
  };
  assert.deepEqual(parsePlanJson(JSON.stringify(plan)), plan);
});

test('the generated schema refuses what the types do not allow, naming the place', () => {
  refused((p) => (p.extra = 1), /\/ must NOT have additional properties/);
  refused((p) => (p.actions[0].extra = 1), /\/actions\/0 must NOT have additional properties/);
  refused((p) => (p.actions[1].addSegments[0].extra = 1), /\/actions\/1\/addSegments\/0 must NOT have additional properties/);
  refused((p) => (p.actions[0].changes[0].extra = 1), /\/actions\/0\/changes\/0 must NOT have additional properties/);
  refused((p) => (p.actions[0].type = 'rename-flow'), /\/actions\/0 value of tag "type" must be in oneOf/);
  refused((p) => delete p.actions[2].etag, /\/actions\/2 must have required property 'etag'/);
  refused((p) => (p.actions[2].to = 'paused'), /\/actions\/2\/to must be equal to one of the allowed values/);
  refused((p) => (p.actions[0].sandbox = ''), /\/actions\/0\/sandbox must NOT have fewer than 1 characters/);
  refused((p) => (p.actions[1].addSegments[0].id = ''), /\/actions\/1\/addSegments\/0\/id must NOT have fewer than 1 characters/);
  refused((p) => (p.actions[1].removeAttributes[0].index = 0.5), /\/actions\/1\/removeAttributes\/0\/index must be integer/);
  refused((p) => (p.actions[0].patch[0].path = 'description'), /\/actions\/0\/patch\/0\/path must match pattern "\^\/"/);
  refused((p) => (p.actions[0].patch[0].op = 'move'), /\/actions\/0\/patch\/0\/op must be equal to one of the allowed values/);
  refused((p) => (p.summary.update = -1), /\/summary\/update must be >= 0/);
  refused((p) => (p.sandboxes = ['']), /\/sandboxes\/0 must NOT have fewer than 1 characters/);
  refused((p) => (p.manager = 'has space'), /\/manager must match pattern/);
  refused((p) => (p.desiredHash = 'ABC'), /\/desiredHash must match pattern/);
});
