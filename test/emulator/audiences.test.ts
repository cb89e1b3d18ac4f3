// The emulator's Segmentation Service (/data/core/ups): /audiences and /segment/definitions over one
// store per org and sandbox, and the Flow Service refusing to activate an id that is no audience of
// the flow's sandbox. Plain HTTP against the real emulator on an ephemeral port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { audienceUuid, EXAMPLE_AUDIENCES, SEGMENTATION_PATH, startEmulator, type StartedEmulator } from '../../src/emulator/index.ts';
import { apiFor, EMULATOR_DEFAULTS, getToken, httpCall, makeFlow, startForTest, type Reply } from './helpers.ts';

const EXAMPLE_ORG = '0123456789ABCDEF01234567@AdobeOrg';
const MEN_OVER_50_PROD = '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02';

type Ups = (method: string, pathAndQuery: string, body?: unknown, headers?: Record<string, string | null>) => Promise<Reply>;

/** An authenticated caller of the emulator's Segmentation Service in one sandbox. */
async function upsFor(emu: StartedEmulator, sandbox: string | null = 'prod', org: string = EMULATOR_DEFAULTS.orgId, clientId: string = EMULATOR_DEFAULTS.clientId): Promise<Ups> {
  const token = await getToken(emu, clientId);
  const base: Record<string, string> = { authorization: `Bearer ${token}`, 'x-api-key': clientId, 'x-gw-ims-org-id': org };
  if (sandbox !== null) base['x-sandbox-name'] = sandbox;
  return (method, pathAndQuery, body, headers = {}) => {
    const h: Record<string, string> = { ...base, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    for (const [k, v] of Object.entries(headers)) {
      if (v === null) delete h[k];
      else h[k] = v;
    }
    return httpCall(method, `${emu.url}${SEGMENTATION_PATH}${pathAndQuery}`, h, body === undefined ? undefined : JSON.stringify(body));
  };
}

const names = (r: Reply) => (r.body.children ?? r.body.segments).map((a: { name: string }) => a.name);

function definition(name: string, extra: Record<string, unknown> = {}) {
  return { name, description: `${name} (test)`, expression: { type: 'PQL', format: 'pql/text', value: 'workAddress.country = "US"' }, schema: { name: '_xdm.context.profile' }, ...extra };
}

test('every emulator starts with the example repo\'s audiences: prod keeps the manifests\' ids, dev has its own', async (t) => {
  const emu = await startForTest(t);
  const prod = await (await upsFor(emu, 'prod', EXAMPLE_ORG, 'flowsync-example'))('GET', '/audiences?limit=100');
  const dev = await (await upsFor(emu, 'dev', EXAMPLE_ORG, 'flowsync-example'))('GET', '/audiences?limit=100');
  assert.equal(prod.status, 200);
  const idOf = (r: Reply, name: string) => r.body.children.find((a: { name: string }) => a.name === name)?.id;
  assert.equal(idOf(prod, 'Men over 50'), MEN_OVER_50_PROD);
  assert.equal(idOf(dev, 'Men over 50'), audienceUuid('dev', 'Men over 50'));
  assert.notEqual(idOf(dev, 'Men over 50'), MEN_OVER_50_PROD);
  assert.deepEqual([...names(prod)].sort(), [...names(dev)].sort(), 'the same names in both sandboxes');
  assert.equal(prod.body.children.length, EXAMPLE_AUDIENCES.filter((s) => s.orgId === EXAMPLE_ORG && s.sandbox === 'prod').length);
  // /audiences lists every origin; /segment/definitions only the PQL ones
  assert.deepEqual([...new Set(prod.body.children.map((a: { originName: string }) => a.originName))].sort(), ['CUSTOM_UPLOAD', 'REAL_TIME_CUSTOMER_PROFILE']);
  const defs = await (await upsFor(emu, 'prod', EXAMPLE_ORG, 'flowsync-example'))('GET', '/segment/definitions');
  assert.equal(defs.body.segments.length, prod.body.children.length - 1);
  assert.ok(!names(defs).includes('Store visitors (CRM upload)'));
});

test('/audiences: the documented shape, start/limit paging with _page and _links.next, newest first', async (t) => {
  const emu = await startForTest(t, { audiences: [] });
  for (let i = 0; i < 5; i++) emu.admin.addAudience({ sandbox: 'prod', name: `Audience ${i}` });
  const ups = await upsFor(emu);
  const first = await ups('GET', '/audiences?limit=2');
  assert.equal(first.status, 200);
  assert.deepEqual(names(first), ['Audience 4', 'Audience 3']);
  assert.deepEqual(first.body._page, { totalCount: 5, pageSize: 2, next: '2' });
  assert.equal(first.body._links.next.href, '@/audiences?limit=2&start=2&totalCount=5');
  const a = first.body.children[0];
  for (const key of ['id', 'audienceId', 'schema', 'imsOrgId', 'sandbox', 'name', 'description', 'expression', 'type', 'originName', 'lifecycleState', 'creationTime', 'updateTime', '_etag']) assert.ok(key in a, key);
  assert.equal(a.audienceId, a.id);
  assert.deepEqual(a.schema, { name: '_xdm.context.profile' });
  assert.equal(a.sandbox.sandboxName, 'prod');
  assert.equal(a.type, 'SegmentDefinition');
  const last = await ups('GET', '/audiences?limit=2&start=4');
  assert.deepEqual(names(last), ['Audience 0']);
  assert.deepEqual(last.body._page, { totalCount: 5, pageSize: 1 });
  assert.deepEqual(last.body._links, {});
  const asc = await ups('GET', '/audiences?sort=name:asc&limit=100');
  assert.deepEqual(names(asc), ['Audience 0', 'Audience 1', 'Audience 2', 'Audience 3', 'Audience 4']);
  assert.equal((await ups('GET', '/audiences?start=x')).status, 400);
});

test('/audiences filters: name and description contain (any case), property exact, inactive only by audienceId', async (t) => {
  const emu = await startForTest(t, { audiences: [] });
  emu.admin.addAudience({ sandbox: 'prod', name: 'Gold tier members', description: 'Loyalty' });
  emu.admin.addAudience({ sandbox: 'prod', name: 'Gold tier (old)', lifecycleState: 'inactive' });
  emu.admin.addAudience({ sandbox: 'prod', name: 'CRM upload', type: 'ExternalSegment' });
  const ups = await upsFor(emu);
  assert.deepEqual(names(await ups('GET', '/audiences?name=GOLD')), ['Gold tier members']);
  assert.deepEqual(names(await ups('GET', '/audiences?description=loyal')), ['Gold tier members']);
  assert.deepEqual(names(await ups('GET', `/audiences?property=${encodeURIComponent('name==Gold tier members')}`)), ['Gold tier members']);
  assert.deepEqual(names(await ups('GET', '/audiences?property=type==ExternalSegment')), ['CRM upload']);
  const inactiveId = audienceUuid('prod', 'Gold tier (old)');
  assert.deepEqual(names(await ups('GET', `/audiences?property=audienceId==${inactiveId}`)), ['Gold tier (old)']);
  const bad = await ups('GET', '/audiences?property=colour==red');
  assert.equal(bad.status, 400);
  assert.match(bad.body.type, /UPAPI-\d+-400$/);
});

test('audiences are per org and sandbox: the same name has its own id, an id of another sandbox is a 404', async (t) => {
  const emu = await startForTest(t, { audiences: [{ sandbox: 'prod', name: 'Men over 50' }, { sandbox: 'dev', name: 'Men over 50' }] });
  const prod = await upsFor(emu, 'prod');
  const dev = await upsFor(emu, 'dev');
  const prodId = (await prod('GET', '/audiences')).body.children[0].id;
  const devId = (await dev('GET', '/audiences')).body.children[0].id;
  assert.notEqual(prodId, devId);
  assert.equal((await prod('GET', `/audiences/${prodId}`)).status, 200);
  const other = await prod('GET', `/audiences/${devId}`);
  assert.equal(other.status, 404);
  assert.deepEqual(other.body, {
    errors: { 404: [{ code: 404, message: `The audience entity ${devId} is not found. Use a valid entity and try again.` }] },
    type: 'https://ns.adobe.com/aep/errors/UPAPI-113430-404',
    title: `The audience entity ${devId} is not found. Use a valid entity and try again.`,
    status: 404,
  });
  assert.equal((await prod('GET', `/segment/definitions/${devId}`)).status, 404);
  const otherOrg = await upsFor(emu, 'prod', EXAMPLE_ORG, 'flowsync-example');
  assert.equal((await otherOrg('GET', '/audiences')).body.children.length, 0, 'the other org sees none of them');
});

test('POST /segment/definitions creates an audience both views show; bad bodies get Adobe\'s 400, a taken name 422', async (t) => {
  const emu = await startForTest(t, { audiences: [] });
  const ups = await upsFor(emu, 'dev');
  const created = await ups('POST', '/segment/definitions', definition('People who ordered in the last 30 days'));
  assert.equal(created.status, 200);
  const id = created.body.id as string;
  assert.equal(created.headers.get('x-location'), `${SEGMENTATION_PATH}/segment/definitions/${id}`);
  assert.deepEqual(created.body.expression, { type: 'PQL', format: 'pql/text', value: 'workAddress.country = "US"' });
  assert.equal(created.body.sandbox.sandboxName, 'dev');
  assert.equal((await ups('GET', `/segment/definitions/${id}`)).body.name, 'People who ordered in the last 30 days');
  const audience = (await ups('GET', `/audiences/${id}`)).body;
  assert.equal(audience.originName, 'REAL_TIME_CUSTOMER_PROFILE');
  assert.equal(audience.createdBy, `${EMULATOR_DEFAULTS.clientId}@AdobeID`);
  const list = await ups('GET', '/segment/definitions?limit=10');
  assert.deepEqual(names(list), ['People who ordered in the last 30 days']);
  assert.deepEqual(list.body.page, { totalCount: 1, totalPages: 1, sortField: 'creationTime', sort: 'desc', pageSize: 1, limit: 10 });

  const noName = await ups('POST', '/segment/definitions', definition('', {}));
  assert.equal(noName.status, 400);
  assert.equal(noName.body.type, 'https://ns.adobe.com/aep/errors/UPLIB-101206-500');
  assert.equal(noName.body.title, 'There is a problem extracting the user JSON, field(s) missing or invalid.  Correct and try again.');
  assert.ok(noName.body.errors['400'].some((e: { message: string }) => /No usable value for name/.test(e.message)));
  for (const bad of [
    definition('x', { expression: undefined }),
    definition('x', { expression: { type: 'SQL', format: 'pql/text', value: 'a = 1' } }),
    definition('x', { expression: { type: 'PQL', format: 'pql/yaml', value: 'a = 1' } }),
    definition('x', { expression: { type: 'PQL', format: 'pql/text', value: '' } }),
    definition('x', { schema: undefined }),
    definition('x', { schema: {} }),
  ]) {
    const r = await ups('POST', '/segment/definitions', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
  }
  const taken = await ups('POST', '/segment/definitions', definition('People who ordered in the last 30 days'));
  assert.equal(taken.status, 422);
  assert.equal((await ups('GET', '/audiences')).body.children.length, 1, 'no write for a refused create');
});

test('/segment/definitions pages with limit and page, and lists no external audience', async (t) => {
  const emu = await startForTest(t, { audiences: [{ sandbox: 'prod', name: 'Uploaded', type: 'ExternalSegment' }] });
  for (let i = 0; i < 3; i++) emu.admin.addAudience({ sandbox: 'prod', name: `Definition ${i}` });
  const ups = await upsFor(emu);
  const first = await ups('GET', '/segment/definitions?limit=2');
  assert.deepEqual(names(first), ['Definition 2', 'Definition 1']);
  assert.equal(first.body.page.totalCount, 3);
  assert.equal(first.body.page.totalPages, 2);
  assert.equal(first.body.link.next, '/segment/definitions?start=2&limit=2');
  assert.deepEqual(names(await ups('GET', '/segment/definitions?limit=2&page=1')), ['Definition 0']);
  const external = audienceUuid('prod', 'Uploaded');
  assert.equal((await ups('GET', `/segment/definitions/${external}`)).status, 404);
  assert.equal((await ups('GET', `/audiences/${external}`)).status, 200);
});

test('DELETE removes the audience from both views; an activated audience cannot be deleted', async (t) => {
  const emu = await startForTest(t, { audiences: [{ sandbox: 'prod', name: 'Kept' }, { sandbox: 'prod', name: 'Gone' }, { sandbox: 'prod', name: 'Also gone' }] });
  const ups = await upsFor(emu);
  const gone = audienceUuid('prod', 'Gone');
  const del = await ups('DELETE', `/segment/definitions/${gone}`);
  assert.equal(del.status, 200);
  assert.equal((await ups('GET', `/audiences/${gone}`)).status, 404);
  assert.equal((await ups('DELETE', `/segment/definitions/${gone}`)).status, 404);
  assert.equal((await ups('DELETE', `/audiences/${audienceUuid('prod', 'Also gone')}`)).status, 204);

  const kept = audienceUuid('prod', 'Kept');
  const api = await apiFor(emu);
  const { flowId, etag } = await makeFlow(api);
  const add = await api('PATCH', `/flows/${flowId}`, [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: kept } } }], { 'if-match': etag });
  assert.equal(add.status, 200, add.text);
  const refused = await ups('DELETE', `/segment/definitions/${kept}`);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.type, 'https://ns.adobe.com/aep/errors/UPAPI-113631-400');
  assert.equal((await ups('GET', `/audiences/${kept}`)).status, 200);
});

test('the Segmentation Service has the gateway\'s checks and the Flow Service\'s unknown-sandbox answer', async (t) => {
  const emu = await startForTest(t);
  const ups = await upsFor(emu);
  const noToken = await ups('GET', '/audiences', undefined, { authorization: null });
  assert.equal(noToken.status, 403);
  assert.equal(noToken.body.error_code, '403010');
  assert.equal((await ups('GET', '/audiences', undefined, { authorization: 'Bearer nope' })).status, 401);
  assert.equal((await ups('GET', '/audiences', undefined, { 'x-api-key': null })).body.error_code, '403000');
  assert.equal((await ups('GET', '/audiences', undefined, { 'x-gw-ims-org-id': null })).status, 400);
  const wrongOrg = await ups('GET', '/audiences', undefined, { 'x-gw-ims-org-id': EXAMPLE_ORG });
  assert.equal(wrongOrg.status, 403);
  assert.equal(wrongOrg.body.error_code, '403025');
  const unknown = await ups('GET', '/audiences', undefined, { 'x-sandbox-name': 'staging' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.type, 'https://ns.adobe.com/aep/errors/FLOW-2101-404');
  const noSandbox = await upsFor(emu, null);
  assert.equal((await noSandbox('GET', '/audiences?limit=100')).body.children[0].sandbox.sandboxName, 'prod', 'no header: prod');
  assert.equal((await ups('GET', '/segments')).status, 404);
  assert.equal((await ups('PUT', '/audiences')).status, 405);
  // requests are logged with their sandbox (name resolution counts its list walks per sandbox)
  const logged = emu.admin.requests().filter((r) => r.path === `${SEGMENTATION_PATH}/audiences` && r.status === 200);
  assert.ok(logged.length > 0 && logged.every((r) => r.sandbox === 'prod'));
});

test('activating an id that is no audience of the flow\'s sandbox is refused, with no change', async (t) => {
  const emu = await startForTest(t, { audiences: [{ sandbox: 'prod', name: 'Men over 50' }, { sandbox: 'dev', name: 'Men over 50' }] });
  const api = await apiFor(emu);
  const { flowId, etag } = await makeFlow(api);
  const devId = audienceUuid('dev', 'Men over 50');
  const add = (id: string) => ({ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id } } });
  const before = (await api('GET', `/flows/${flowId}`)).body.items[0];
  for (const id of [devId, '0b3f5e7a-1111-4222-8333-944455556666']) {
    const r = await api('PATCH', `/flows/${flowId}`, [add(audienceUuid('prod', 'Men over 50')), add(id)], { 'if-match': etag });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1100-400');
    assert.equal(r.body.title, 'Invalid request');
    assert.equal(r.body.errorMessage, `The request could not be processed. Error from flow provider: The audience entity ${id} is not found in sandbox prod. Use a valid entity and try again.`);
    assert.deepEqual({ id: r.body.report.id, type: r.body.report.type, sandbox: r.body.report.sandbox }, { id, type: 'audiences', sandbox: 'prod' });
  }
  const after = (await api('GET', `/flows/${flowId}`)).body.items[0];
  assert.deepEqual(after, before, 'the flow is unchanged (etag included)');
  const ok = await api('PATCH', `/flows/${flowId}`, [add(audienceUuid('prod', 'Men over 50'))], { 'if-match': etag });
  assert.equal(ok.status, 200, ok.text);
});

test('an id activated out of band (in the UI) does not block other changes to the flow', async (t) => {
  const emu = await startForTest(t, { audiences: [{ sandbox: 'prod', name: 'Men over 50' }], transitionMs: 0 });
  const api = await apiFor(emu);
  const { flowId } = await makeFlow(api);
  const legacy = '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0';
  const add = (id: string) => ({ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id } } });
  const edited = emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flowId, ops: [add(legacy)] });
  const r = await api('PATCH', `/flows/${flowId}`, [add(audienceUuid('prod', 'Men over 50'))], { 'if-match': edited.etag });
  assert.equal(r.status, 200, r.text);
});

test('audiences persist in the state file; a restart keeps renames and deletions instead of re-seeding', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-audiences-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const stateFile = path.join(dir, 'state.json');
  const seeds = [{ sandbox: 'prod', name: 'Men over 50' }, { sandbox: 'prod', name: 'Newsletter subscribers' }];
  const first = await startEmulator({ port: 0, stateFile, audiences: seeds });
  const id = audienceUuid('prod', 'Men over 50');
  first.admin.addAudience({ sandbox: 'prod', id, name: 'Men over 50 (renamed in AEP)' });
  const ups1 = await upsFor(first);
  assert.equal((await ups1('DELETE', `/segment/definitions/${audienceUuid('prod', 'Newsletter subscribers')}`)).status, 200);
  const created = (await ups1('POST', '/segment/definitions', definition('Made over the API'))).body.id as string;
  await first.close();

  const second = await startEmulator({ port: 0, stateFile, audiences: seeds });
  t.after(() => second.close());
  const ups2 = await upsFor(second);
  assert.deepEqual(names(await ups2('GET', '/audiences?sort=name:asc')), ['Made over the API', 'Men over 50 (renamed in AEP)']);
  assert.equal((await ups2('GET', `/audiences/${created}`)).status, 200);
  assert.equal((await ups2('GET', `/audiences/${id}`)).body.name, 'Men over 50 (renamed in AEP)');
});

test('the admin route seeds and renames audiences; it refuses a sandbox the org does not have', async (t) => {
  const emu = await startForTest(t, { audiences: [] });
  const post = (body: unknown) => httpCall('POST', `${emu.url}/__emulator/audiences`, { 'content-type': 'application/json' }, JSON.stringify(body));
  const made = await post([{ sandbox: 'dev', name: 'Gold tier members' }, { sandbox: 'dev', name: 'Uploaded', type: 'ExternalSegment', id: 'external-1' }]);
  assert.equal(made.status, 201);
  assert.deepEqual(made.body.audiences.map((a: { id: string }) => a.id), [audienceUuid('dev', 'Gold tier members'), 'external-1']);
  const renamed = await post({ sandbox: 'dev', id: audienceUuid('dev', 'Gold tier members'), name: 'Gold members' });
  assert.equal(renamed.body.audiences[0].name, 'Gold members');
  assert.deepEqual(emu.admin.audiences('dev').map((a) => a.name), ['Gold members', 'Uploaded']);
  const refused = await post({ sandbox: 'staging', name: 'x' });
  assert.equal(refused.status, 400);
  assert.match(refused.body.message, /no sandbox "staging"/);
  await assert.rejects(startEmulator({ port: 0, audiences: [{ sandbox: 'staging', name: 'x' }] }), /sandbox "staging" does not exist/);
});
