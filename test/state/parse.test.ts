// Entity parsers on the shapes the docs show, including the variants the API is known to send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBaseConnection, parseFlow, parseSourceConnection, parseTargetConnection, isDestinationFlow } from '../../src/state/parse.ts';
import { isFlowsyncError } from '../../src/domain/errors.ts';

const ETAG = '"0e0d95ae-0000-0200-0000-62a21cdd0000"';
const KINESIS = '86043421-563b-46ec-8e6c-e23184711bf6';
const PROFILE = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';
const FLOW_SPEC = '71471eba-b620-49e4-90fd-23f1fa0174d8';
const SEG_A = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const SEG_B = '11111111-2222-3333-4444-555555555555';

const common = {
  etag: ETAG,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_500_000,
  createdBy: 'svc@AdobeID',
  updatedBy: 'ui-user@AdobeID',
  updatedClient: 'exc_app',
  sandboxName: 'prod',
};

test('a base connection keeps its auth params as returned, masked secret or not', () => {
  const masked = parseBaseConnection(
    {
      ...common,
      id: 'base-1',
      name: 'kinesis-main',
      description: 'Main [flowsync:account/kinesis-main h=abc c=def]',
      connectionSpec: { id: KINESIS, version: '1.0' },
      auth: { specName: 'Aws Kinesis authentication credentials', params: { accessKeyId: 'AKIA1', secretKey: '***', region: 'us-east-1', authorizedDate: '2022-08-03' } },
      state: 'enabled',
    },
    'prod',
  );
  assert.deepEqual(masked, {
    id: 'base-1',
    etag: ETAG,
    sandbox: 'prod',
    name: 'kinesis-main',
    description: 'Main [flowsync:account/kinesis-main h=abc c=def]',
    specId: KINESIS,
    authSpecName: 'Aws Kinesis authentication credentials',
    authParams: { accessKeyId: 'AKIA1', secretKey: '***', region: 'us-east-1', authorizedDate: '2022-08-03' },
    state: 'enabled',
    lastWrite: { updatedAt: 1_700_000_500_000, updatedBy: 'ui-user@AdobeID', updatedClient: 'exc_app' },
    createdAt: 1_700_000_000_000,
  });
  // Profile Store base connections have no auth at all; version stands in for a missing etag.
  const profile = parseBaseConnection({ id: 'base-2', version: ETAG, connectionSpec: { id: PROFILE }, state: 'enabled', createdAt: 5, createdBy: 'a@AdobeID' }, 'dev');
  assert.deepEqual(profile.authParams, {});
  assert.equal(profile.authSpecName, undefined);
  assert.equal(profile.etag, ETAG);
  assert.equal(profile.description, '');
  assert.deepEqual(profile.lastWrite, { updatedAt: 5, updatedBy: 'a@AdobeID' });
});

test('source and target connections read baseConnectionId directly or from inheritedAttributes', () => {
  const source = parseSourceConnection(
    { ...common, id: 'src-1', name: 'ps', connectionSpec: { id: PROFILE }, inheritedAttributes: { baseConnection: { id: 'base-2', connectionSpec: { id: PROFILE } } }, state: 'enabled' },
    'prod',
  );
  assert.equal(source.baseConnectionId, 'base-2');
  const target = parseTargetConnection(
    { ...common, id: 'tgt-1', name: 'orders', baseConnectionId: 'base-1', connectionSpec: { id: KINESIS }, data: { format: 'json' }, params: { stream: 'orders', region: 'us-east-1' }, state: 'enabled' },
    'prod',
  );
  assert.equal(target.baseConnectionId, 'base-1');
  assert.equal(target.format, 'json');
  assert.deepEqual(target.params, { stream: 'orders', region: 'us-east-1' });
  const fromArray = parseTargetConnection({ ...common, id: 'tgt-2', inheritedAttributes: { baseConnection: [{ id: 'base-9' }] } }, 'prod');
  assert.equal(fromArray.baseConnectionId, 'base-9');
  assert.deepEqual(fromArray.params, {});
});

function flowWith(segments: unknown[], attributes: unknown[], inheritedAsArrays = true): Record<string, unknown> {
  const src = { id: 'src-1', connectionSpec: { id: PROFILE }, typeInfo: { type: 'ProfileFragments', id: 'ups' } };
  const tgt = { id: 'tgt-1', connectionSpec: { id: KINESIS } };
  return {
    ...common,
    id: 'flow-1',
    name: 'orders',
    description: '[flowsync:destination/orders h=1]',
    flowSpec: { id: FLOW_SPEC, version: '1.0' },
    state: 'enabled',
    inheritedAttributes: inheritedAsArrays
      ? { properties: { isDestinationFlow: true }, sourceConnections: [src], targetConnections: [tgt] }
      : { properties: { isDestinationFlow: true }, sourceConnections: src, targetConnections: tgt },
    transformations: [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: segments }, profileSelectors: { selectors: attributes } } }],
  };
}

test('a flow parses selectors with their indexes and ignores server-added keys', () => {
  const flow = parseFlow(
    {
      ...flowWith(
        [
          { type: 'PLATFORM_SEGMENT', value: { id: SEG_B, name: 'B', createTime: '1658344069', updateTime: '1658344069' } },
          { type: 'PLATFORM_SEGMENT', value: { id: SEG_A.toUpperCase() } },
        ],
        [
          { type: 'JSON_PATH', value: { path: 'person.name.firstName', operator: 'EXISTS' } },
          { type: 'JSON_PATH', value: { path: 'personalEmail.address' } },
        ],
      ),
      sourceConnectionIds: ['src-1'],
      targetConnectionIds: ['tgt-1'],
    },
    'prod',
  );
  assert.deepEqual(flow.segments, [
    { index: 0, id: SEG_B, name: 'B' },
    { index: 1, id: SEG_A },
  ]);
  assert.deepEqual(flow.profileAttributes, [
    { index: 0, path: 'person.name.firstName' },
    { index: 1, path: 'personalEmail.address' },
  ]);
  assert.equal(flow.flowSpecId, FLOW_SPEC);
  assert.deepEqual(flow.sourceConnectionIds, ['src-1']);
  assert.deepEqual(flow.targetConnectionIds, ['tgt-1']);
});

test('a flow without connection id arrays takes them from inheritedAttributes (arrays or objects)', () => {
  for (const asArrays of [true, false]) {
    const flow = parseFlow(flowWith([], [], asArrays), 'prod');
    assert.deepEqual(flow.sourceConnectionIds, ['src-1']);
    assert.deepEqual(flow.targetConnectionIds, ['tgt-1']);
    assert.deepEqual(flow.segments, []);
  }
  assert.deepEqual(parseFlow({ id: 'f', etag: ETAG }, 'prod').segments, []);
});

test('isDestinationFlow reads the property as an object, an array or a string', () => {
  assert.equal(isDestinationFlow({ inheritedAttributes: { properties: { isDestinationFlow: true } } }), true);
  assert.equal(isDestinationFlow({ inheritedAttributes: { properties: [{ isDestinationFlow: 'true' }] } }), true);
  assert.equal(isDestinationFlow({ inheritedAttributes: { properties: { isDestinationFlow: false } } }), false);
  assert.equal(isDestinationFlow({}), true); // no flag: trust the server-side filter
});

test('an entity without id or etag is a coded response error naming the collection', () => {
  assert.throws(() => parseFlow({ name: 'x' }, 'prod'), (err) => isFlowsyncError(err, 'FS_API_RESPONSE') && /flows/.test(err.message));
  assert.throws(() => parseTargetConnection({ id: 't' }, 'prod'), (err) => isFlowsyncError(err, 'FS_API_RESPONSE') && /targetConnections\/t/.test(err.message));
});

test('selector indexes are the array positions, for any selector list', () => {
  fc.assert(
    fc.property(fc.array(fc.uuid(), { maxLength: 30 }), fc.array(fc.stringMatching(/^[a-z]+(\.[a-z]+){0,3}$/), { maxLength: 30 }), (ids, paths) => {
      const flow = parseFlow(
        flowWith(
          ids.map((id) => ({ type: 'PLATFORM_SEGMENT', value: { id, createTime: '1' } })),
          paths.map((path) => ({ type: 'JSON_PATH', value: { path, operator: 'EXISTS' } })),
        ),
        's',
      );
      assert.deepEqual(flow.segments, ids.map((id, index) => ({ index, id: id.toLowerCase() })));
      assert.deepEqual(flow.profileAttributes, paths.map((path, index) => ({ index, path })));
    }),
  );
});
