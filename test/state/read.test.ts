// readLiveState against the emulator: what it reads, how many requests it costs, and how it parses
// selectors, out-of-band edits, masked secrets and entities flowsync must ignore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, kinesisConnection, profileConnection, KINESIS_SPEC, EVENT_HUBS_SPEC, PROFILE_STORE_SPEC_ID } from '../api/harness.ts';
import type { FlowServiceClient } from '../../src/api/index.ts';
import { readLiveState, readLiveSandbox, parseFlow, LIVE_QUERIES } from '../../src/state/index.ts';
import { STREAMING_FLOW_SPEC_ID } from '../../src/domain/specs.ts';
import { audienceSeeds, TEST_AUDIENCES } from '../helpers/audiences.ts';

const SEG_A = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const SEG_B = '11111111-2222-3333-4444-555555555555';

/** One Kinesis destination (base, profile base, source, target, flow) in a sandbox; returns the ids. */
async function seedDestination(client: FlowServiceClient, sandbox: string, name: string, shared?: { profile: string; source: string }) {
  const base = await client.create(sandbox, 'connections', kinesisConnection(`${name}-acct`, `secret-of-${name}`));
  let profile = shared?.profile;
  let source = shared?.source;
  if (!profile || !source) {
    profile = (await client.create(sandbox, 'connections', profileConnection('profile-store'))).id;
    source = (
      await client.create(sandbox, 'sourceConnections', {
        name: 'profile-store-source',
        baseConnectionId: profile,
        connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' },
        data: { format: 'json' },
        params: {},
      })
    ).id;
  }
  const target = await client.create(sandbox, 'targetConnections', {
    name,
    baseConnectionId: base.id,
    connectionSpec: { id: KINESIS_SPEC, version: '1.0' },
    data: { format: 'json' },
    params: { stream: `${name}-stream`, region: 'us-east-1' },
  });
  const flow = await client.create(sandbox, 'flows', {
    name,
    description: `[flowsync:destination/${name} h=1]`,
    flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [source],
    targetConnectionIds: [target.id],
    transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } }],
  });
  return { base: base.id, profile, source, target: target.id, flow: flow.id, flowEtag: flow.etag };
}

test('a sandbox is read into the live model with its selectors, connections and last writers', async (t) => {
  const { client, emu } = await harness(t, { emulator: { audiences: [...TEST_AUDIENCES, ...audienceSeeds([SEG_A, SEG_B])] } });
  const ids = await seedDestination(client, 'prod', 'orders');
  await client.patch('prod', 'flows', ids.flow, ids.flowEtag, [
    { op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: SEG_B, name: 'B' } } },
    { op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: SEG_A } } },
    { op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value: { type: 'JSON_PATH', value: { path: 'person.name.firstName', operator: 'EXISTS' } } },
  ]);
  // someone removes segment B in the AEP UI
  emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: ids.flow, ops: [{ op: 'remove', path: '/transformations/0/params/segmentSelectors/selectors/0' }] });

  const live = await readLiveState(client, ['prod']);
  const sandbox = live.sandboxes.prod!;
  assert.deepEqual(Object.keys(live.sandboxes), ['prod']);
  assert.deepEqual(sandbox.baseConnections.map((c) => [c.name, c.specId]).sort(), [
    ['orders-acct', KINESIS_SPEC],
    ['profile-store', PROFILE_STORE_SPEC_ID],
  ]);
  const acct = sandbox.baseConnections.find((c) => c.id === ids.base)!;
  assert.equal(acct.authParams.accessKeyId, 'AKIATEST');
  assert.notEqual(acct.authParams.secretKey, 'secret-of-orders', 'masked or absent, never the secret');
  assert.equal(acct.description, 'orders-acct [flowsync:account/orders-acct]');
  assert.deepEqual(
    sandbox.sourceConnections.map((c) => [c.id, c.baseConnectionId, c.specId]),
    [[ids.source, ids.profile, PROFILE_STORE_SPEC_ID]],
  );
  const target = sandbox.targetConnections[0]!;
  assert.deepEqual([target.id, target.baseConnectionId, target.format, target.params], [ids.target, ids.base, 'json', { stream: 'orders-stream', region: 'us-east-1' }]);
  const flow = sandbox.flows[0]!;
  assert.equal(sandbox.flows.length, 1);
  assert.deepEqual(flow.segments, [{ index: 0, id: SEG_A }]);
  assert.deepEqual(flow.profileAttributes, [{ index: 0, path: 'person.name.firstName' }]);
  assert.deepEqual([flow.sourceConnectionIds, flow.targetConnectionIds, flow.state, flow.flowSpecId], [[ids.source], [ids.target], 'enabled', STREAMING_FLOW_SPEC_ID]);
  assert.equal(flow.lastWrite.updatedBy, 'ui-user@AdobeID');
  assert.equal(flow.lastWrite.updatedClient, 'exc_app');
  assert.equal(acct.lastWrite.updatedBy, 'flowsync-emulator@AdobeID');

  // the per-entity parser gives the same answer for a single GET (what apply uses after a 412)
  assert.deepEqual(parseFlow(await client.get('prod', 'flows', ids.flow), 'prod'), flow);
});

test('reading costs exactly one list page per collection and sandbox when nothing is large', async (t) => {
  const h = await harness(t);
  await seedDestination(h.client, 'prod', 'a');
  await seedDestination(h.client, 'dev', 'b');
  h.emu.admin.resetRequests();
  h.emu.admin.addSandbox('empty');
  const live = await readLiveState(h.client, ['prod', 'dev', 'empty']);
  assert.deepEqual(Object.keys(live.sandboxes), ['dev', 'empty', 'prod']);
  assert.equal(live.sandboxes.empty!.flows.length, 0);
  const requests = h.serviceRequests();
  assert.equal(requests.length, 4 * 3);
  assert.ok(requests.every((r) => r.method === 'GET' && r.status === 200));
  // every request is a filtered list walk at the largest page; no GET by id
  for (const r of requests) {
    const collection = r.path.split('/').pop() as keyof typeof LIVE_QUERIES;
    assert.ok(collection in LIVE_QUERIES, r.path);
    const q = new URLSearchParams(r.query);
    assert.equal(q.get('limit'), '100');
    assert.deepEqual(q.getAll('property'), [...LIVE_QUERIES[collection]]);
  }
});

test('the request count equals the list-page minimum for a sandbox with 150 destinations', async (t) => {
  const h = await harness(t, { client: { concurrency: 8 } });
  const shared = await seedDestination(h.client, 'prod', 'd-0');
  await Promise.all(Array.from({ length: 149 }, (_, i) => seedDestination(h.client, 'prod', `d-${i + 1}`, { profile: shared.profile, source: shared.source })));
  h.emu.admin.resetRequests();
  const sandbox = await readLiveSandbox(h.client, 'prod');
  assert.equal(sandbox.flows.length, 150);
  assert.equal(sandbox.targetConnections.length, 150);
  assert.equal(sandbox.baseConnections.length, 151);
  assert.equal(sandbox.sourceConnections.length, 1);
  // ceil(151/100) + ceil(1/100) + ceil(150/100) + ceil(150/100)
  assert.equal(h.serviceRequests().length, 2 + 1 + 2 + 2);
});

test('an Event Hubs account is read with its secret masked or absent', async (t) => {
  const h = await harness(t);
  await seedDestination(h.client, 'prod', 'orders');
  await h.client.create('prod', 'connections', {
    name: 'eh-acct',
    connectionSpec: { id: EVENT_HUBS_SPEC, version: '1.0' },
    auth: { specName: 'Azure EventHub authentication credentials', params: { sasKeyName: 'RootManage', sasKey: 'eh-secret-value', namespace: 'ns1' } },
  });
  const live = await readLiveSandbox(h.client, 'prod');
  const eh = live.baseConnections.find((c) => c.name === 'eh-acct')!;
  assert.equal(eh.specId, EVENT_HUBS_SPEC);
  assert.equal(eh.authParams.namespace, 'ns1');
  assert.notEqual(eh.authParams.sasKey, 'eh-secret-value');
  assert.equal(live.flows.length, 1);
});

test('a storm of 5xx, 429 and dropped connections still reads the same state', async (t) => {
  const h = await harness(t, { client: { concurrency: 8, maxRetries: 8, breaker: { failureThreshold: 50, cooldownMs: 1_000 } } });
  const shared = await seedDestination(h.client, 'prod', 'd-0');
  await Promise.all(Array.from({ length: 120 }, (_, i) => seedDestination(h.client, 'prod', `d-${i + 1}`, { profile: shared.profile, source: shared.source })));
  const calm = await readLiveState(h.client, ['prod']);
  h.emu.admin.setFaults({ errorRate: 0.25, errorStatuses: [500, 502, 503, 504], throttleRate: 0.1, retryAfterSeconds: 2, dropRate: 0.1, seed: 42 });
  h.emu.admin.resetRequests();
  const stormy = await readLiveState(h.client, ['prod']);
  assert.deepEqual(stormy, calm);
  const statuses = h.serviceRequests().map((r) => r.status);
  for (const s of [0, 429]) assert.ok(statuses.includes(s), `the storm included ${s}`);
  assert.ok(statuses.some((s) => s >= 500));
  assert.equal(statuses.filter((s) => s === 200).length, 2 + 1 + 2 + 2, 'every page was read exactly once successfully');
});

test('entities an API returns despite the filters (other specs, source dataflows) are left out', async () => {
  // The emulator honours every filter and knows only the streaming flow spec, so an API that ignores
  // a filter is simulated at the list seam (the one place readLiveSandbox touches the client).
  const etag = '"e"';
  const answers: Record<string, unknown[]> = {
    connections: [
      { id: 'c1', etag, connectionSpec: { id: KINESIS_SPEC } },
      { id: 'c2', etag, connectionSpec: { id: 'some-crm-spec' } },
    ],
    sourceConnections: [
      { id: 's1', etag, connectionSpec: { id: PROFILE_STORE_SPEC_ID } },
      { id: 's2', etag, connectionSpec: { id: KINESIS_SPEC } }, // a Kinesis *source*
    ],
    targetConnections: [{ id: 't1', etag, connectionSpec: { id: EVENT_HUBS_SPEC } }],
    flows: [
      { id: 'f1', etag, flowSpec: { id: STREAMING_FLOW_SPEC_ID }, inheritedAttributes: { properties: { isDestinationFlow: true } } },
      { id: 'f2', etag, flowSpec: { id: 'd69717ba-71b4-4313-b654-49f9cf126d7a' } },
      { id: 'f3', etag, flowSpec: { id: STREAMING_FLOW_SPEC_ID }, inheritedAttributes: { properties: { isDestinationFlow: false } } },
    ],
  };
  const asked: Array<[string, unknown]> = [];
  const lister = {
    listEach: async <T,>(sandbox: string, collection: string, query: unknown, keep: (item: unknown) => T | undefined): Promise<T[]> => {
      asked.push([`${sandbox}/${collection}`, query]);
      return (answers[collection] ?? []).map(keep).filter((x): x is T => x !== undefined);
    },
  };
  const live = await readLiveSandbox(lister, 'prod');
  assert.deepEqual(live.baseConnections.map((c) => c.id), ['c1']);
  assert.deepEqual(live.sourceConnections.map((c) => c.id), ['s1']);
  assert.deepEqual(live.targetConnections.map((c) => c.id), ['t1']);
  assert.deepEqual(live.flows.map((f) => f.id), ['f1']);
  assert.equal(asked.length, 4);
});
