// Every error shape the emulator sends becomes one coded ApiError with status, Adobe code and a
// message that names the call and the entity; secrets never appear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, kinesisConnection, EMULATOR_DEFAULTS, virtualTime } from './harness.ts';
import { isApiError, type ApiError } from '../../src/api/index.ts';
import type { ErrorCode } from '../../src/domain/errors.ts';

function expectApiError(code: ErrorCode, check: (err: ApiError) => void) {
  return (err: unknown) => {
    assert.ok(isApiError(err), `not an ApiError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    check(err);
    return true;
  };
}

test('problem details (404): FS_API_NOT_FOUND naming the entity, with the Adobe code', async (t) => {
  const { client } = await harness(t);
  assert.equal(await client.get('prod', 'flows', 'no-such-flow'), undefined);
  await assert.rejects(
    client.patch('prod', 'flows', 'no-such-flow', '"x"', [{ op: 'replace', path: '/name', value: 'n' }]),
    expectApiError('FS_API_NOT_FOUND', (err) => {
      assert.match(err.message, /^PATCH flows\/no-such-flow: flows not found with id = \[no-such-flow\] \(HTTP 404, code 1439-404\)$/);
      assert.equal(err.status, 404);
      assert.equal(err.adobeCode, '1439-404');
      assert.equal(err.entity, 'flows/no-such-flow');
    }),
  );
});

test('a stale etag (412) is FS_API_PRECONDITION and is not retried', async (t) => {
  const h = await harness(t);
  const { id, etag } = await h.client.create('prod', 'connections', kinesisConnection('acct'));
  const second = await h.client.patch('prod', 'connections', id, etag, [{ op: 'replace', path: '/name', value: 'acct-2' }]);
  assert.notEqual(second.etag, etag);
  h.emu.admin.resetRequests();
  await assert.rejects(
    h.client.patch('prod', 'connections', id, etag, [{ op: 'replace', path: '/name', value: 'acct-3' }]),
    expectApiError('FS_API_PRECONDITION', (err) => {
      assert.match(err.message, /^PATCH connections\/.+: Supplied version=\[.*\] does not match the current version/);
      assert.equal(err.adobeCode, '1404-412');
    }),
  );
  assert.equal(h.serviceRequests().length, 1);
});

test('{message} (invalid spec id) is FS_API_REQUEST naming the create, with no secret echoed', async (t) => {
  const h = await harness(t);
  const body = { ...kinesisConnection('bad', 'super-secret-value-42'), connectionSpec: { id: 'not-a-spec', version: '1.0' } };
  await assert.rejects(
    h.client.create('prod', 'connections', body),
    expectApiError('FS_API_REQUEST', (err) => {
      assert.equal(err.message, 'POST connections "bad": Please provide a valid spec id (HTTP 400)');
      assert.ok(!JSON.stringify(err.toJSON()).includes('super-secret-value-42'));
    }),
  );
  assert.equal(h.serviceRequests().length, 1, '4xx is never retried');
});

test('a validation error that would quote auth params has them scrubbed', async (t) => {
  const h = await harness(t);
  const body = kinesisConnection('acct', 'another-secret-value');
  (body.auth as { params: Record<string, unknown> }).params = { accessKeyId: 'AKIATEST', secretKey: 'another-secret-value' }; // no region
  await assert.rejects(
    h.client.create('prod', 'connections', body),
    expectApiError('FS_API_REQUEST', (err) => {
      assert.match(err.message, /^POST connections "acct": .*region/);
      assert.ok(!err.message.includes('another-secret-value'));
    }),
  );
});

test('gateway {error_code, message}: a wrong API key and a malformed org are auth errors with the gateway code', async (t) => {
  const h = await harness(t);
  const token = h.emu.admin.issueToken({ clientId: 'someone-else' });
  const wrongKey = h.newClient({ accessToken: token, clientSecret: undefined });
  await assert.rejects(
    wrongKey.list('prod', 'flows'),
    expectApiError('FS_API_AUTH', (err) => {
      assert.equal(err.message, 'GET flows: Api Key is invalid (HTTP 403, code 403003)');
      assert.equal(err.adobeCode, '403003');
    }),
  );
  const badOrg = h.newClient({ orgId: 'not-an-org' });
  await assert.rejects(badOrg.list('prod', 'flows'), expectApiError('FS_API_AUTH', (err) => assert.equal(err.adobeCode, '403027')));
});

test('an unknown sandbox name is reported with the Flow Service code', async (t) => {
  const { client } = await harness(t);
  const sandboxMissing = expectApiError('FS_API_NOT_FOUND', (err) => assert.equal(err.adobeCode, '2101-404'));
  await assert.rejects(client.list('stagin', 'flows'), sandboxMissing);
  // a missing sandbox is not a missing entity: get and delete do not read it as "already gone"
  await assert.rejects(client.get('stagin', 'flows', 'f1'), sandboxMissing);
  await assert.rejects(client.delete('stagin', 'flows', 'f1'), sandboxMissing);
  await assert.rejects(client.list('Not_A_Sandbox', 'flows'), expectApiError('FS_API_NOT_FOUND', (err) => assert.equal(err.adobeCode, '2100-404')));
});

test('secrets never reach events or errors, even through retries and failures', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: { count: 10, status: 500, method: 'POST', pathPrefix: '/connections' } } } });
  const time = virtualTime();
  const client = h.newClient({ maxRetries: 1, now: time.now, sleep: time.sleep });
  await assert.rejects(client.create('prod', 'connections', kinesisConnection('x', 'secret-in-body-123'), { findExisting: async () => undefined }), (err) => {
    const text = JSON.stringify(err) + String(err) + JSON.stringify(h.events);
    for (const secret of ['secret-in-body-123', EMULATOR_DEFAULTS.clientSecret]) assert.ok(!text.includes(secret), secret);
    assert.ok(!/Bearer|eyJ/.test(text), 'no token');
    return true;
  });
});
