// Tokens against the emulator's IMS: fetched once and shared, renewed before expiry, replaced once on
// a 401, a static token used as is, and credential problems reported with a code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, EMULATOR_DEFAULTS } from './harness.ts';
import { isApiError } from '../../src/api/index.ts';

test('one IMS token serves many concurrent requests', async (t) => {
  const h = await harness(t);
  await Promise.all(Array.from({ length: 10 }, () => h.client.list('prod', 'connections')));
  assert.equal(h.imsRequests().length, 1);
  assert.equal(h.serviceRequests().length, 10);
  const ims = h.imsRequests()[0]!;
  assert.equal(ims.query, '', 'credentials go in the form body, not the query string');
  assert.ok(h.events.some((e) => e.type === 'token' && e.source === 'ims' && e.expiresInSeconds === 86399));
});

test('the token is renewed when 10 % of a short lifetime is left, before the API would refuse it', async (t) => {
  let clock = 1_000_000;
  const now = () => clock;
  const h = await harness(t, { emulator: { now, tokenTtlSeconds: 60 }, client: { now } });
  await h.client.list('prod', 'flows');
  clock += 53_000; // 7 s left: above 10 % of 60 s
  await h.client.list('prod', 'flows');
  assert.equal(h.imsRequests().length, 1);
  clock += 2_000; // 5 s left: renew
  await h.client.list('prod', 'flows');
  assert.equal(h.imsRequests().length, 2);
  assert.deepEqual(
    h.serviceRequests().map((r) => r.status),
    [200, 200, 200],
    'no request was refused on the way',
  );
});

test('a 401 gets a new token once and the call is repeated', async (t) => {
  let serverClock = 1_000_000;
  const h = await harness(t, { emulator: { now: () => serverClock, tokenTtlSeconds: 60 }, client: { now: () => 1_000_000 } });
  await h.client.list('prod', 'flows');
  serverClock += 120_000; // the token expired for the API, the client's clock does not know
  await h.client.list('prod', 'flows');
  assert.deepEqual(h.serviceRequests().map((r) => r.status), [200, 401, 200]);
  assert.equal(h.imsRequests().length, 2);
  assert.ok(h.events.some((e) => e.type === 'retry' && e.reason === 'unauthorized'));
});

test('a 401 that persists after the refresh is an auth error, not a loop', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 5, status: 401, pathPrefix: '/flows' } } } });
  await assert.rejects(h.client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_AUTH') && err.status === 401 && err.adobeCode === '401013');
  assert.equal(h.serviceRequests().length, 2);
});

test('a static access token is used without IMS', async (t) => {
  const h = await harness(t);
  const token = h.emu.admin.issueToken({ clientId: EMULATOR_DEFAULTS.clientId });
  const client = h.newClient({ accessToken: token, clientSecret: undefined });
  assert.deepEqual(await client.list('prod', 'flows'), []);
  await client.list('prod', 'flows');
  assert.equal(h.imsRequests().length, 0);
  assert.equal(h.serviceRequests().at(-1)?.status, 200);
  assert.deepEqual(h.events.filter((e) => e.type === 'token'), [{ type: 'token', source: 'static' }]);
});

test('a refused static token without a client secret is an auth error after one request', async (t) => {
  let serverClock = 5_000_000;
  const h = await harness(t, { emulator: { now: () => serverClock } });
  const token = h.emu.admin.issueToken({ ttlSeconds: 1 });
  serverClock += 5_000;
  const client = h.newClient({ accessToken: token, clientSecret: undefined });
  await assert.rejects(client.list('prod', 'flows'), (err) => {
    assert.ok(isApiError(err, 'FS_API_AUTH'));
    assert.equal(err.status, 401);
    assert.ok(!err.message.includes(token), 'the token never appears in an error');
    return true;
  });
  assert.equal(h.serviceRequests().length, 1);
});

test('a refused static token with a client secret falls back to IMS', async (t) => {
  let serverClock = 5_000_000;
  const h = await harness(t, { emulator: { now: () => serverClock } });
  const token = h.emu.admin.issueToken({ ttlSeconds: 1 });
  serverClock += 5_000;
  const client = h.newClient({ accessToken: token });
  assert.deepEqual(await client.list('prod', 'flows'), []);
  assert.deepEqual(h.serviceRequests().map((r) => r.status), [401, 200]);
  assert.equal(h.imsRequests().length, 1);
});

test('no secret and no token: an auth error before any request', async (t) => {
  const h = await harness(t);
  const client = h.newClient({ clientSecret: undefined });
  await assert.rejects(client.list('prod', 'flows'), (err) => isApiError(err, 'FS_API_AUTH') && /FLOWSYNC_CLIENT_SECRET/.test(err.message));
  assert.equal(h.emu.admin.requests().length, 0);
});

test('IMS refusing the credentials is an auth error naming the client, never the secret', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 1, status: 400, pathPrefix: '/ims/' } } } });
  await assert.rejects(h.client.list('prod', 'flows'), (err) => {
    assert.ok(isApiError(err, 'FS_API_AUTH'), String(err));
    assert.match(err.message, /flowsync-emulator/);
    assert.ok(!err.message.includes(EMULATOR_DEFAULTS.clientSecret));
    return true;
  });
  assert.equal(h.serviceRequests().length, 0);
});

test('IMS outages are retried like the API', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 2, status: 503, pathPrefix: '/ims/' } } } });
  assert.deepEqual(await h.client.list('prod', 'flows'), []);
  assert.deepEqual(h.imsRequests().map((r) => r.status), [503, 503, 200]);
});
