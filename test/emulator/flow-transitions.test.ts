// Asynchronous flow operations: a PATCH or an enable/disable leaves the flow updating/enabling/disabling
// for transitionMs, writes meanwhile are refused with the catalogue's codes, lastOperation shows the
// progress. The emulator's clock is injected: the tests move it instead of sleeping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TRANSITION_MS } from '../../src/emulator/index.ts';
import { apiFor, makeFlow, startForTest, type Api, type Reply } from './helpers.ts';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function refused(res: Reply, code: string) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.type, `https://ns.adobe.com/aep/errors/FLOW-${code}-400`, res.text);
}

async function flowOf(api: Api, id: string) {
  const res = await api('GET', `/flows/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items[0];
}

const rename = (name: string) => [{ op: 'replace', path: '/name', value: name }];

test('the default transition is a few hundred ms', () => {
  assert.equal(DEFAULT_TRANSITION_MS, 300);
});

test('disable: the flow is disabling, refuses writes with 1420, then settles as disabled', async (t) => {
  const c = clock();
  const emu = await startForTest(t, { now: c.now });
  const api = await apiFor(emu);
  const { flowId } = await makeFlow(api);
  const disable = await api('POST', `/flows/${flowId}/action?op=disable`);
  assert.equal(disable.status, 200, disable.text);
  let flow = await flowOf(api, flowId);
  assert.equal(flow.state, 'disabling');
  assert.equal(flow.lastOperation.operation, 'disable');
  assert.equal(flow.lastOperation.percentCompleted, 0);
  assert.equal(flow.lastOperation.status.value, 'inProgress');
  refused(await api('PATCH', `/flows/${flowId}`, rename('x'), { 'if-match': flow.etag }), '1420');
  refused(await api('POST', `/flows/${flowId}/action?op=enable`), '1420');
  refused(await api('DELETE', `/flows/${flowId}`), '1420');
  c.advance(150);
  flow = await flowOf(api, flowId);
  assert.equal(flow.state, 'disabling');
  assert.equal(flow.lastOperation.percentCompleted, 50);
  c.advance(150);
  flow = await flowOf(api, flowId);
  assert.equal(flow.state, 'disabled');
  assert.deepEqual({ p: flow.lastOperation.percentCompleted, s: flow.lastOperation.status.value }, { p: 100, s: 'completed' });
  assert.equal(flow.etag, disable.body.etag, 'settling is not a write: the etag stays');
  const patch = await api('PATCH', `/flows/${flowId}`, rename('x'), { 'if-match': flow.etag });
  assert.equal(patch.status, 200, patch.text);
});

test('update: the flow is updating; an action gets 1421, another PATCH or a DELETE 1416', async (t) => {
  const c = clock();
  const api = await apiFor(await startForTest(t, { now: c.now }));
  const { flowId, etag } = await makeFlow(api);
  const patch = await api('PATCH', `/flows/${flowId}`, rename('renamed'), { 'if-match': etag });
  assert.equal(patch.status, 200, patch.text);
  const flow = await flowOf(api, flowId);
  assert.equal(flow.state, 'updating');
  assert.equal(flow.name, 'renamed');
  assert.deepEqual(flow.lastOperation.ops, rename('renamed'));
  refused(await api('POST', `/flows/${flowId}/action?op=disable`), '1421');
  refused(await api('PATCH', `/flows/${flowId}`, rename('again'), { 'if-match': patch.body.etag }), '1416');
  refused(await api('DELETE', `/flows/${flowId}`), '1416');
  c.advance(DEFAULT_TRANSITION_MS);
  assert.equal((await flowOf(api, flowId)).state, 'enabled', 'an update returns to the state before it');
  assert.equal((await api('POST', `/flows/${flowId}/action?op=disable`)).status, 200);
});

test('enable: the flow is enabling and refuses writes with 1416; a list shows the same states', async (t) => {
  const c = clock();
  const api = await apiFor(await startForTest(t, { now: c.now, transitionMs: 1_000 }));
  const { flowId } = await makeFlow(api);
  await api('POST', `/flows/${flowId}/action?op=disable`);
  c.advance(1_000);
  assert.equal((await api('POST', `/flows/${flowId}/action?op=enable`)).status, 200);
  const listed = await api('GET', `/flows?property=state==enabling`);
  assert.deepEqual(listed.body.items.map((f: { id: string }) => f.id), [flowId]);
  refused(await api('POST', `/flows/${flowId}/action?op=disable`), '1416');
  c.advance(999);
  assert.equal((await flowOf(api, flowId)).state, 'enabling');
  c.advance(1);
  assert.equal((await flowOf(api, flowId)).state, 'enabled');
});

test('transitionMs 0 turns it off; the admin faults setting changes it at runtime', async (t) => {
  const c = clock();
  const emu = await startForTest(t, { now: c.now, transitionMs: 0 });
  const api = await apiFor(emu);
  const { flowId } = await makeFlow(api);
  assert.equal((await api('POST', `/flows/${flowId}/action?op=disable`)).status, 200);
  const flow = await flowOf(api, flowId);
  assert.equal(flow.state, 'disabled');
  assert.equal(flow.lastOperation.percentCompleted, 100);
  assert.equal((await api('PATCH', `/flows/${flowId}`, rename('x'), { 'if-match': flow.etag })).status, 200);
  const set = await fetch(`${emu.url}/__emulator/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transitionMs: 500 }) });
  assert.equal(((await set.json()) as { transitionMs: number }).transitionMs, 500);
  assert.equal((await api('POST', `/flows/${flowId}/action?op=enable`)).status, 200);
  assert.equal((await flowOf(api, flowId)).state, 'enabling');
  emu.admin.reset();
  assert.equal(emu.admin.faults().transitionMs, 500, 'reset keeps the setting');
});

test('delete: the flow is delete-finalizing, refuses writes with 1457 and 1458, keeps its connections, then is gone', async (t) => {
  const c = clock();
  const api = await apiFor(await startForTest(t, { now: c.now }));
  const { flowId, etag, targetId } = await makeFlow(api);
  const del = await api('DELETE', `/flows/${flowId}`);
  assert.equal(del.status, 202, del.text);
  const flow = await flowOf(api, flowId);
  assert.equal(flow.state, 'delete-finalizing');
  assert.equal(flow.lastOperation.operation, 'delete');
  assert.equal(flow.lastOperation.status.value, 'inProgress');
  const listed = await api('GET', '/flows?property=state==delete-finalizing');
  assert.deepEqual(listed.body.items.map((f: { id: string }) => f.id), [flowId], 'still listed while finalizing');
  refused(await api('PATCH', `/flows/${flowId}`, rename('x'), { 'if-match': etag }), '1457');
  refused(await api('POST', `/flows/${flowId}/action?op=disable`), '1457');
  refused(await api('DELETE', `/flows/${flowId}`), '1458');
  refused(await api('DELETE', `/targetConnections/${targetId}`), '1447');
  c.advance(DEFAULT_TRANSITION_MS);
  assert.equal((await api('GET', `/flows/${flowId}`)).status, 404);
  assert.equal((await api('GET', '/flows')).body.items.length, 0);
  assert.equal((await api('DELETE', `/targetConnections/${targetId}`)).status, 202, 'the connection is free once the flow is gone');
});

test('with transitionMs 0 a delete is immediate', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  const { flowId, targetId } = await makeFlow(api);
  assert.equal((await api('DELETE', `/flows/${flowId}`)).status, 202);
  assert.equal((await api('GET', `/flows/${flowId}`)).status, 404);
  assert.equal((await api('DELETE', `/targetConnections/${targetId}`)).status, 202);
});
