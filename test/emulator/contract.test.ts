// Contract tests: the emulator's answers validated against Adobe's OpenAPI file for the destinations
// Flow Service API (../shared/reference/flow-service-destinations.openapi.yaml, or FLOWSYNC_OPENAPI).
// The file describes batch destinations first; where its schemas disagree with the documented behaviour
// of streaming destinations (or with its own examples), the difference is listed ONCE below with its
// reason, and the test proves each listed deviation is still needed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/cli.ts';
import { apiFor, EVENT_HUBS, eventHubsAuth, flowBody, makeFlow, startForTest, type Reply } from './helpers.ts';

const OPENAPI = process.env.FLOWSYNC_OPENAPI ?? join(REPO_ROOT, '../shared/reference/flow-service-destinations.openapi.yaml');

/**
 * Every deliberate deviation from the OpenAPI file, in one place. `pointer` is a JSON pointer into the
 * file; `schema` replaces what is there before the emulator's answers are validated.
 */
const SCHEMA_DEVIATIONS: { pointer: string; schema: unknown; reason: string }[] = [
  {
    pointer: '/components/schemas/ConnectionItem/required',
    schema: ['id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'createdClient', 'updatedClient', 'sandboxId', 'imsOrgId', 'name', 'connectionSpec', 'state', 'version', 'etag'],
    reason: 'auth is required, but the Profile Store base connection is created without auth (the streaming tutorial sends none), so the emulator returns none.',
  },
  {
    pointer: '/components/schemas/ConnectionItem/properties/auth',
    schema: { type: 'object', required: ['specName'], properties: { specName: { type: 'string' }, params: { type: 'object' } } },
    reason: 'auth is a oneOf of the S3 and SFTP auth shapes only; Kinesis and Event Hubs auth ({specName, params}) is not described. The emulator also omits secret params on reads (digest §2: a "partial view").',
  },
  {
    pointer: '/components/schemas/TargetConnectionItem/properties/params',
    schema: { type: 'object' },
    reason: 'params is a oneOf of the S3 and SFTP target params only; Kinesis {stream, region} and Event Hubs {eventHubName} are not described.',
  },
  {
    pointer: '/components/schemas/TargetConnectionItem/properties/inheritedAttributes',
    schema: { type: 'object', properties: { baseConnection: { type: 'object', required: ['id', 'connectionSpec'] } } },
    reason: 'the schema types inheritedAttributes.baseConnection as a string, but every example in the file returns an object {id, connectionSpec}.',
  },
  {
    pointer: '/components/schemas/SourceConnectionItem/properties/inheritedAttributes',
    schema: { type: 'object', properties: { baseConnection: { type: 'object', required: ['id', 'connectionSpec'] } } },
    reason: 'same as for target connections: baseConnection is an object in every example, a string in the schema.',
  },
  {
    pointer: '/components/schemas/BaseFlowItem/properties/inheritedAttributes',
    schema: {
      type: 'object',
      properties: {
        properties: { type: 'object', properties: { isDestinationFlow: { type: 'boolean' } } },
        sourceConnections: { type: 'array', items: { type: 'object', required: ['id', 'connectionSpec'] } },
        targetConnections: { type: 'array', items: { type: 'object', required: ['id', 'connectionSpec', 'baseConnection'] } },
      },
    },
    reason: 'the schema types sourceConnections/targetConnections as objects (and connectionSpec as a string), but every example uses arrays of objects (digest §2).',
  },
  {
    pointer: '/components/schemas/StatusSummary/properties/status',
    schema: { type: 'string' },
    reason: 'the enum is Success/Processing/Waiting/Failed, but every run example (and the sources monitoring tutorial) answers success/failed in lower case; the emulator follows the examples.',
  },
  {
    pointer: '/components/schemas/Info/properties/code',
    schema: { type: 'string' },
    reason: 'the code pattern rejects ACTIVATION_BATCH-0000-FAILED, the one run error the file documents (Batch_Flow_Run_Failure), which failed emulator runs carry.',
  },
];

/** Operations the emulator serves that this file does not describe (they come from the Sources API file and the tutorials). */
const UNDESCRIBED_OPERATIONS: Record<string, string> = {
  'GET /connectionSpecs': 'catalog listing, documented in the Flow Service Sources API',
  'GET /connectionSpecs/{id}': 'catalog lookup, documented in the Flow Service Sources API',
  'GET /flowSpecs': 'catalog listing, documented in the Flow Service Sources API',
  'PATCH /targetConnections/{id}': 'supported per the Sources API and the "edit destination" tutorial, missing here',
  'POST /flows/{id}/action': 'enable/disable, documented in the Sources API and the update-dataflows tutorial',
};

/** Status codes the emulator answers that the file does not list for that operation. */
const UNDESCRIBED_STATUSES: Record<string, string> = {
  'POST /flows 400': 'the file lists no 400 for flow creation; the error catalogue documents 1410-400 and others',
  'PATCH /flows/{id} 400': 'the file lists no 400; 1403-400 (missing If-Match) and 1455-400 are in the error catalogue',
  'DELETE /connections/{id} 400': 'the file lists no 400; 1418-400 (base connection in use) is in the error catalogue',
  'POST /sourceConnections 400': 'the file lists no 400 for source connections; validation errors answer 400 as for base connections',
  'POST /targetConnections 400': 'the file lists no 400 for target connections; validation errors answer 400 as for base connections',
  'POST /flows 422': 'the file lists 422 for connections only; the emulator treats a missing flowSpec.version the same way',
};

/** Examples in the file that do not validate against the file's own schemas (or cannot be resolved), by cause. */
const FLOW_EXAMPLES = ['Daily_Full_Once_Scheduled', 'Daily_Full_Once_Chained', 'Daily_Full_Scheduled', 'Daily_Full_Chained', 'First_Full_Then_Incremental_DAILY',
  'First_Full_Then_Incremental_EVERY_3_HOURS', 'Profile_Mapping_And_Identities_V2', 'External_Audience_Profile_Mapping_And_Identities', 'Dataset_Schedule_V2'];
const TARGET_EXAMPLES = ['Amazon_S3_Target_Connection', 'SFTP_Target_Connection', 'Amazon_S3_Target_Connection_Segment_V2', 'Amazon_S3_Target_Connection_Dataset_V2'];
const EXAMPLE_DEVIATIONS: { examples: string[]; reason: string }[] = [
  { examples: ['PATCH /connections/{id} 200 Patch_Connection_Response'], reason: 'dangling $ref: components.examples.Patch_Connection_Response does not exist' },
  {
    examples: ['GET /connections 200 Connections', 'GET /connections/{id} 200 Amazon_S3_Connection', 'GET /connections/{id} 200 Amazon_S3_Connection_V2'],
    reason: 'the examples show masked or placeholder S3 keys that fail the schema\'s own key patterns',
  },
  { examples: ['GET /connections/{id} 200 SFTP_Connection'], reason: 'the SFTP example\'s auth matches none of the oneOf auth shapes' },
  {
    examples: ['GET /sourceConnections 200 Connections', 'GET /sourceConnections/{id} 200 SourceConnectionsResponseUPS', 'GET /sourceConnections/{id} 200 SourceConnectionsResponseDataLake'],
    reason: 'inheritedAttributes.baseConnection is an object in the examples and a string in the schema; the Data Lake examples also lack the required typeInfo',
  },
  {
    examples: TARGET_EXAMPLES.flatMap((n) => [`GET /targetConnections 200 ${n}`, `GET /targetConnections/{id} 200 ${n}`]),
    reason: 'inheritedAttributes.baseConnection is an object in the examples and a string in the schema; params match none or several of the oneOf shapes',
  },
  {
    examples: ['GET /flows 200 Flows', ...FLOW_EXAMPLES.map((n) => `GET /flows/{id} 200 Batch_Flow_${n}`)],
    reason: 'inheritedAttributes.sourceConnections/targetConnections are arrays in every example and objects in the schema',
  },
  {
    examples: ['GET /runs 200 Batch_Flow_Run', 'GET /runs 200 Batch_Flow_Run_Failure'],
    reason: 'error codes in the run examples fail the schema\'s code pattern and the status is not one of its enum values',
  },
];

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

function at(doc: Doc, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<unknown>((v, k) => (v as Doc | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function setAt(doc: Doc, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop() as string;
  const parent = keys.reduce<Doc>((v, k) => v[k], doc);
  assert.ok(parent && last in parent, `deviation pointer ${pointer} no longer exists in the OpenAPI file`);
  parent[last] = value;
}

function compiler(doc: Doc) {
  const ajv = new Ajv({ strict: false, validateSchema: false, validateFormats: false, allErrors: true, logger: false });
  ajv.addSchema(doc, 'openapi');
  const cache = new Map<string, ValidateFunction>();
  return (schema: object): ValidateFunction => {
    const key = JSON.stringify(schema);
    let fn = cache.get(key);
    if (!fn) {
      // schemas in the file use local refs (#/components/...): make them absolute to the added document
      fn = ajv.compile(JSON.parse(key.replace(/"#\//g, '"openapi#/')));
      cache.set(key, fn);
    }
    return fn;
  };
}

interface Observed {
  operation: string; // e.g. 'GET /flows/{id}'
  status: number;
  body: unknown;
}

/** Runs a representative scenario (Kinesis and Event Hubs) and records every answer by operation. */
async function observe(t: TestContext): Promise<Observed[]> {
  // the spec's state enum knows only settled states; the clock moves only to produce runs
  let now = Date.now();
  const emu = await startForTest(t, { transitionMs: 0, runIntervalMs: 1_000, now: () => now });
  const api = await apiFor(emu);
  const seen: Observed[] = [];
  const call = async (operation: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> => {
    const res = await api(method, path, body, headers);
    seen.push({ operation, status: res.status, body: res.body });
    return res;
  };
  const k = await makeFlow(api, 'kinesis');
  const ehBase = await call('POST /connections', 'POST', '/connections', { name: 'eh', connectionSpec: { id: EVENT_HUBS, version: '1.0' }, auth: eventHubsAuth() });
  const ehTarget = await call('POST /targetConnections', 'POST', '/targetConnections', {
    name: 'eh target', baseConnectionId: ehBase.body.id, connectionSpec: { id: EVENT_HUBS, version: '1.0' }, data: { format: 'json' }, params: { eventHubName: 'hub' },
  });
  const ehFlow = await call('POST /flows', 'POST', '/flows', flowBody('eh flow', k.sourceId, ehTarget.body.id));
  await call('PATCH /flows/{id}', 'PATCH', `/flows/${ehFlow.body.id}`, [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: 'seg' } } }], { 'if-match': ehFlow.body.etag });
  await call('PATCH /flows/{id}', 'PATCH', `/flows/${ehFlow.body.id}`, [{ op: 'replace', path: '/name', value: 'x' }], { 'if-match': ehFlow.body.etag });
  await call('PATCH /flows/{id}', 'PATCH', `/flows/${ehFlow.body.id}`, [{ op: 'replace', path: '/name', value: 'x' }]);
  for (const [kind, id] of [['connections', k.baseId], ['sourceConnections', k.sourceId], ['targetConnections', k.targetId], ['flows', k.flowId]] as const) {
    await call(`GET /${kind}`, 'GET', `/${kind}`);
    await call(`GET /${kind}/{id}`, 'GET', `/${kind}/${id}`);
    await call(`GET /${kind}/{id}`, 'GET', `/${kind}/missing-id`);
  }
  const base = (await api('GET', `/connections/${ehBase.body.id}`)).body.items[0];
  await call('PATCH /connections/{id}', 'PATCH', `/connections/${ehBase.body.id}`, [{ op: 'replace', path: '/auth/params', value: eventHubsAuth('rotated').params }], { 'if-match': base.etag });
  await call('PATCH /connections/{id}', 'PATCH', `/connections/${ehBase.body.id}`, [{ op: 'replace', path: '/name', value: 'y' }], { 'if-match': base.etag });
  await call('POST /connections', 'POST', '/connections', { name: 'bad', connectionSpec: { id: 'nope', version: '1.0' } });
  await call('POST /connections', 'POST', '/connections', { name: 'bad', connectionSpec: { id: EVENT_HUBS } });
  await call('POST /flows', 'POST', '/flows', flowBody('bad', k.sourceId, k.targetId, { state: 'enabled' }));
  await call('DELETE /connections/{id}', 'DELETE', `/connections/${k.baseId}`);
  await call('GET /runs', 'GET', `/runs?property=flowId==${k.flowId}`);
  now += 2_000;
  await call('GET /runs', 'GET', `/runs?property=flowId==${k.flowId}`);
  emu.admin.setFaults({ runFailureRate: 1 });
  now += 1_000;
  await call('GET /runs', 'GET', `/runs?property=flowId==${k.flowId}&property=metrics.statusSummary.status==failed`);
  emu.admin.setFaults({ runFailureRate: 0 });
  await call('GET /flows', 'GET', '/flows', undefined, { authorization: 'Bearer not-a-token' });
  await call('GET /flows', 'GET', '/flows', undefined, { 'x-api-key': 'other' });
  emu.admin.setFaults({ failNext: { count: 1, status: 500 } });
  await call('GET /flows', 'GET', '/flows');
  await call('DELETE /flows/{id}', 'DELETE', `/flows/${k.flowId}`);
  await call('DELETE /targetConnections/{id}', 'DELETE', `/targetConnections/${k.targetId}`);
  await call('DELETE /sourceConnections/{id}', 'DELETE', `/sourceConnections/${ehFlow.body.id}`);
  await call('GET /connectionSpecs', 'GET', '/connectionSpecs');
  await call('POST /flows/{id}/action', 'POST', `/flows/${ehFlow.body.id}/action?op=disable`);
  return seen;
}

/**
 * The file types list and get-by-id answers of connections as a single item, while the API (and every
 * example in the file) wraps them in {items:[...]}: item schemas are applied to each element instead.
 */
function bodiesFor(doc: Doc, schema: Doc, status: number, body: unknown): unknown[] {
  const resolved = (typeof schema.$ref === 'string' ? at(doc, schema.$ref.slice(1)) : schema) as Doc | undefined;
  const isItemSchema = status < 300 && !resolved?.properties?.items && !resolved?.oneOf;
  return isItemSchema && Array.isArray((body as Doc)?.items) ? (body as Doc).items : [body];
}

/** Validation failures of the observed answers against `doc`; item schemas are applied to each element of a list envelope. */
function failures(doc: Doc, observed: Observed[]): string[] {
  const compile = compiler(doc);
  const out: string[] = [];
  for (const o of observed) {
    const [method, path] = o.operation.split(' ') as [string, string];
    const op = doc.paths?.[path]?.[method.toLowerCase()];
    if (!op) continue;
    const response = op.responses?.[String(o.status)];
    if (!response) continue;
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (o.body !== undefined) out.push(`${o.operation} ${o.status}: the file documents no body, the emulator sent one`);
      continue;
    }
    if (typeof schema !== 'object') continue; // malformed in the file (e.g. GET /connections/{id} 500); nothing to check
    const validate = compile(schema);
    for (const b of bodiesFor(doc, schema, o.status, o.body)) if (!validate(b)) out.push(`${o.operation} ${o.status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
  return out;
}

function patched(doc: Doc, skip?: number): Doc {
  const copy = structuredClone(doc);
  SCHEMA_DEVIATIONS.forEach((d, i) => {
    if (i !== skip) setAt(copy, d.pointer, d.schema);
  });
  return copy;
}

const present = existsSync(OPENAPI);

test('emulator answers match the OpenAPI file, except the listed deviations', { skip: present ? false : `OpenAPI file not found at ${OPENAPI}; set FLOWSYNC_OPENAPI to run the contract tests` }, async (t) => {
  const doc = parse(readFileSync(OPENAPI, 'utf8')) as Doc;
  const observed = await observe(t);

  // every operation and status the emulator answered is either in the file or listed as undescribed
  for (const o of observed) {
    const [method, path] = o.operation.split(' ') as [string, string];
    const op = doc.paths?.[path]?.[method.toLowerCase()];
    if (!op) {
      assert.ok(UNDESCRIBED_OPERATIONS[o.operation], `${o.operation} is neither in the OpenAPI file nor listed in UNDESCRIBED_OPERATIONS`);
      continue;
    }
    const key = `${o.operation} ${o.status}`;
    assert.ok(op.responses?.[String(o.status)] || UNDESCRIBED_STATUSES[key], `${key} is neither in the OpenAPI file nor listed in UNDESCRIBED_STATUSES`);
  }
  for (const key of Object.keys(UNDESCRIBED_OPERATIONS)) assert.ok(!at(doc, `/paths/${key.split(' ')[1]?.replace(/\//g, '~1')}/${key.split(' ')[0]?.toLowerCase()}`), `${key} is now in the file: drop it from UNDESCRIBED_OPERATIONS`);

  // with the deviations applied, everything validates
  assert.deepEqual(failures(patched(doc), observed), []);
  // and each deviation is still needed: without it, something fails
  SCHEMA_DEVIATIONS.forEach((d, i) => {
    assert.ok(failures(patched(doc, i), observed).length > 0, `deviation ${d.pointer} is no longer needed: remove it from SCHEMA_DEVIATIONS`);
  });
});

test('the OpenAPI file\'s own response examples validate against its schemas, except the listed ones', { skip: present ? false : `OpenAPI file not found at ${OPENAPI}; set FLOWSYNC_OPENAPI to run the contract tests` }, () => {
  const doc = parse(readFileSync(OPENAPI, 'utf8')) as Doc;
  const compile = compiler(doc);
  const bad: Record<string, string> = {};
  for (const [path, ops] of Object.entries(doc.paths as Doc)) {
    for (const [method, op] of Object.entries(ops as Doc)) {
      for (const [status, response] of Object.entries((op as Doc).responses ?? {})) {
        const content = (response as Doc).content?.['application/json'];
        if (!content || typeof content.schema !== 'object') continue;
        for (const [name, ex] of Object.entries((content.examples ?? {}) as Doc)) {
          const key = `${method.toUpperCase()} ${path} ${status} ${name}`;
          const example = typeof ex.$ref === 'string' ? at(doc, ex.$ref.slice(1)) : ex;
          if (example === undefined) {
            bad[key] = 'dangling $ref';
            continue;
          }
          const validate = compile(content.schema);
          for (const value of bodiesFor(doc, content.schema, Number(status), (example as Doc).value)) {
            if (!validate(value)) bad[key] = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).slice(0, 2).join('; ');
          }
        }
      }
    }
  }
  const listed = EXAMPLE_DEVIATIONS.flatMap((d) => d.examples).sort();
  assert.deepEqual(Object.keys(bad).sort(), listed, `examples failing now: ${JSON.stringify(bad, null, 1)}`);
});
