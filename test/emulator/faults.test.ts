// Each fault knob, the request log and counters, and the admin HTTP routes under /__emulator/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFor, flowBody, kinesisTarget, profileSource, startForTest } from './helpers.ts';

async function admin(url: string, method: string, what: string, body?: unknown) {
  const res = await fetch(`${url}/__emulator/${what}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

test('latency delays every Flow Service answer', async (t) => {
  const emu = await startForTest(t, { faults: { latencyMs: 200 } });
  const api = await apiFor(emu);
  const started = performance.now();
  assert.equal((await api('GET', '/flows')).status, 200);
  assert.ok(performance.now() - started >= 195, 'answer came too early');
  emu.admin.setFaults({ latencyMs: 0 });
  emu.admin.resetRequests();
  await api('GET', '/flows');
  // server-side time of the request without latency (generous bound: CI machines can be loaded)
  assert.ok((emu.admin.requests()[0]?.durationMs ?? Infinity) < 150);
});

test('close() does not wait for requests held by latency: they are dropped, not handled', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);
  emu.admin.setFaults({ latencyMs: 800 });
  const pending = api('POST', '/flows', flowBody('late', sourceId, targetId));
  await new Promise((r) => setTimeout(r, 50));
  const started = performance.now();
  await emu.close();
  assert.ok(performance.now() - started < 600, 'close waited for the held request');
  await assert.rejects(pending);
  await new Promise((r) => setTimeout(r, 900)); // past the latency: the held request must not have been handled
  assert.equal(emu.admin.snapshot().scopes['EMULATOR0000000000000000@AdobeOrg/prod']?.flows.length, 0);
});

test('error rate answers 5xx; the same seed gives the same faults', async (t) => {
  const run = async (seed: number) => {
    const emu = await startForTest(t, { faults: { errorRate: 0.5, seed } });
    const api = await apiFor(emu);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await api('GET', '/flows')).status);
    return statuses;
  };
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.some((s) => s === 200));
  assert.ok(a.filter((s) => s >= 500).every((s) => [500, 502, 503, 504].includes(s)));
  assert.ok(a.filter((s) => s >= 500).length > 5);
  const emu = await startForTest(t, { faults: { errorRate: 1, errorStatuses: [503] } });
  const res = await (await apiFor(emu))('GET', '/flows');
  assert.equal(res.status, 503);
  assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1103-503');
});

test('throttle rate answers 429 with Retry-After and the gateway body', async (t) => {
  const emu = await startForTest(t, { faults: { throttleRate: 1, retryAfterSeconds: 3 } });
  const api = await apiFor(emu); // the IMS endpoint is not throttled by the random knobs
  const res = await api('GET', '/flows');
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '3');
  assert.deepEqual(res.body, { error_code: '429050', message: 'Too many requests' });
});

test('rate limit: over N requests per second gets 429 until the window ends', async (t) => {
  let now = 1_000_000;
  const emu = await startForTest(t, { faults: { rateLimit: 5 }, now: () => now });
  const api = await apiFor(emu);
  const statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await api('GET', '/flows')).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await api('GET', '/flows');
  assert.equal(limited.headers.get('retry-after'), '1');
  now += 1000;
  assert.equal((await api('GET', '/flows')).status, 200);
});

test('drop rate destroys the connection without an answer and without doing the work', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);
  emu.admin.setFaults({ dropRate: 1 });
  await assert.rejects(api('POST', '/flows', flowBody('dropped', sourceId, targetId)));
  emu.admin.setFaults({ dropRate: 0 });
  assert.equal((await api('GET', '/flows?count=true')).body.count, 0);
  const last = emu.admin.requests().filter((r) => r.fault === 'dropRate');
  assert.equal(last.length, 1);
  assert.equal(last[0]?.status, 0);
});

test('failNext answers the next matching requests with a status, then stops', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  emu.admin.setFaults({ failNext: { count: 2, status: 503, method: 'GET', pathPrefix: '/flows' } });
  assert.equal((await api('GET', '/connections')).status, 200);
  assert.equal((await api('GET', '/flows')).status, 503);
  assert.equal((await api('GET', '/flows?limit=1')).status, 503);
  assert.equal((await api('GET', '/flows')).status, 200);
  emu.admin.setFaults({ failNext: [{ count: 1, status: 429, retryAfterSeconds: 9 }] });
  const throttled = await api('GET', '/connections');
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers.get('retry-after'), '9');
  // one-shot rules reach the IMS endpoint too, with a path prefix
  emu.admin.setFaults({ failNext: { count: 1, status: 500, pathPrefix: '/ims/' } });
  await assert.rejects(apiFor(emu));
  assert.equal(emu.admin.faults().failNext.length, 0);
});

test('dropAfterCommit: the write takes effect but the client never sees the answer', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);
  emu.admin.setFaults({ dropAfterCommit: { count: 1, method: 'POST', pathPrefix: '/flows' } });
  await assert.rejects(api('POST', '/flows', flowBody('committed', sourceId, targetId)));
  const list = await api('GET', '/flows?property=name==committed');
  assert.equal(list.body.items.length, 1, 'the create happened');
  assert.equal((await api('POST', '/flows', flowBody('second', sourceId, targetId))).status, 201, 'the rule was one-shot');
  const log = emu.admin.requests().find((r) => r.fault === 'dropAfterCommit');
  assert.equal(log?.write, true);
});

test('request log and counters, and every admin HTTP route', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu, { sandbox: 'dev' });
  emu.admin.resetRequests();
  await api('GET', '/flows?limit=5');
  await api('POST', '/connections', { name: 'x' });
  const entries = emu.admin.requests();
  assert.equal(entries.length, 2);
  assert.deepEqual(
    entries.map(({ method, path, query, status, org, sandbox, write }) => ({ method, path, query, status, org, sandbox, write })),
    [
      { method: 'GET', path: '/data/foundation/flowservice/flows', query: 'limit=5', status: 200, org: 'EMULATOR0000000000000000@AdobeOrg', sandbox: 'dev', write: false },
      { method: 'POST', path: '/data/foundation/flowservice/connections', query: '', status: 400, org: 'EMULATOR0000000000000000@AdobeOrg', sandbox: 'dev', write: true },
    ],
  );
  assert.ok(entries.every((e) => typeof e.durationMs === 'number' && e.durationMs >= 0));
  assert.deepEqual(emu.admin.counters(), { total: 2, writes: 1, byMethod: { GET: 1, POST: 1 }, byStatus: { 200: 1, 400: 1 } });

  const reqs = await admin(emu.url, 'GET', 'requests');
  assert.equal(reqs.body.items.length, 2);
  assert.equal(reqs.body.counters.total, 2, 'admin calls are not logged');
  assert.equal((await admin(emu.url, 'DELETE', 'requests')).status, 204);
  assert.equal(emu.admin.counters().total, 0);
  const put = await admin(emu.url, 'PUT', 'faults', { latencyMs: 1, errorRate: 0 });
  assert.equal(put.body.latencyMs, 1);
  assert.equal((await admin(emu.url, 'GET', 'faults')).body.latencyMs, 1);
  assert.equal((await admin(emu.url, 'PUT', 'faults', { errorRate: 2 })).status, 400);
  const token = await admin(emu.url, 'POST', 'tokens', { clientId: 'flowsync-emulator', ttlSeconds: 30 });
  assert.equal(token.body.expires_in, 30);
  assert.equal((await api('GET', '/flows', undefined, { authorization: `Bearer ${token.body.access_token}` })).status, 200);
  await api('POST', '/connections', { name: 'ps', connectionSpec: { id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1', version: '1.0' } });
  const state = await admin(emu.url, 'GET', 'state');
  assert.equal(state.body.scopes['EMULATOR0000000000000000@AdobeOrg/dev'].connections.length, 1);
  assert.equal((await admin(emu.url, 'POST', 'reset')).status, 204);
  assert.deepEqual((await admin(emu.url, 'GET', 'state')).body, { scopes: {} });
  assert.equal((await admin(emu.url, 'GET', 'faults')).body.latencyMs, 0);
  assert.equal((await admin(emu.url, 'GET', 'nope')).status, 404);
});

test('lateCommit: a create commits only after the delay and answers after the commit; reads and later creates are not held', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  assert.equal((await admin(emu.url, 'PUT', 'faults', { lateCommitMs: 400, lateCommitCount: 1 })).status, 200);
  const state = () => emu.admin.snapshot().scopes['EMULATOR0000000000000000@AdobeOrg/prod']?.connections.length ?? 0;
  const started = performance.now();
  const pending = profileSource(api);
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(state(), 0, 'not committed before the delay');
  assert.equal((await api('GET', '/connections')).status, 200, 'reads are not held');
  await pending;
  assert.ok(performance.now() - started >= 395, 'answered after the commit');
  assert.equal(emu.admin.requests().filter((r) => r.fault === 'lateCommit').length, 1);
  assert.equal(emu.admin.faults().lateCommitMs, 0, 'the count ran out and the fault turned itself off');
});

test('lateCommit one-shot rules match method and path; a bad rule is a 400', async (t) => {
  const emu = await startForTest(t);
  assert.equal((await admin(emu.url, 'PUT', 'faults', { lateCommit: { count: 0, delayMs: 10 } })).status, 400);
  emu.admin.setFaults({ lateCommit: { count: 1, delayMs: 300, pathPrefix: '/flows' } });
  const api = await apiFor(emu);
  const started = performance.now();
  await profileSource(api);
  assert.ok(performance.now() - started < 250, 'a connection create is not held by a /flows rule');
  assert.equal(emu.admin.faults().lateCommit.length, 1);
});

test('dropParamsOnRead: named target params are stored as sent but left out of every read; a bad value is a 400', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const { targetId } = await kinesisTarget(api);
  assert.equal((await admin(emu.url, 'PUT', 'faults', { dropParamsOnRead: 'region' })).status, 400);
  assert.equal((await admin(emu.url, 'PUT', 'faults', { dropParamsOnRead: ['region'] })).status, 200);
  assert.deepEqual((await api('GET', `/targetConnections/${targetId}`)).body.items[0].params, { stream: 'events' });
  assert.deepEqual((await api('GET', '/targetConnections')).body.items[0].params, { stream: 'events' });
  assert.equal((await api('GET', '/connections')).body.items[0].auth.params.region, 'us-east-1', 'auth params are not touched');
  const stored = emu.admin.snapshot().scopes['EMULATOR0000000000000000@AdobeOrg/prod']!.targetConnections[0]!;
  assert.deepEqual(stored.params, { stream: 'events', region: 'us-east-1' });
  emu.admin.reset();
  assert.deepEqual(emu.admin.faults().dropParamsOnRead, []);
});
