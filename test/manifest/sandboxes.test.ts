// One manifest in several sandboxes: metadata.sandboxes, spec.overrides merged per sandbox (maps
// merge, lists replace), and diagnostics that name the file, line and sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadRepo } from '../../src/manifest/index.ts';
import { mergeOverride } from '../../src/manifest/sandboxes.ts';
import { tempRepo } from './helpers.ts';

const ACCOUNTS = `apiVersion: flowsync/v1
kind: DestinationAccount
metadata:
  name: kinesis
  sandboxes: [dev, prod]
spec:
  type: amazon-kinesis
  auth:
    accessKeyId: AKIAEXAMPLEEXAMPLE00
    secretKey: { fromEnv: DEV_KEY }
    region: eu-west-1
  overrides:
    prod:
      auth:
        secretKey: { fromEnv: PROD_KEY }
        region: us-east-1
`;

const DESTINATION = `apiVersion: flowsync/v1
kind: StreamingDestination
metadata:
  name: summer
  sandboxes: [dev, prod]
spec:
  account: kinesis
  target: { stream: summer-dev }
  segments:
    - id: 72ddd79b-6b0a-4e97-a8d2-112ccd81bd02
  profileAttributes: [person.name.lastName, personalEmail.address]
  overrides:
    prod:
      target: { stream: summer }
      profileAttributes: [person.name.lastName]
`;

const ENV = { DEV_KEY: 'dev-secret-value', PROD_KEY: 'prod-secret-value' };

test('metadata.sandboxes puts one manifest in each sandbox; an override changes only its sandbox', async (t) => {
  const root = await tempRepo(t, { 'accounts.yaml': ACCOUNTS, 'summer.yaml': DESTINATION });
  const repo = await loadRepo(root, { env: ENV });
  assert.deepEqual(repo.diagnostics, []);
  assert.deepEqual(repo.desired.sandboxes, ['dev', 'prod']);
  const [devAcct, prodAcct] = repo.desired.accounts;
  assert.deepEqual([devAcct!.sandbox, devAcct!.authParams.region], ['dev', 'eu-west-1']);
  assert.deepEqual([prodAcct!.sandbox, prodAcct!.authParams.region], ['prod', 'us-east-1']);
  assert.equal(repo.secrets.forAccount('dev', 'kinesis')?.secretKey, 'dev-secret-value');
  assert.equal(repo.secrets.forAccount('prod', 'kinesis')?.secretKey, 'prod-secret-value');
  const [dev, prod] = repo.desired.destinations;
  // maps merge: prod's target keeps the region the account gives and takes the stream from the override
  assert.deepEqual(dev!.target, { region: 'eu-west-1', stream: 'summer-dev' });
  assert.deepEqual(prod!.target, { region: 'us-east-1', stream: 'summer' });
  // lists replace
  assert.deepEqual(dev!.profileAttributes, ['person.name.lastName', 'personalEmail.address']);
  assert.deepEqual(prod!.profileAttributes, ['person.name.lastName']);
  assert.deepEqual(dev!.segments, prod!.segments);
  assert.equal(repo.desired.sandboxSources?.dev?.line, 5);
});

test('sandbox and sandboxes together, and an override for an unlisted sandbox, are errors at their lines', async (t) => {
  const both = DESTINATION.replace('  sandboxes: [dev, prod]', '  sandbox: dev\n  sandboxes: [dev, prod]');
  const root = await tempRepo(t, { 'accounts.yaml': ACCOUNTS, 'summer.yaml': both, 'other.yaml': DESTINATION.replace('name: summer', 'name: other').replace('    prod:\n      target', '    qa:\n      target') });
  const repo = await loadRepo(root, { env: ENV });
  const found = repo.diagnostics.map((d) => `${d.file}:${d.line} ${d.code} ${d.path}`);
  assert.deepEqual(found, ['other.yaml:13 FS_MANIFEST_OVERRIDE spec.overrides.qa', 'summer.yaml:6 FS_MANIFEST_SANDBOXES metadata.sandboxes']);
  assert.deepEqual(repo.desired.destinations, []);
});

test('a finding in one sandbox of a shared manifest names that sandbox and the override line', async (t) => {
  // prod's override gives an Event Hubs field to a Kinesis destination: only prod is wrong
  const bad = DESTINATION.replace('      target: { stream: summer }', '      target: { eventHubName: summer }');
  const root = await tempRepo(t, { 'accounts.yaml': ACCOUNTS, 'summer.yaml': bad });
  const repo = await loadRepo(root, { env: ENV });
  const errors = repo.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => [d.code, d.sandbox, d.file, d.line]), [['FS_MANIFEST_TARGET', 'prod', 'summer.yaml', 14]]);
  assert.deepEqual(repo.desired.destinations.map((d) => d.sandbox), ['dev']);
});

test('an override that breaks the merged document is a schema error in that sandbox', async (t) => {
  const bad = ACCOUNTS.replace('        region: us-east-1', '        region: moon-base-1');
  const root = await tempRepo(t, { 'accounts.yaml': bad });
  const repo = await loadRepo(root, { env: ENV, allowEmpty: true });
  const errors = repo.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => [d.code, d.sandbox, d.line, d.path]), [['FS_MANIFEST_SCHEMA', 'prod', 16, 'spec.auth.region']]);
});

test('the same name in one sandbox from a shared and a single manifest is a duplicate in that sandbox only', async (t) => {
  const single = DESTINATION.replace('  sandboxes: [dev, prod]', '  sandbox: prod').replace(/ {2}overrides:[\s\S]*$/, '');
  const root = await tempRepo(t, { 'accounts.yaml': ACCOUNTS, 'a.yaml': DESTINATION, 'b.yaml': single });
  const repo = await loadRepo(root, { env: ENV });
  const dup = repo.diagnostics.filter((d) => d.code === 'FS_MANIFEST_DUPLICATE_NAME');
  assert.equal(dup.length, 1);
  assert.match(dup[0]!.summary, /in sandbox prod is already defined at a\.yaml:1/);
});

// ---- merge rules, property-based ----

const key = fc.constantFrom('a', 'b', 'c', 'stream', 'region');
const leaf = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }));
const { tree } = fc.letrec((tie) => ({ tree: fc.oneof({ depthSize: 'small' }, leaf, fc.dictionary(key, tie('tree'), { maxKeys: 4 })) }));
// Plain objects, as YAML gives them (fast-check's dictionaries have no prototype).
const map = fc.dictionary(key, tree, { maxKeys: 5 }).map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>);
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

test('merge: every key of the override wins (recursively for maps), every other key of the base stays', () => {
  fc.assert(
    fc.property(map, map, (base, over) => {
      const merged = mergeOverride(base, over) as Record<string, unknown>;
      for (const [k, v] of Object.entries(over)) {
        if (isMap(v) && isMap(base[k])) assert.deepEqual(merged[k], mergeOverride(base[k], v));
        else assert.deepEqual(merged[k], v); // lists and values replace
      }
      for (const [k, v] of Object.entries(base)) if (!(k in over)) assert.deepEqual(merged[k], v);
      assert.deepEqual(Object.keys(merged).sort(), [...new Set([...Object.keys(base), ...Object.keys(over)])].sort());
    }),
  );
});

test('merge: an empty override is the identity, and merging the same override twice changes nothing more', () => {
  fc.assert(
    fc.property(map, map, (base, over) => {
      assert.deepEqual(mergeOverride(base, {}), base);
      const once = mergeOverride(base, over);
      assert.deepEqual(mergeOverride(once, over), once);
    }),
  );
});

test('merge: a secret reference replaces, never merges into a reference with two sources', () => {
  assert.deepEqual(mergeOverride({ secretKey: { fromEnv: 'A' } }, { secretKey: { fromFile: 'b' } }), { secretKey: { fromFile: 'b' } });
});
