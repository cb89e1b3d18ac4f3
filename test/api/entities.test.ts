// The entity verbs against the emulator: pagination, GET unwrapping, If-Match, delete, actions, specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, kinesisConnection, profileConnection, KINESIS_SPEC, PROFILE_STORE_SPEC_ID } from './harness.ts';
import { isApiError } from '../../src/api/index.ts';
import { STREAMING_FLOW_SPEC_ID } from '../../src/domain/specs.ts';
import type { ApplyClient } from '../../src/apply/client.ts';
import { audienceSeeds } from '../helpers/audiences.ts';

test('list walks every page of 100 and keeps the filter across pages', async (t) => {
  const h = await harness(t, { client: { concurrency: 8 } });
  await Promise.all(Array.from({ length: 230 }, (_, i) => h.client.create('prod', 'connections', profileConnection(`ps-${i}`))));
  await h.client.create('prod', 'connections', kinesisConnection('k'));
  h.emu.admin.resetRequests();
  const all = await h.client.list<{ id: string; name: string }>('prod', 'connections', { property: [`connectionSpec.id==${PROFILE_STORE_SPEC_ID}`] });
  assert.equal(all.length, 230);
  assert.equal(new Set(all.map((c) => c.id)).size, 230, 'no entity twice');
  const pages = h.serviceRequests();
  assert.equal(pages.length, 3);
  for (const page of pages) {
    const q = new URLSearchParams(page.query);
    assert.equal(q.get('limit'), '100');
    assert.deepEqual(q.getAll('property'), [`connectionSpec.id==${PROFILE_STORE_SPEC_ID}`]);
  }
  assert.ok(new URLSearchParams(pages[2]!.query).get('continuationToken'));
  const small = await h.client.list('prod', 'connections', { limit: 500, orderby: 'name' });
  assert.equal(small.length, 231);
  assert.equal(new URLSearchParams(h.serviceRequests()[3]!.query).get('limit'), '100', 'never above the API maximum');
});

test('get unwraps the list envelope; create, patch and delete keep etags straight', async (t) => {
  const { client } = await harness(t);
  const created = await client.create('prod', 'connections', kinesisConnection('acct'));
  assert.match(created.etag, /^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{8}0000"$/);
  const got = await client.get<{ id: string; etag: string; name: string; auth: { params: Record<string, unknown> } }>('prod', 'connections', created.id);
  assert.equal(got?.id, created.id);
  assert.equal(got?.etag, created.etag);
  assert.equal(got?.auth.params.secretKey, undefined, 'the API never returns the secret');
  const unquoted = created.etag.slice(1, -1);
  const patched = await client.patch('prod', 'connections', created.id, unquoted, [{ op: 'replace', path: '/name', value: 'acct-2' }]);
  assert.notEqual(patched.etag, created.etag, 'the unquoted etag was quoted and accepted');
  assert.equal((await client.get<{ name: string }>('prod', 'connections', created.id))?.name, 'acct-2');
  await client.delete('prod', 'connections', created.id);
  assert.equal(await client.get('prod', 'connections', created.id), undefined);
  await client.delete('prod', 'connections', created.id); // already gone: fine
});

test('a flow: create, selector patch, disable and enable, each returning the new etag', async (t) => {
  const seg = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  const { client } = await harness(t, { emulator: { audiences: audienceSeeds([seg]) } });
  const base = await client.create('prod', 'connections', kinesisConnection('acct'));
  const profile = await client.create('prod', 'connections', profileConnection('ps'));
  const source = await client.create('prod', 'sourceConnections', {
    name: 'ps-src',
    baseConnectionId: profile.id,
    connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' },
    data: { format: 'json' },
    params: {},
  });
  const target = await client.create('prod', 'targetConnections', {
    name: 'orders',
    baseConnectionId: base.id,
    connectionSpec: { id: KINESIS_SPEC, version: '1.0' },
    data: { format: 'json' },
    params: { stream: 'orders', region: 'us-east-1' },
  });
  const flow = await client.create('prod', 'flows', {
    name: 'orders',
    flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [source.id],
    targetConnectionIds: [target.id],
    transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } }],
  });
  const p1 = await client.patch('prod', 'flows', flow.id, flow.etag, [
    { op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: seg } } },
  ]);
  const off = await client.flowAction('prod', flow.id, 'disable');
  assert.notEqual(off.etag, p1.etag);
  const state = await client.get<{ state: string; etag: string }>('prod', 'flows', flow.id);
  assert.equal(state?.state, 'disabled');
  assert.equal(state?.etag, off.etag);
  // The API refuses it (1422-400), but the flow is in the state asked for: done, nothing changed.
  assert.deepEqual(await client.flowAction('prod', flow.id, 'disable'), off);
  const on = await client.flowAction('prod', flow.id, 'enable');
  assert.equal((await client.get<{ state: string }>('prod', 'flows', flow.id))?.state, 'enabled');
  assert.ok(on.etag);
  // deleting a connection a flow uses is refused with the API's reason
  await assert.rejects(client.delete('prod', 'targetConnections', target.id), (err) => isApiError(err, 'FS_API_REQUEST') && err.adobeCode === '1447-400');
});

test('the catalog: connection specs and flow specs', async (t) => {
  const { client } = await harness(t);
  const specs = await client.connectionSpecs();
  assert.ok(specs.some((s) => s.id === KINESIS_SPEC && typeof s.name === 'string'));
  const flowSpecs = await client.flowSpecs();
  const streaming = flowSpecs.find((s) => s.id === STREAMING_FLOW_SPEC_ID);
  assert.ok(streaming?.targetConnectionSpecIds?.includes(KINESIS_SPEC));
});

test('the client is what apply codes against (a type-level check, run by the typecheck)', async (t) => {
  const { client } = await harness(t);
  const seam: ApplyClient = client;
  assert.equal(typeof seam.flowAction, 'function');
});
