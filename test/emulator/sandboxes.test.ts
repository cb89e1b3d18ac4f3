// The emulator's Sandbox Management API (list with limit/offset paging, look up by name) and the
// client's listSandboxes over it, against the real emulator over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, kinesisConnection } from '../api/harness.ts';
import { isApiError, isSandboxListUnavailable } from '../../src/api/index.ts';
import { SANDBOX_API_PATH } from '../../src/emulator/index.ts';

async function call(h: Awaited<ReturnType<typeof harness>>, pathAndQuery: string, headers: Record<string, string> = {}) {
  const token = h.emu.admin.issueToken();
  const res = await fetch(`${h.emu.url}${SANDBOX_API_PATH}${pathAndQuery}`, {
    headers: { Authorization: `Bearer ${token}`, 'x-api-key': 'flowsync-emulator', 'x-gw-ims-org-id': 'EMULATOR0000000000000000@AdobeOrg', ...headers },
  });
  return { status: res.status, body: (await res.json()) as any };
}

test('the list holds prod, the configured sandboxes and those added, in Adobe\'s shape', async (t) => {
  const h = await harness(t);
  h.emu.admin.addSandbox('qa');
  await h.client.create('qa', 'connections', kinesisConnection('qa-acct'));
  const { status, body } = await call(h, '/sandboxes');
  assert.equal(status, 200);
  assert.deepEqual(body.sandboxes.map((s: any) => s.name), ['prod', 'dev', 'qa']);
  const prod = body.sandboxes[0];
  assert.deepEqual(Object.keys(prod).sort(), ['createdBy', 'createdDate', 'eTag', 'isDefault', 'lastModifiedDate', 'modifiedBy', 'name', 'region', 'state', 'title', 'type'].sort());
  assert.equal(prod.type, 'production');
  assert.equal(prod.isDefault, true);
  assert.equal(body.sandboxes[1].type, 'development');
  assert.deepEqual(body._page, { limit: 50, count: 3 });
  assert.equal(body._links.next, undefined, 'one page only');
});

test('limit/offset paging: _page, _links.next and prev; limit without offset is a 400', async (t) => {
  const h = await harness(t, { emulator: { sandboxes: ['dev', 'stage', 'qa', 'perf'] } });
  const first = await call(h, '/sandboxes?limit=2&offset=0');
  assert.deepEqual(first.body.sandboxes.map((s: any) => s.name), ['prod', 'dev']);
  assert.deepEqual(first.body._page, { limit: 2, count: 2 });
  assert.equal(first.body._links.next.href, `${SANDBOX_API_PATH}/sandboxes?limit=2&offset=2`);
  const last = await call(h, '/sandboxes?limit=2&offset=4');
  assert.deepEqual(last.body.sandboxes.map((s: any) => s.name), ['stage']);
  assert.equal(last.body._links.next, undefined);
  assert.ok(last.body._links.prev);
  assert.equal((await call(h, '/sandboxes?limit=2')).status, 400);
});

test('look up one sandbox by name; an unknown one is 404; a missing token is the gateway\'s 403', async (t) => {
  const h = await harness(t);
  const dev = await call(h, '/sandboxes/dev');
  assert.equal(dev.status, 200);
  assert.equal(dev.body.name, 'dev');
  assert.equal(dev.body.state, 'active');
  assert.equal((await call(h, '/sandboxes/nope')).status, 404);
  const res = await fetch(`${h.emu.url}${SANDBOX_API_PATH}/sandboxes`);
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as any).error_code, '403010');
});

test('listSandboxes walks every page', async (t) => {
  const many = Array.from({ length: 130 }, (_, i) => `sb-${String(i).padStart(3, '0')}`);
  const h = await harness(t, { emulator: { sandboxes: many } });
  const names = await h.client.listSandboxes();
  assert.equal(names.length, 131);
  assert.equal(names[0], 'prod');
  assert.equal(new Set(names).size, 131);
  const pages = h.serviceRequests().filter((r) => r.path.endsWith('/sandboxes'));
  assert.deepEqual(pages.map((r) => r.query), ['limit=100&offset=0', 'limit=100&offset=100']);
});

test('a 403 (no sandbox-admin rights) or 404 is a typed "cannot list" error', async (t) => {
  const h = await harness(t, { emulator: { faults: { failNext: [{ count: 1, status: 403, pathPrefix: SANDBOX_API_PATH }, { count: 1, status: 404, pathPrefix: SANDBOX_API_PATH }] } } });
  await assert.rejects(h.client.listSandboxes(), (err) => isSandboxListUnavailable(err) && err.reason === 'forbidden' && isApiError(err, 'FS_API_AUTH'));
  await assert.rejects(h.client.listSandboxes(), (err) => isSandboxListUnavailable(err) && err.reason === 'not-found');
  assert.deepEqual(await h.client.listSandboxes(), ['prod', 'dev']);
});
