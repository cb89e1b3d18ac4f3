// The seed tutorial ("activate audiences to streaming destinations"), end to end over plain HTTP, for
// Amazon Kinesis and Azure Event Hubs: specs, Profile Store connections, destination connections, the
// flow, a PATCH with a segment and a profile selector under If-Match, and a GET that shows both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMULATOR_DEFAULTS, EVENT_HUBS, KINESIS, PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID, eventHubsAuth, kinesisAuth, startForTest } from './helpers.ts';
import { audienceSeeds } from '../helpers/audiences.ts';

const SEGMENT_ID = '9f7d37fd-7039-4454-94ef-2b0cd6c3206a';

const cases = [
  { name: 'Amazon Kinesis', specId: KINESIS, auth: kinesisAuth('s3cr3t'), params: { stream: 'acme-stream', region: 'us-east-1' }, secret: 'secretKey' },
  { name: 'Azure Event Hubs', specId: EVENT_HUBS, auth: eventHubsAuth('s3cr3t'), params: { eventHubName: 'acme-hub' }, secret: 'sasKey' },
] as const;

for (const c of cases) {
  test(`seed tutorial runs end to end for ${c.name} over plain HTTP`, async (t) => {
    const emu = await startForTest(t, { audiences: audienceSeeds([SEGMENT_ID]) }); // the audience the tutorial activates
    // 1. token from the IMS endpoint (form body, client_credentials)
    const tokenRes = await fetch(emu.imsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${EMULATOR_DEFAULTS.clientId}&client_secret=${EMULATOR_DEFAULTS.clientSecret}&scope=openid,AdobeID,read_organizations,additional_info.projectedProductContext`,
    });
    assert.equal(tokenRes.status, 200);
    const token = (await tokenRes.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.expires_in, 86399);
    const headers = {
      Authorization: `Bearer ${token.access_token}`,
      'x-api-key': EMULATOR_DEFAULTS.clientId,
      'x-gw-ims-org-id': EMULATOR_DEFAULTS.orgId,
      'x-sandbox-name': 'prod',
      'Content-Type': 'application/json',
    };
    const call = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
      const res = await fetch(`${emu.flowServiceUrl}${path}`, { method, headers: { ...headers, ...extra }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };

    // 2. connection specs: find the destination and the Profile Store
    const specs = await call('GET', '/connectionSpecs');
    assert.equal(specs.status, 200);
    const spec = specs.body.items.find((s: { id: string }) => s.id === c.specId);
    assert.equal(spec.name, c.name);
    assert.equal(spec.authSpec[0].name, c.auth.specName);
    assert.ok(spec.authSpec[0].spec.required.includes(c.secret));
    const one = await call('GET', `/connectionSpecs/${PROFILE_STORE_SPEC_ID}`);
    assert.equal(one.body.items.length, 1);
    const flowSpecs = await call('GET', `/flowSpecs?property=id==${STREAMING_FLOW_SPEC_ID}`);
    assert.ok(flowSpecs.body.items[0].targetConnectionSpecIds.includes(c.specId));

    // 3. Profile Store base and source connections
    const psBase = await call('POST', '/connections', { name: 'Connection to Profile Store', description: 'Profile Store', connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' } });
    assert.equal(psBase.status, 201);
    assert.match(psBase.body.etag, /^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{12}"$/);
    const source = await call('POST', '/sourceConnections', {
      name: 'Connecting to Profile Service', description: 'Source connection', baseConnectionId: psBase.body.id,
      connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' }, data: { format: 'json' }, params: {},
    });
    assert.equal(source.status, 201);

    // 4. destination base and target connections
    const base = await call('POST', '/connections', { name: `${c.name} account`, description: 'acme', connectionSpec: { id: c.specId, version: '1.0' }, auth: c.auth });
    assert.equal(base.status, 201);
    const target = await call('POST', '/targetConnections', {
      name: `${c.name} target`, description: 'acme', baseConnectionId: base.body.id, connectionSpec: { id: c.specId, version: '1.0' }, data: { format: 'json' }, params: c.params,
    });
    assert.equal(target.status, 201);

    // 5. the flow, with empty selectors
    const flow = await call('POST', '/flows', {
      name: `Activate to ${c.name}`, description: 'tutorial', flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
      sourceConnectionIds: [source.body.id], targetConnectionIds: [target.body.id],
      transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } }],
    });
    assert.equal(flow.status, 201);
    const created = await call('GET', `/flows/${flow.body.id}`);
    assert.equal(created.body.items[0].etag, flow.body.etag);
    assert.equal(created.body.items[0].state, 'enabled');

    // 6. PATCH with a segment selector and a profile selector, If-Match = the flow's etag
    const patch = await call('PATCH', `/flows/${flow.body.id}`, [
      { op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: SEGMENT_ID, name: 'Loyal', description: 'loyal customers' } } },
      { op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value: { type: 'JSON_PATH', value: { path: 'person.name.firstName', operator: 'EXISTS' } } },
    ], { 'If-Match': flow.body.etag });
    assert.equal(patch.status, 200);
    assert.equal(patch.body.id, flow.body.id);
    assert.notEqual(patch.body.etag, flow.body.etag);

    // 7. GET it and find both selectors
    const got = await call('GET', `/flows/${flow.body.id}`);
    const f = got.body.items[0];
    assert.equal(f.etag, patch.body.etag);
    assert.equal(f.version, patch.body.etag);
    const params = f.transformations[0].params;
    assert.equal(params.segmentSelectors.selectors[0].value.id, SEGMENT_ID);
    assert.match(params.segmentSelectors.selectors[0].value.createTime, /^\d{10}$/);
    assert.deepEqual(params.profileSelectors.selectors[0], { type: 'JSON_PATH', value: { path: 'person.name.firstName', operator: 'EXISTS' } });
    assert.equal(f.inheritedAttributes.properties.isDestinationFlow, true);
    assert.equal(f.inheritedAttributes.targetConnections[0].connectionSpec.id, c.specId);
    assert.equal(f.lastOperation.operation, 'update');
    assert.equal(f.lastOperation.ops.length, 2);

    // secrets never come back
    const acct = await call('GET', `/connections/${base.body.id}`);
    assert.equal(acct.body.items[0].auth.params[c.secret], undefined);
    assert.ok(!JSON.stringify(acct.body).includes('s3cr3t'));
  });
}
