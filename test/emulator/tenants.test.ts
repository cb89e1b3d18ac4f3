// Each org's sandbox registry and each client's org, over HTTP: an unknown sandbox is 2101-404 on
// every Flow Service call (nothing is created by writing), and a token used for another org's
// x-gw-ims-org-id is the gateway's 403 403025.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFor, EMULATOR_DEFAULTS, httpCall, KINESIS, startForTest } from './helpers.ts';
import { ADMIN_PREFIX, SANDBOX_API_PATH } from '../../src/emulator/index.ts';

const account = { name: 'acct', connectionSpec: { id: KINESIS, version: '1.0' }, auth: { specName: 'Aws Kinesis authentication credentials', params: { accessKeyId: 'AKIA', secretKey: 's', region: 'us-east-1' } } };

test('an unknown sandbox is 2101-404 with Adobe\'s body on reads and writes, and writing does not create it', async (t) => {
  const emu = await startForTest(t);
  const typo = await apiFor(emu, { sandbox: 'stagin' });
  const calls: [string, string, unknown?][] = [
    ['GET', '/connections'], ['GET', '/flows?count=true'], ['GET', '/connectionSpecs'], ['GET', '/flows/1a2b'],
    ['POST', '/connections', account], ['PATCH', '/connections/1a2b', []], ['DELETE', '/flows/1a2b'], ['POST', '/flows/1a2b/action?op=disable'],
  ];
  for (const [method, path, body] of calls) {
    const res = await typo(method, path, body, { 'if-match': '"x"' });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-2101-404');
    assert.equal(res.body.title, 'Sandbox not found');
    assert.equal(res.body.report['detailed-message'], "The sandbox with the name 'stagin' could not be found. Error from Sandbox Management API: Sandbox with name 'stagin' not present. Please check if resource exists.");
  }
  assert.deepEqual(emu.admin.sandboxes(), ['prod', 'dev']);
  assert.deepEqual(Object.keys(emu.admin.snapshot().scopes), [], 'nothing was stored');
  assert.equal((await (await apiFor(emu, { sandbox: 'dev' }))('GET', '/connections')).status, 200, 'the example repo\'s dev exists by default');
});

test('the admin route adds a sandbox to one org; the Sandbox Management API lists it; other orgs do not have it', async (t) => {
  const emu = await startForTest(t, { clients: { 'acme-client': 'ACME0000@AdobeOrg' } });
  const add = await httpCall('POST', `${emu.url}${ADMIN_PREFIX}/sandboxes`, { 'content-type': 'application/json' }, JSON.stringify({ name: 'stage' }));
  assert.equal(add.status, 201);
  assert.deepEqual(add.body, { name: 'stage', created: true, sandboxes: ['prod', 'dev', 'stage'] });
  const again = await httpCall('POST', `${emu.url}${ADMIN_PREFIX}/sandboxes`, { 'content-type': 'application/json' }, JSON.stringify({ name: 'stage' }));
  assert.equal(again.status, 200);
  const bad = await httpCall('POST', `${emu.url}${ADMIN_PREFIX}/sandboxes`, { 'content-type': 'application/json' }, JSON.stringify({ name: 'Stage_1' }));
  assert.equal(bad.status, 400);
  const stage = await apiFor(emu, { sandbox: 'stage' });
  const made = await stage('POST', '/connections', account);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const acme = await apiFor(emu, { sandbox: 'stage', clientId: 'acme-client', org: 'ACME0000@AdobeOrg' });
  assert.equal((await acme('GET', '/connections')).status, 404, 'sandboxes belong to one org');
  const token = emu.admin.issueToken();
  const list = await httpCall('GET', `${emu.url}${SANDBOX_API_PATH}/sandboxes`, { authorization: `Bearer ${token}`, 'x-api-key': EMULATOR_DEFAULTS.clientId, 'x-gw-ims-org-id': EMULATOR_DEFAULTS.orgId });
  assert.deepEqual(list.body.sandboxes.map((s: { name: string }) => s.name), ['prod', 'dev', 'stage']);
});

test('a token is entitled to its client\'s org only: another x-gw-ims-org-id is 403 403025 "Profile is not valid"', async (t) => {
  const emu = await startForTest(t);
  const demoForOther = await apiFor(emu, { org: 'OTHER000@AdobeOrg' });
  for (const [method, path] of [['GET', '/flows'], ['POST', '/connections']] as const) {
    const res = await demoForOther(method, path, method === 'POST' ? account : undefined);
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { error_code: '403025', message: 'Profile is not valid' });
  }
  const add = await httpCall('POST', `${emu.url}${ADMIN_PREFIX}/clients`, { 'content-type': 'application/json' }, JSON.stringify({ clientId: 'other-client', orgId: 'OTHER000@AdobeOrg' }));
  assert.equal(add.status, 201);
  const other = await apiFor(emu, { org: 'OTHER000@AdobeOrg', clientId: 'other-client' });
  assert.equal((await other('GET', '/flows')).status, 200, 'a client added for the org may call it; its org has prod and dev');
  assert.equal((await (await apiFor(emu, { clientId: 'other-client' }))('GET', '/flows')).status, 403, 'and no longer the demo org');
  const list = await httpCall('GET', `${emu.url}${SANDBOX_API_PATH}/sandboxes`, { authorization: `Bearer ${emu.admin.issueToken()}`, 'x-api-key': EMULATOR_DEFAULTS.clientId, 'x-gw-ims-org-id': 'OTHER000@AdobeOrg' });
  assert.equal(list.status, 403, 'the Sandbox Management API has the same gateway check');
});

test('a state file keeps added sandboxes and clients; one from before the registry keeps the sandboxes holding entities', async (t) => {
  const { mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'flowsync-tenants-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const stateFile = join(dir, 'state.json');
  const first = await startForTest(t, { stateFile });
  first.admin.addSandbox('stage');
  first.admin.addClient('acme-client', 'ACME0000@AdobeOrg');
  assert.equal((await (await apiFor(first, { sandbox: 'stage' }))('POST', '/connections', account)).status, 201);
  await first.close();
  const second = await startForTest(t, { stateFile });
  assert.deepEqual(second.admin.sandboxes(), ['prod', 'dev', 'stage']);
  assert.equal((await (await apiFor(second, { clientId: 'acme-client', org: 'ACME0000@AdobeOrg' }))('GET', '/flows')).status, 200);
  await second.close();
  const old = JSON.parse(await readFile(stateFile, 'utf8'));
  delete old.tenants;
  await writeFile(stateFile, JSON.stringify(old));
  const third = await startForTest(t, { stateFile });
  assert.deepEqual(third.admin.sandboxes(), ['prod', 'dev', 'stage'], 'stage holds an entity');
});
