// IMS token endpoint and the gateway's header checks, with the documented status codes and bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMULATOR_DEFAULTS, apiFor, getToken, startForTest } from './helpers.ts';

async function ims(url: string, body: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('IMS issues tokens to any client id with a non-empty secret and refuses bad requests IMS-style', async (t) => {
  const emu = await startForTest(t, { tokenTtlSeconds: 3600 });
  const ok = await ims(emu.imsUrl, 'grant_type=client_credentials&client_id=my-own-client&client_secret=anything&scope=openid');
  assert.equal(ok.status, 200);
  assert.equal(ok.body.token_type, 'bearer');
  assert.equal(ok.body.expires_in, 3600);
  assert.equal((await ims(emu.imsUrl, 'grant_type=password&client_id=a&client_secret=b')).body.error, 'unsupported_grant_type');
  const noSecret = await ims(emu.imsUrl, 'grant_type=client_credentials&client_id=a&client_secret=');
  assert.equal(noSecret.status, 400);
  assert.equal(noSecret.body.error, 'invalid_client');
  assert.equal(typeof noSecret.body.error_description, 'string');
  assert.equal((await ims(emu.imsUrl, 'client_id=a&client_secret=b')).body.error, 'invalid_request');
  assert.equal((await ims(emu.imsUrl, 'grant_type=client_credentials&client_secret=b')).status, 400);
});

test('gateway header errors have the documented codes and bodies', async (t) => {
  const emu = await startForTest(t);
  const api = await apiFor(emu);
  const cases: [string, Record<string, string | null>, number, Record<string, unknown>][] = [
    ['no token', { authorization: null }, 403, { error_code: '403010', message: 'Oauth token is missing.' }],
    ['foreign token', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' }, 401, { error_code: '401013', message: 'Oauth token is not valid' }],
    ['not a bearer', { authorization: 'Basic abc' }, 401, { error_code: '401013', message: 'Oauth token is not valid' }],
    ['no api key', { 'x-api-key': null }, 403, { error_code: '403000', message: 'Api Key is required' }],
    ['other api key', { 'x-api-key': 'someone-else' }, 403, { error_code: '403003', message: 'Api Key is invalid' }],
    ['no org', { 'x-gw-ims-org-id': null }, 400, { error_code: '400003', message: 'Missing header x-gw-ims-org-id' }],
    ['malformed org', { 'x-gw-ims-org-id': 'not-an-org' }, 403, { error_code: '403027', message: 'User region is missing' }],
  ];
  for (const [name, headers, status, body] of cases) {
    const res = await api('GET', '/connections', undefined, headers);
    assert.equal(res.status, status, name);
    assert.deepEqual(res.body, body, name);
  }
});

test('a token from another emulator instance is not valid here', async (t) => {
  const a = await startForTest(t);
  const b = await startForTest(t);
  const token = await getToken(a);
  const res = await fetch(`${b.flowServiceUrl}/connections`, {
    headers: { authorization: `Bearer ${token}`, 'x-api-key': EMULATOR_DEFAULTS.clientId, 'x-gw-ims-org-id': EMULATOR_DEFAULTS.orgId },
  });
  assert.equal(res.status, 401);
});

test('an expired token gets 401 401013 (clock injected)', async (t) => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const emu = await startForTest(t, { now: () => now, tokenTtlSeconds: 60 });
  const api = await apiFor(emu);
  assert.equal((await api('GET', '/flows')).status, 200);
  now += 59_000;
  assert.equal((await api('GET', '/flows')).status, 200);
  now += 2_000;
  const res = await api('GET', '/flows');
  assert.equal(res.status, 401);
  assert.equal(res.body.error_code, '401013');
  const admin = emu.admin.issueToken({ ttlSeconds: 10 });
  const fresh = await api('GET', '/flows', undefined, { authorization: `Bearer ${admin}` });
  assert.equal(fresh.status, 200);
});

test('missing x-sandbox-name means prod; malformed sandbox names get 2100-404', async (t) => {
  const emu = await startForTest(t);
  const prod = await apiFor(emu);
  const noHeader = await apiFor(emu, { sandbox: null });
  const created = await noHeader('POST', '/connections', { name: 'ps', connectionSpec: { id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1', version: '1.0' } });
  assert.equal(created.status, 201);
  const got = await prod('GET', `/connections/${created.body.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.items[0].sandboxName, 'prod');
  for (const bad of ['Prod', 'dev_1', '1dev', 'x'.repeat(300)]) {
    const res = await prod('GET', '/connections', undefined, { 'x-sandbox-name': bad });
    assert.equal(res.status, 404, bad);
    assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-2100-404');
    assert.equal(res.body.title, 'Sandbox not found');
  }
});
