// Raw back-to-back writes to one flow: transitions off (the flow-transition rules have their own tests).
// Issue 13 #4-#6: the emulator refuses what Adobe's spec and docs refuse (limits, If-Match, spec versions,
// target params, selectors, JSON Patch ops, content types) and accepts what Adobe's own client sends
// (If-Match as a query parameter). Each rule is exercised over HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KINESIS, STREAMING_FLOW_SPEC_ID, apiFor, flowBody, kinesisAuth, kinesisTarget, makeFlow, profileSource, startForTest, httpCall, type Reply } from './helpers.ts';
import { harness } from '../api/harness.ts';
import { audienceSeeds } from '../helpers/audiences.ts';

const SEGMENTS = '/transformations/0/params/segmentSelectors/selectors';
const ATTRIBUTES = '/transformations/0/params/profileSelectors/selectors';
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const segment = (id: string) => ({ type: 'PLATFORM_SEGMENT', value: { id } });
const addSegment = (id: string) => ({ op: 'add', path: `${SEGMENTS}/-`, value: segment(id) });

function assertFlowError(res: Reply, status: number, code: string, messagePart?: RegExp) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.type, `https://ns.adobe.com/aep/errors/FLOW-${code}-${status}`, res.text);
  if (messagePart) assert.match(res.body.errorMessage, messagePart);
}

const CONTENT_TYPE_ERROR = { type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' };

test('#4 limit above the documented maximum of 100 is refused, not capped', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  assertFlowError(await api('GET', '/flows?limit=101'), 400, '1452', /limit/);
  assertFlowError(await api('GET', '/connections?limit=500'), 400, '1452', /100/);
  assert.equal((await api('GET', '/flows?limit=100')).status, 200);
});

test('#4 If-Match: * is refused with 412: only the entity\'s own etag matches', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  const { flowId } = await makeFlow(api);
  assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'x' }], { 'if-match': '*' }), 412, '1404');
  assertFlowError(await api('POST', `/flows/${flowId}/action?op=disable`, undefined, { 'if-match': '*' }), 412, '1404');
  assertFlowError(await api('DELETE', `/flows/${flowId}`, undefined, { 'if-match': '*' }), 412, '1404');
});

test('#4 unknown connectionSpec and flowSpec versions are refused with 422', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  assertFlowError(await api('POST', '/connections', { name: 'k', connectionSpec: { id: KINESIS, version: '9.9' }, auth: kinesisAuth() }), 422, '1100', /9\.9/);
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);
  const body = flowBody('f', sourceId, targetId, { flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '2.0' } });
  assertFlowError(await api('POST', '/flows', body), 422, '1100', /2\.0/);
});

test('#4 target params outside the catalog schema and a data.format other than json are refused', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  const { baseId, targetId } = await kinesisTarget(api);
  const target = (params: object, data: object = { format: 'json' }) => ({ name: 't', baseConnectionId: baseId, connectionSpec: { id: KINESIS, version: '1.0' }, data, params });
  assertFlowError(await api('POST', '/targetConnections', target({ stream: 's', region: 'us-east-1', streem: 'typo' })), 400, '1100', /streem/);
  assertFlowError(await api('POST', '/targetConnections', target({ stream: 's', region: 'us-east-1' }, { format: 'parquet' })), 400, '1100', /format/);
  const current = (await api('GET', `/targetConnections/${targetId}`)).body.items[0];
  const patched = await api('PATCH', `/targetConnections/${targetId}`, [{ op: 'add', path: '/params/extra', value: 'x' }], { 'if-match': current.etag });
  assertFlowError(patched, 400, '1100', /extra/);
});

test('#4 selectors: PLATFORM_SEGMENT with a UUID, JSON_PATH with EXISTS, no duplicate, at most 250 segments', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0, audiences: audienceSeeds(Array.from({ length: 251 }, (_, i) => uuid(i + 1)).concat(uuid(999))) }));
  const { flowId } = await makeFlow(api);
  const patch = async (ops: unknown[]) => {
    const etag = (await api('GET', `/flows/${flowId}`)).body.items[0].etag as string;
    return api('PATCH', `/flows/${flowId}`, ops, { 'if-match': etag });
  };
  assertFlowError(await patch([{ op: 'add', path: `${SEGMENTS}/-`, value: { type: 'SEGMENT', value: { id: uuid(1) } } }]), 400, '1100', /PLATFORM_SEGMENT/);
  assertFlowError(await patch([addSegment('not-a-uuid')]), 400, '1100', /not-a-uuid/);
  assertFlowError(await patch([{ op: 'add', path: `${ATTRIBUTES}/-`, value: { type: 'XPATH', value: { path: 'a.b', operator: 'EXISTS' } } }]), 400, '1100', /JSON_PATH/);
  assertFlowError(await patch([{ op: 'add', path: `${ATTRIBUTES}/-`, value: { type: 'JSON_PATH', value: { path: 'a.b', operator: 'EQUALS' } } }]), 400, '1100', /EXISTS/);
  assertFlowError(await patch([addSegment(uuid(1)), addSegment(uuid(1))]), 400, '1100', /twice/);
  assert.equal((await patch([addSegment(uuid(1)), { op: 'add', path: `${ATTRIBUTES}/-`, value: { type: 'JSON_PATH', value: { path: 'a.b', operator: 'EXISTS' } } }])).status, 200);
  assertFlowError(await patch([addSegment(uuid(1))]), 400, '1100', /twice/);
  assert.equal((await patch(Array.from({ length: 249 }, (_, i) => addSegment(uuid(i + 2))))).status, 200, '250 segments is the documented maximum');
  assertFlowError(await patch([addSegment(uuid(999))]), 400, '1100', /250/);
});

test('#4 a flow is created with empty selectors; segments and attributes come by PATCH', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0, audiences: audienceSeeds([uuid(1)]) }));
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);
  const withSegment = flowBody('f', sourceId, targetId, {
    transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [segment(uuid(1))] } } }],
  });
  assertFlowError(await api('POST', '/flows', withSegment), 400, '1100', /empty/);
  const created = await api('POST', '/flows', flowBody('f', sourceId, targetId));
  assert.equal(created.status, 201);
  assert.equal((await api('PATCH', `/flows/${created.body.id}`, [addSegment(uuid(1))], { 'if-match': created.body.etag })).status, 200);
});

test('#4 JSON Patch: only add, replace and remove, each with a value', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  const { flowId, etag } = await makeFlow(api);
  const patch = (ops: unknown[]) => api('PATCH', `/flows/${flowId}`, ops, { 'if-match': etag });
  assertFlowError(await patch([{ op: 'copy', from: '/name', path: '/description' }]), 400, '1434', /copy/);
  assertFlowError(await patch([{ op: 'test', path: '/name', value: 'flow' }]), 400, '1434', /test/);
  assertFlowError(await patch([{ op: 'move', from: '/name', path: '/description' }]), 400, '1434', /move/);
  assertFlowError(await patch([{ op: 'replace', path: '/name' }]), 400, '1100', /value/);
  assertFlowError(await patch([{ op: 'remove', path: '/description' }]), 400, '1100', /value/);
  assert.equal((await patch([{ op: 'remove', path: '/description', value: 'anything' }])).status, 200);
});

test('#5 If-Match is also accepted as the ?if-match= query parameter, as Adobe\'s Postman collection sends it', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  const { flowId, etag } = await makeFlow(api);
  const ok = await api('PATCH', `/flows/${flowId}?if-match=${encodeURIComponent(etag)}`, [{ op: 'replace', path: '/name', value: 'renamed' }]);
  assert.equal(ok.status, 200, ok.text);
  const stale = await api('PATCH', `/flows/${flowId}?if-match=${encodeURIComponent(etag)}`, [{ op: 'replace', path: '/name', value: 'again' }]);
  assertFlowError(stale, 412, '1404');
  assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'again' }]), 400, '1403');
});

test('#6 writes need Content-Type: application/json as the spec declares; a body-less action may omit it', async (t) => {
  const emu = await startForTest(t, { transitionMs: 0 });
  const api = await apiFor(emu);
  const { flowId, etag } = await makeFlow(api);
  const patchPatch = await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'x' }], { 'if-match': etag, 'content-type': 'application/json-patch+json' });
  assert.deepEqual({ status: patchPatch.status, body: patchPatch.body }, { status: 400, body: CONTENT_TYPE_ERROR });
  const form = await api('POST', `/flows/${flowId}/action?op=disable`, undefined, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.deepEqual({ status: form.status, body: form.body }, { status: 400, body: CONTENT_TYPE_ERROR });
  const charset = await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'y' }], { 'if-match': etag, 'content-type': 'application/json; charset=utf-8' });
  assert.equal(charset.status, 200, charset.text);
  const bare = await api('POST', `/flows/${flowId}/action?op=disable`);
  assert.equal(bare.status, 200, bare.text);
  const headers = { authorization: 'x' };
  assert.equal((await httpCall('POST', `${emu.flowServiceUrl}/flows/${flowId}/action?op=enable`, headers)).status, 401, 'auth comes first');
});

test('#6 flowsync enables and disables flows the way Adobe documents it: no body, no form content type', async (t) => {
  const h = await harness(t);
  const api = await apiFor(h.emu);
  const { flowId } = await makeFlow(api);
  const disabled = await h.client.flowAction('prod', flowId, 'disable');
  assert.ok(disabled.etag);
  assert.equal((await h.client.flowAction('prod', flowId, 'enable')).id, flowId);
});
