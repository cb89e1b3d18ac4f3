// Validation, etags and delete rules of connections, source/target connections and flows, each with the
// documented status and error shape. Tests that chain writes to one flow turn the asynchronous flow
// operations off (transitionMs 0); test/emulator/flow-transitions.test.ts covers them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_HUBS, KINESIS, PROFILE_STORE_SPEC_ID, apiFor, eventHubsAuth, flowBody, kinesisAuth, kinesisTarget, makeFlow, profileSource, Raw, startForTest, type Reply } from './helpers.ts';
import { audienceSeeds } from '../helpers/audiences.ts';

function assertFlowError(res: Reply, status: number, code: string, messagePart?: RegExp) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.type, `https://ns.adobe.com/aep/errors/FLOW-${code}-${status}`, res.text);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(res.body.errorMessage, res.body.report['detailed-message']);
  assert.equal(res.body.errorDetails, res.body.errorMessage);
  if (messagePart) assert.match(res.body.errorMessage, messagePart);
}

test('base connection create: unknown spec, missing version, bad auth params and auth spec name', async (t) => {
  const api = await apiFor(await startForTest(t));
  const unknown = await api('POST', '/connections', { name: 'x', connectionSpec: { id: 'nope', version: '1.0' }, auth: kinesisAuth() });
  assert.equal(unknown.status, 400);
  assert.deepEqual(unknown.body, { message: 'Please provide a valid spec id' });
  const noVersion = await api('POST', '/connections', { name: 'x', connectionSpec: { id: KINESIS }, auth: kinesisAuth() });
  assertFlowError(noVersion, 422, '1100', /connectionSpec.version/);
  const missingSecret = await api('POST', '/connections', { name: 'x', connectionSpec: { id: KINESIS, version: '1.0' }, auth: { specName: kinesisAuth().specName, params: { accessKeyId: 'a', region: 'us-east-1' } } });
  assertFlowError(missingSecret, 400, '1100', /secretKey/);
  const badRegion = await api('POST', '/connections', { name: 'x', connectionSpec: { id: KINESIS, version: '1.0' }, auth: { specName: kinesisAuth().specName, params: { ...kinesisAuth().params, region: 'Mars' } } });
  assertFlowError(badRegion, 400, '1100', /region/);
  const wrongSpecName = await api('POST', '/connections', { name: 'x', connectionSpec: { id: KINESIS, version: '1.0' }, auth: eventHubsAuth() });
  assertFlowError(wrongSpecName, 400, '1100', /Azure EventHub authentication credentials/);
  const noName = await api('POST', '/connections', { connectionSpec: { id: KINESIS, version: '1.0' }, auth: kinesisAuth() });
  assertFlowError(noName, 400, '1100', /name/);
});

test('request body: content type required, JSON must parse', async (t) => {
  const api = await apiFor(await startForTest(t));
  const noCt = await api('POST', '/connections', { name: 'x' }, { 'content-type': 'text/plain' });
  assert.equal(noCt.status, 400);
  assert.deepEqual(noCt.body, { type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' });
  const broken = await api('POST', '/connections', new Raw('{"name":'));
  assertFlowError(broken, 400, '1100', /not valid JSON/);
  const notObject = await api('POST', '/connections', [1, 2]);
  assertFlowError(notObject, 400, '1100', /JSON object/);
  const notPatch = await api('PATCH', '/connections/x', { op: 'add' }, { 'if-match': '"x"' });
  assertFlowError(notPatch, 404, '1439');
});

test('target and source connections: base must exist and share the connection spec; params match the target spec', async (t) => {
  const api = await apiFor(await startForTest(t));
  const { baseId } = await kinesisTarget(api);
  const mismatch = await api('POST', '/targetConnections', { name: 't', baseConnectionId: baseId, connectionSpec: { id: EVENT_HUBS, version: '1.0' }, data: { format: 'json' }, params: { eventHubName: 'h' } });
  assertFlowError(mismatch, 400, '1100', /does not match/);
  const missingBase = await api('POST', '/targetConnections', { name: 't', baseConnectionId: '00000000-0000-0000-0000-000000000000', connectionSpec: { id: KINESIS, version: '1.0' }, params: { stream: 's', region: 'us-east-1' } });
  assertFlowError(missingBase, 400, '1430', /not found/);
  const badParams = await api('POST', '/targetConnections', { name: 't', baseConnectionId: baseId, connectionSpec: { id: KINESIS, version: '1.0' }, data: { format: 'json' }, params: { region: 'us-east-1' } });
  assertFlowError(badParams, 400, '1100', /stream/);
  const srcOnKinesis = await api('POST', '/sourceConnections', { name: 's', baseConnectionId: baseId, connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' } });
  assertFlowError(srcOnKinesis, 400, '1100', /does not match/);
  const srcId = await profileSource(api);
  const src = await api('GET', `/sourceConnections/${srcId}`);
  assert.deepEqual(src.body.items[0].typeInfo, { type: 'ProfileFragments', id: 'ups' });
  assert.equal(src.body.items[0].inheritedAttributes.baseConnection.connectionSpec.id, PROFILE_STORE_SPEC_ID);
});

test('flow create: state is refused (1410), unknown flow spec, missing or foreign connections (1430)', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const dev = await apiFor(emu, { sandbox: 'dev' });
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);
  assertFlowError(await api('POST', '/flows', flowBody('f', sourceId, targetId, { state: 'enabled' })), 400, '1410');
  const badSpec = await api('POST', '/flows', { ...flowBody('f', sourceId, targetId), flowSpec: { id: 'd69717ba-71b4-4313-b654-49f9cf126d7a', version: '1.0' } });
  assert.deepEqual(badSpec.body, { message: 'Please provide a valid spec id' });
  assertFlowError(await api('POST', '/flows', flowBody('f', sourceId, 'missing')), 400, '1430', /target connection missing/);
  assertFlowError(await dev('POST', '/flows', flowBody('f', sourceId, targetId)), 400, '1430', /not found in this sandbox/);
  assertFlowError(await api('POST', '/flows', flowBody('f', targetId, sourceId)), 400, '1430');
  assertFlowError(await api('POST', '/flows', { ...flowBody('f', sourceId, targetId), targetConnectionIds: [] }), 400, '1100');
});

test('PATCH: If-Match missing 1403, stale or unquoted 412 with the documented body', async (t) => {
  const api = await apiFor(await startForTest(t));
  const { flowId, etag } = await makeFlow(api);
  const ops = [{ op: 'replace', path: '/name', value: 'renamed' }];
  assertFlowError(await api('PATCH', `/flows/${flowId}`, ops), 400, '1403', /If-Match/);
  const unquoted = await api('PATCH', `/flows/${flowId}`, ops, { 'if-match': etag.slice(1, -1) });
  assert.equal(unquoted.status, 412);
  const ok = await api('PATCH', `/flows/${flowId}`, ops, { 'if-match': etag });
  assert.equal(ok.status, 200);
  assert.deepEqual(Object.keys(ok.body).sort(), ['etag', 'id']);
  const stale = await api('PATCH', `/flows/${flowId}`, ops, { 'if-match': etag });
  assertFlowError(stale, 412, '1404');
  assert.equal(stale.body.errorMessage, `Supplied version=[${etag}] does not match the current version on entity=[${ok.body.etag}]`);
});

test('PATCH: ops apply in order and atomically; bad paths 1455, read-only fields, move 1434, spec change 1414', async (t) => {
  const segId = (id: string) => `${id.repeat(8)}-0000-4000-8000-000000000000`;
  const api = await apiFor(await startForTest(t, { transitionMs: 0, audiences: audienceSeeds(['a', 'b', 'c'].map(segId)) }));
  const { flowId, etag, baseId } = await makeFlow(api);
  const seg = (id: string) => ({ type: 'PLATFORM_SEGMENT', value: { id: segId(id) } });
  const path = '/transformations/0/params/segmentSelectors/selectors';
  let res = await api('PATCH', `/flows/${flowId}`, ['a', 'b', 'c'].map((id) => ({ op: 'add', path: `${path}/-`, value: seg(id) })), { 'if-match': etag });
  assert.equal(res.status, 200);
  // RFC 6902: remove /0 then /1 removes the original #0 and #2
  res = await api('PATCH', `/flows/${flowId}`, [{ op: 'remove', path: `${path}/0`, value: {} }, { op: 'REMOVE', path: `${path}/1`, value: {} }], { 'if-match': res.body.etag });
  assert.equal(res.status, 200);
  let flow = (await api('GET', `/flows/${flowId}`)).body.items[0];
  assert.deepEqual(flow.transformations[0].params.segmentSelectors.selectors.map((s: { value: { id: string } }) => s.value.id[0]), ['b']);
  const before = flow.etag;
  const partial = await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'changed' }, { op: 'replace', path: '/transformations/0/params/nope/selectors', value: [] }], { 'if-match': before });
  assertFlowError(partial, 400, '1455', /nope/);
  flow = (await api('GET', `/flows/${flowId}`)).body.items[0];
  assert.equal(flow.name, 'flow');
  assert.equal(flow.etag, before);
  assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'remove', path: `${path}/5`, value: {} }], { 'if-match': before }), 400, '1455');
  assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/etag', value: 'x' }], { 'if-match': before }), 400, '1455', /read-only/);
  assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/state', value: 'disabled' }], { 'if-match': before }), 400, '1455');
  assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'move', from: '/name', path: '/description' }], { 'if-match': before }), 400, '1434');
  assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/targetConnectionIds', value: ['gone'] }], { 'if-match': before }), 400, '1430');
  const base = (await api('GET', `/connections/${baseId}`)).body.items[0];
  assertFlowError(await api('PATCH', `/connections/${baseId}`, [{ op: 'replace', path: '/connectionSpec/id', value: EVENT_HUBS }], { 'if-match': base.etag }), 400, '1414');
});

test('credential rotation and target params: PATCH base and target connections; secrets never read back', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const { baseId, targetId } = await kinesisTarget(api);
  const base = (await api('GET', `/connections/${baseId}`)).body.items[0];
  assert.deepEqual(base.auth.params, { accessKeyId: 'AKIAEXAMPLE', region: 'us-east-1' });
  const rotated = await api('PATCH', `/connections/${baseId}`, [{ op: 'replace', path: '/auth/params', value: { accessKeyId: 'AKIANEW', secretKey: 'new-secret', region: 'eu-west-1' } }], { 'if-match': base.etag });
  assert.equal(rotated.status, 200);
  const after = await api('GET', `/connections?property=id==${baseId}`);
  assert.deepEqual(after.body.items[0].auth.params, { accessKeyId: 'AKIANEW', region: 'eu-west-1' });
  assert.ok(!after.text.includes('new-secret'));
  const stored = emu.admin.snapshot({ includeSecrets: true }).scopes[`${'EMULATOR0000000000000000@AdobeOrg'}/prod`]?.connections.find((c) => c.id === baseId);
  assert.equal((stored?.auth as { params: Record<string, string> }).params.secretKey, 'new-secret');
  assert.ok(!JSON.stringify(emu.admin.snapshot()).includes('new-secret'), 'the default snapshot is redacted');
  const probe = await api('GET', '/connections?property=auth.params.secretKey==new-secret');
  assert.equal(probe.body.items.length, 0, 'secrets cannot be probed with filters');
  const invalid = await api('PATCH', `/connections/${baseId}`, [{ op: 'remove', path: '/auth/params/secretKey', value: '' }], { 'if-match': rotated.body.etag });
  assertFlowError(invalid, 400, '1100', /secretKey/);
  const target = (await api('GET', `/targetConnections/${targetId}`)).body.items[0];
  const tp = await api('PATCH', `/targetConnections/${targetId}`, [{ op: 'replace', path: '/params', value: { stream: 'other', region: 'us-east-1' } }], { 'if-match': target.etag });
  assert.equal(tp.status, 200);
  assert.equal((await api('GET', `/targetConnections/${targetId}`)).body.items[0].params.stream, 'other');
  assertFlowError(await api('PATCH', `/targetConnections/${targetId}`, [{ op: 'remove', path: '/params/stream', value: '' }], { 'if-match': tp.body.etag }), 400, '1100');
});

const S1 = '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02';

test('flow lastOperation records ops without secrets; segment selectors get createTime/updateTime', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0, runIntervalMs: 0 })); // no runs (runs.test.ts)
  const { flowId, etag } = await makeFlow(api);
  await api('PATCH', `/flows/${flowId}`, [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: S1 } } }], { 'if-match': etag });
  const flow = (await api('GET', `/flows/${flowId}`)).body.items[0];
  const value = flow.transformations[0].params.segmentSelectors.selectors[0].value;
  assert.match(value.createTime, /^\d{10}$/);
  assert.equal(value.updateTime, value.createTime);
  assert.deepEqual(flow.lastOperation.ops, [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: S1 } } }]);
  assert.equal(flow.lastOperation.status.value, 'completed');
  assert.equal(flow.runs, `/runs?property=flowId==${flowId}`);
  const runs = await api('GET', `/runs?property=flowId==${flowId}`);
  assert.deepEqual(runs.body, { items: [] });
});

test('actions: op any case, illegal transitions 1422, If-Match optional but checked', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  const { flowId, etag } = await makeFlow(api);
  assertFlowError(await api('POST', `/flows/${flowId}/action?op=enable`), 400, '1422', /action enable cannot be applied on the current state enabled/);
  const off = await api('POST', `/flows/${flowId}/action?op=DISABLE`, undefined, { 'if-match': etag });
  assert.equal(off.status, 200);
  assert.notEqual(off.body.etag, etag);
  assert.equal((await api('GET', `/flows/${flowId}`)).body.items[0].state, 'disabled');
  assertFlowError(await api('POST', `/flows/${flowId}/action?op=Disable`), 400, '1422');
  assert.equal((await api('POST', `/flows/${flowId}/action?op=enable`, undefined, { 'if-match': etag })).status, 412);
  assert.equal((await api('POST', `/flows/${flowId}/action?op=Enable`)).status, 200);
  assertFlowError(await api('POST', `/flows/${flowId}/action?op=publish`), 400, '1100');
  assertFlowError(await api('POST', '/flows/nope/action?op=enable'), 404, '1439');
});

test('delete: 202 with empty body, then 404; in-use connections refuse (1447, 1418) until the flow is gone', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 })); // delete-finalizing: flow-transitions.test.ts
  const { flowId, baseId, targetId, sourceId } = await makeFlow(api);
  assertFlowError(await api('DELETE', `/connections/${baseId}`), 400, '1418', /Delete the flows first/);
  assertFlowError(await api('DELETE', `/targetConnections/${targetId}`), 400, '1447');
  assertFlowError(await api('DELETE', `/sourceConnections/${sourceId}`), 400, '1447');
  const del = await api('DELETE', `/flows/${flowId}`);
  assert.equal(del.status, 202);
  assert.equal(del.text, '');
  const gone = await api('GET', `/flows/${flowId}`, undefined, { 'x-request-id': 'req-123' });
  assertFlowError(gone, 404, '1439');
  assert.equal(gone.headers.get('x-request-id'), 'req-123');
  assert.equal(gone.body.report['request-id'], 'req-123');
  assert.equal(gone.body.report.id, flowId);
  assert.equal((await api('GET', '/flows')).headers.get('x-request-id'), null, 'no id is invented');
  assert.equal(gone.body.errorMessage, `flows not found with id = [${flowId}]`);
  assert.equal((await api('DELETE', `/connections/${baseId}`)).status, 202);
  assert.equal((await api('DELETE', `/targetConnections/${targetId}`)).status, 202);
  assertFlowError(await api('DELETE', `/targetConnections/${targetId}`), 404, '1439', /targetConnections not found/);
});
