// flowsync's client against asynchronous flow operations (the emulator's default 300 ms transitions):
// it waits for a flow it wrote to settle before its next write, so it is never refused; a write the
// API refuses because someone else's operation runs (1416/1420/1421) waits and is sent again; the
// wait is bounded. One fake clock drives the emulator and the client's sleeps: no real waiting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isApiError } from '../../src/api/index.ts';
import { DEFAULT_TRANSITION_MS } from '../../src/emulator/index.ts';
import { apiFor, makeFlow } from '../emulator/helpers.ts';
import { harness } from './harness.ts';

function sharedClock() {
  let t = 1_700_000_000_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

test('writes to a flow the client just wrote wait for it to settle: disable, patch, enable with no refused write', async (t) => {
  const clock = sharedClock();
  const h = await harness(t, { emulator: { now: clock.now, transitionMs: DEFAULT_TRANSITION_MS }, client: clock });
  const { flowId } = await makeFlow(await apiFor(h.emu));
  h.emu.admin.resetRequests();
  await h.client.flowAction('prod', flowId, 'disable');
  const flow = await h.client.get<{ etag: string; state: string }>('prod', 'flows', flowId);
  assert.equal(flow?.state, 'disabling');
  const renamed = await h.client.patch('prod', 'flows', flowId, flow!.etag, [{ op: 'replace', path: '/name', value: 'renamed' }]);
  await h.client.flowAction('prod', flowId, 'enable');
  await h.client.settleWritten();
  const writes = h.serviceRequests().filter((r) => r.write);
  assert.deepEqual(writes.map((r) => r.status), [200, 200, 200], 'no write was refused');
  assert.ok(h.serviceRequests().filter((r) => r.method === 'GET').length >= 4, 'the client polled the flow between writes');
  const final = await h.client.get<{ etag: string; state: string; name: string }>('prod', 'flows', flowId);
  assert.deepEqual({ state: final?.state, name: final?.name }, { state: 'enabled', name: 'renamed' });
  assert.notEqual(renamed.etag, final?.etag);
});

test('a write refused because of someone else\'s operation (1420, 1421) waits for the flow and is sent again', async (t) => {
  const clock = sharedClock();
  const h = await harness(t, { emulator: { now: clock.now, transitionMs: DEFAULT_TRANSITION_MS }, client: clock });
  const api = await apiFor(h.emu);
  const { flowId } = await makeFlow(api);
  const etag = (await api('POST', `/flows/${flowId}/action?op=disable`)).body.etag; // another writer, not this client
  const patched = await h.client.patch('prod', 'flows', flowId, etag, [{ op: 'replace', path: '/name', value: 'x' }]);
  const patches = h.serviceRequests().filter((r) => r.method === 'PATCH');
  assert.deepEqual(patches.map((r) => r.status), [400, 200], 'refused once with 1420, then applied');
  await clock.sleep(300);
  const other = await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'y' }], { 'if-match': patched.etag });
  assert.equal(other.status, 200, other.text); // the other writer's update runs now
  await h.newClient().flowAction('prod', flowId, 'enable'); // a client that has not written the flow
  const actions = h.serviceRequests().filter((r) => r.path.endsWith('/action') && r.userAgent?.startsWith('flowsync'));
  assert.deepEqual(actions.map((r) => r.status), [400, 200], 'refused once with 1421, then applied');
});

test('the wait is bounded by settleTimeout: FS_API_FLOW_BUSY, and the write is not sent again', async (t) => {
  const clock = sharedClock();
  const h = await harness(t, { emulator: { now: clock.now, transitionMs: 600_000 }, client: { ...clock, settleTimeoutMs: 5_000 } });
  const api = await apiFor(h.emu);
  const { flowId } = await makeFlow(api);
  const etag = (await api('POST', `/flows/${flowId}/action?op=disable`)).body.etag;
  await assert.rejects(h.client.patch('prod', 'flows', flowId, etag, [{ op: 'replace', path: '/name', value: 'x' }]), (err) => {
    assert.ok(isApiError(err, 'FS_API_FLOW_BUSY'), String(err));
    assert.match((err as Error).message, new RegExp(`flows/${flowId} is still disabling after 5 s`));
    return true;
  });
  assert.equal(h.serviceRequests().filter((r) => r.method === 'PATCH').length, 1);
});

test('with transitionMs 0 a flow settles at once and the client never waits', async (t) => {
  const h = await harness(t, { emulator: { transitionMs: 0 } });
  const { flowId } = await makeFlow(await apiFor(h.emu));
  h.emu.admin.resetRequests();
  const ref = await h.client.flowAction('prod', flowId, 'disable');
  await h.client.patch('prod', 'flows', flowId, ref.etag, [{ op: 'replace', path: '/name', value: 'x' }]);
  assert.deepEqual(h.sleeps, []);
  assert.deepEqual(h.serviceRequests().filter((r) => r.write).map((r) => r.status), [200, 200]);
});

test('deleting a flow waits until the API has finalized it, so deleting its connections next is never refused', async (t) => {
  const clock = sharedClock();
  const h = await harness(t, { emulator: { now: clock.now, transitionMs: DEFAULT_TRANSITION_MS }, client: clock });
  const { flowId, targetId, baseId } = await makeFlow(await apiFor(h.emu));
  h.emu.admin.resetRequests();
  await h.client.delete('prod', 'flows', flowId);
  assert.equal(await h.client.get('prod', 'flows', flowId), undefined, 'gone when delete returns');
  await h.client.delete('prod', 'targetConnections', targetId);
  await h.client.delete('prod', 'connections', baseId);
  const writes = h.serviceRequests().filter((r) => r.write);
  assert.deepEqual(writes.map((r) => `${r.method} ${r.status}`), ['DELETE 202', 'DELETE 202', 'DELETE 202'], 'no write was refused');
});

test('a delete refused because someone else is deleting the flow (1458) waits until it is gone and counts as done', async (t) => {
  const clock = sharedClock();
  const h = await harness(t, { emulator: { now: clock.now, transitionMs: DEFAULT_TRANSITION_MS }, client: clock });
  const api = await apiFor(h.emu);
  const { flowId } = await makeFlow(api);
  assert.equal((await api('DELETE', `/flows/${flowId}`)).status, 202); // another writer
  await h.client.delete('prod', 'flows', flowId);
  const mine = h.serviceRequests().filter((r) => r.method === 'DELETE' && r.userAgent?.startsWith('flowsync'));
  assert.deepEqual(mine.map((r) => r.status), [400, 404], 'refused once with 1458, then sent again once it is gone: 404 counts as deleted');
  assert.equal(await h.client.get('prod', 'flows', flowId), undefined);
});
