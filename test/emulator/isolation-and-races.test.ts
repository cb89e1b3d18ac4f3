// Scoping by (org, sandbox), the 412 race between two clients, and out-of-band edits made "in the UI".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFor, makeFlow, startForTest } from './helpers.ts';
import { audienceSeeds } from '../helpers/audiences.ts';

const OTHER_ORG = 'ABCDEF0123456789ABCDEF01@AdobeOrg';

test('entities are scoped by org and sandbox: another org or sandbox never sees them', async (t) => {
  const emu = await startForTest(t, { clients: { 'other-org-client': OTHER_ORG } });
  const prod = await apiFor(emu);
  const dev = await apiFor(emu, { sandbox: 'dev' });
  const otherOrg = await apiFor(emu, { org: OTHER_ORG, clientId: 'other-org-client' });
  const { flowId, baseId, targetId, etag } = await makeFlow(prod);
  for (const api of [dev, otherOrg]) {
    for (const [kind, id] of [['flows', flowId], ['connections', baseId], ['targetConnections', targetId]] as const) {
      assert.equal((await api('GET', `/${kind}/${id}`)).status, 404);
      assert.equal((await api('GET', `/${kind}?property=id==${id}&count=true`)).body.count, 0);
      assert.equal((await api('DELETE', `/${kind}/${id}`)).status, 404);
    }
    assert.equal((await api('GET', '/flows')).body.items.length, 0);
    assert.equal((await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'x' }], { 'if-match': etag })).status, 404);
  }
  const devFlow = await makeFlow(dev);
  assert.equal((await prod('GET', '/flows?count=true')).body.count, 1);
  assert.equal((await dev('GET', '/flows?count=true')).body.count, 1);
  const got = (await dev('GET', `/flows/${devFlow.flowId}`)).body.items[0];
  assert.equal(got.sandboxName, 'dev');
  assert.notEqual(got.sandboxId, (await prod('GET', `/flows/${flowId}`)).body.items[0].sandboxId);
  assert.equal((await otherOrg('GET', '/flows?count=true')).body.count, 0);
});

const SEGMENT_IDS: Record<string, string> = { 'from-alice': '9f1c3a55-0d44-4c7e-b1aa-2b7e0d5f6a11', 'from-bob': 'c4e2a1f0-5b6d-4c3e-9a8b-7d6e5f4a3b21' };
const UI_ADDED = '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02';

test('two clients race on one etag: exactly one PATCH wins, the other gets 412 and succeeds after a re-read', async (t) => {
  const emu = await startForTest(t, { transitionMs: 0, audiences: audienceSeeds(Object.values(SEGMENT_IDS)) }); // back-to-back writes to one flow
  const alice = await apiFor(emu);
  const bob = await apiFor(emu, { clientId: 'bob-client' });
  const { flowId, etag } = await makeFlow(alice);
  const add = (id: string) => [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: SEGMENT_IDS[id] } } }];
  const [a, b] = await Promise.all([alice('PATCH', `/flows/${flowId}`, add('from-alice'), { 'if-match': etag }), bob('PATCH', `/flows/${flowId}`, add('from-bob'), { 'if-match': etag })]);
  assert.deepEqual([a.status, b.status].sort(), [200, 412]);
  const loser = a.status === 412 ? { api: alice, id: 'from-alice' } : { api: bob, id: 'from-bob' };
  const fresh = (await loser.api('GET', `/flows/${flowId}`)).body.items[0];
  const retry = await loser.api('PATCH', `/flows/${flowId}`, add(loser.id), { 'if-match': fresh.etag });
  assert.equal(retry.status, 200);
  const flow = (await alice('GET', `/flows/${flowId}`)).body.items[0];
  assert.deepEqual(flow.transformations[0].params.segmentSelectors.selectors.map((s: { value: { id: string } }) => s.value.id).sort(), [SEGMENT_IDS['from-alice'], SEGMENT_IDS['from-bob']].sort());
  assert.equal(flow.updatedBy, loser.id === 'from-bob' ? 'bob-client@AdobeID' : 'flowsync-emulator@AdobeID');
});

test('out-of-band edits look like a person in the AEP UI: new etag, ui user, exc_app client, lastOperation', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const { flowId, etag, targetId } = await makeFlow(api);
  const edited = emu.admin.outOfBandEdit({
    sandbox: 'prod', collection: 'flows', id: flowId,
    ops: [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: UI_ADDED } } }],
  });
  assert.notEqual(edited.etag, etag);
  assert.equal(edited.updatedBy, 'ui-user@AdobeID');
  assert.equal(edited.updatedClient, 'exc_app');
  assert.equal(edited.createdBy, 'flowsync-emulator@AdobeID');
  const flow = (await api('GET', `/flows/${flowId}`)).body.items[0];
  assert.equal(flow.etag, edited.etag);
  assert.equal(flow.transformations[0].params.segmentSelectors.selectors[0].value.id, UI_ADDED);
  assert.equal(flow.lastOperation.ops[0].path, '/transformations/0/params/segmentSelectors/selectors/-');
  // the client's old etag is now stale
  assert.equal((await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'x' }], { 'if-match': etag })).status, 412);

  // the same through the admin HTTP route, on a target connection
  const res = await fetch(`${emu.url}/__emulator/edit`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sandbox: 'prod', collection: 'targetConnections', id: targetId, ops: [{ op: 'replace', path: '/params/stream', value: 'changed-in-ui' }] }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { params: { stream: string }; updatedBy: string };
  assert.equal(body.params.stream, 'changed-in-ui');
  assert.equal(body.updatedBy, 'ui-user@AdobeID');
  // an edit the UI would refuse is refused here too, with the API's error
  const bad = await fetch(`${emu.url}/__emulator/edit`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sandbox: 'prod', collection: 'flows', id: flowId, ops: [{ op: 'remove', path: '/nope' }] }),
  });
  assert.equal(bad.status, 400);
  assert.throws(() => emu.admin.outOfBandEdit({ sandbox: 'dev', collection: 'flows', id: flowId, ops: [{ op: 'replace', path: '/name', value: 'x' }] }), /not found/);
  // a person may also disable a dataflow in the UI
  const disabled = emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flowId, ops: [{ op: 'replace', path: '/state', value: 'disabled' }] });
  assert.equal(disabled.state, 'disabled');
  assert.equal((await api('GET', `/flows/${flowId}`)).body.items[0].state, 'disabled');
  assert.throws(() => emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flowId, ops: [{ op: 'replace', path: '/state', value: 'paused' }] }), /enabled/);
  assert.throws(() => emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flowId, ops: [{ op: 'replace', path: '/etag', value: 'x' }] }), /read-only/);
});
