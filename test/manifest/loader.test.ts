// The loader's model: defaults, sorting, sandboxes, secrets kept apart, fingerprints, file walking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { credentialFingerprint } from '../../src/domain/fingerprint.ts';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { loadConfig, loadRepo, resolveSecretRef } from '../../src/manifest/index.ts';
import { DEMO_SECRET_ENV } from '../../src/cli/demo-env.ts';
import { ACCOUNT_KINESIS, DESTINATION_KINESIS, tempRepo } from './helpers.ts';

const EXAMPLE = fileURLToPath(new URL('../../manifests/', import.meta.url));
export const EXAMPLE_ENV = {
  KINESIS_ACCESS_KEY_ID: 'AKIAFAKEEXAMPLE00001',
  KINESIS_SECRET_KEY: 'fake-kinesis-secret-prod-0000',
  EVENTHUB_SAS_KEY: 'fake-eventhub-sas-prod-0000',
  KINESIS_DEV_ACCESS_KEY_ID: 'AKIAFAKEEXAMPLE00002',
  KINESIS_DEV_SECRET_KEY: 'fake-kinesis-secret-dev-0000',
  EVENTHUB_DEV_SAS_KEY: 'fake-eventhub-sas-dev-0000',
};
const SECRET_VALUES = Object.entries(EXAMPLE_ENV).filter(([k]) => /SECRET|SAS/.test(k)).map(([, v]) => v);

test('the example repo loads clean into two sandboxes with both destination types', async () => {
  const repo = await loadRepo(EXAMPLE, { env: EXAMPLE_ENV });
  assert.deepEqual(repo.diagnostics, []);
  assert.deepEqual(repo.desired.sandboxes, ['dev', 'prod']);
  // where each is named, for the plan-time check that the org has them
  assert.deepEqual(repo.desired.sandboxSources, { prod: { file: 'flowsync.yaml', line: 9, column: 10 }, dev: { file: 'dev/destinations.yaml', line: 7, column: 12 } });
  assert.deepEqual(repo.desired.accounts.map((a) => `${a.sandbox}/${a.name}:${a.type}`), ['dev/eventhubs-dev:azure-event-hubs', 'dev/kinesis-dev:amazon-kinesis', 'prod/eventhubs-prod:azure-event-hubs', 'prod/kinesis-prod:amazon-kinesis']);
  assert.deepEqual(repo.desired.destinations.map((d) => `${d.sandbox}/${d.name}:${d.type}`), ['dev/loyalty-events:azure-event-hubs', 'dev/summer-campaign:amazon-kinesis', 'prod/loyalty-events:azure-event-hubs', 'prod/summer-campaign:amazon-kinesis']);
  const summer = repo.desired.destinations.find((d) => d.sandbox === 'prod' && d.name === 'summer-campaign')!;
  assert.ok(summer.segments.length >= 1 && summer.segmentRefs!.length >= 3 && summer.profileAttributes.length >= 4);
  // Each entry as written, its position found when read (and serialized as plain data).
  assert.deepEqual(JSON.parse(JSON.stringify(summer.segmentRefs!.slice(1, 3))), [
    { name: 'Newsletter subscribers', at: { file: 'prod/summer-campaign.yaml', line: 18, column: 7, path: 'spec.segments[1]' } },
    { id: '0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d', name: 'Cart abandoners (7 days)', at: { file: 'prod/summer-campaign.yaml', line: 19, column: 7, path: 'spec.segments[2]' } },
  ]);
  assert.equal(summer.segmentRefs![0]!.id, undefined);
  assert.deepEqual(summer.source, { file: 'prod/summer-campaign.yaml', line: 2, column: 1 });
  assert.equal(repo.config.org, '0123456789ABCDEF01234567@AdobeOrg');
  assert.deepEqual(repo.config.manifests, ['prod', 'dev', 'shared']);
});

test('a position asked for after loading is found in the file read again: exact while the file is unchanged, the document start once it changed', async (t) => {
  const text = `${ACCOUNT_KINESIS}---\n${DESTINATION_KINESIS}`;
  const entryLine = text.split('\n').findIndex((l) => l.includes('- id: 72ddd79b')) + 1;
  const dir = await tempRepo(t, { 'm.yaml': text });
  const env = { KINESIS_SECRET_KEY: 's' };
  const entryAt = (repo: Awaited<ReturnType<typeof loadRepo>>) => {
    const at = repo.desired.destinations[0]!.segmentRefs![0]!.at;
    return { line: at.line, column: at.column };
  };

  const unchanged = await loadRepo(dir, { env });
  assert.deepEqual(entryAt(unchanged), { line: entryLine, column: 7 });

  const edited = await loadRepo(dir, { env });
  await writeFile(path.join(dir, 'm.yaml'), `# two lines\n# added after loading\n${text}`);
  assert.deepEqual(entryAt(edited), { line: edited.desired.destinations[0]!.source.line, column: 1 }, 'the document start, not a line of the new text');
  assert.equal(edited.desired.destinations[0]!.source.line, entryLine - 8);

  // plan --base deletes its copy right after loading: its documents keep their texts.
  const copy = await loadRepo(dir, { env, transientFiles: true });
  await rm(path.join(dir, 'm.yaml'));
  assert.deepEqual(entryAt(copy), { line: entryLine + 2, column: 7 });
});

test('defaults apply: sandbox from flowsync.yaml, format, enabled, drift, target region from the account', async (t) => {
  const dir = await tempRepo(t, {
    'flowsync.yaml': 'apiVersion: flowsync/v1\nkind: Config\nsandbox: staging\n',
    'a.yaml': ACCOUNT_KINESIS,
    'b.yaml': DESTINATION_KINESIS.replace('target: { stream: summer, region: us-east-1 }', 'target: { stream: summer }'),
  });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics, []);
  const [d] = repo.desired.destinations;
  assert.deepEqual(
    { sandbox: d!.sandbox, format: d!.format, enabled: d!.enabled, drift: d!.drift, target: d!.target, description: d!.description },
    { sandbox: 'staging', format: 'json', enabled: true, drift: 'heal', target: { region: 'us-east-1', stream: 'summer' }, description: '' },
  );
  assert.deepEqual(repo.desired.sandboxes, ['staging']);
});

test('segments are lowercased, sorted and keep their names; attributes are sorted', async (t) => {
  const dest = DESTINATION_KINESIS.replace(
    '  segments:\n    - id: 72ddd79b-6b0a-4e97-a8d2-112ccd81bd02\n  profileAttributes: [person.name.lastName]\n',
    '  segments:\n    - id: F0000000-0000-4000-8000-000000000000\n      name: Last\n    - id: 10000000-0000-4000-8000-000000000000\n  profileAttributes: [z.a, _acme.tier, a.b]\n',
  );
  const dir = await tempRepo(t, { 'm.yaml': `${ACCOUNT_KINESIS}---\n${dest}` });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics, []);
  const [d] = repo.desired.destinations;
  assert.deepEqual(d!.segments, [{ id: '10000000-0000-4000-8000-000000000000' }, { id: 'f0000000-0000-4000-8000-000000000000', name: 'Last' }]);
  assert.deepEqual(d!.profileAttributes, ['_acme.tier', 'a.b', 'z.a']);
});

test('secrets live only in Secrets: no view of the loaded repo prints them', async () => {
  const repo = await loadRepo(EXAMPLE, { env: EXAMPLE_ENV });
  assert.deepEqual(repo.secrets.forAccount('prod', 'kinesis-prod'), { secretKey: EXAMPLE_ENV.KINESIS_SECRET_KEY });
  assert.deepEqual(repo.secrets.forAccount('dev', 'eventhubs-dev'), { sasKey: EXAMPLE_ENV.EVENTHUB_DEV_SAS_KEY });
  assert.equal(repo.secrets.forAccount('prod', 'nope'), undefined);
  const views = [JSON.stringify(repo), inspect(repo, { depth: Infinity, showHidden: true }), String(repo.secrets), `${repo.secrets}`, inspect(repo.secrets, { showHidden: true })];
  for (const view of views) for (const secret of SECRET_VALUES) assert.ok(!view.includes(secret), `a view shows ${secret.slice(0, 4)}…`);
  const kinesis = repo.desired.accounts.find((a) => a.name === 'kinesis-prod')!;
  assert.deepEqual(kinesis.authParams, { accessKeyId: EXAMPLE_ENV.KINESIS_ACCESS_KEY_ID, region: 'us-east-1' });
  assert.deepEqual(kinesis.secretParams, ['secretKey']);
});

test('the credential fingerprint covers every auth param, secrets included, and is empty without secrets', async () => {
  const repo = await loadRepo(EXAMPLE, { env: EXAMPLE_ENV });
  const kinesis = repo.desired.accounts.find((a) => a.sandbox === 'prod' && a.name === 'kinesis-prod')!;
  const expected = credentialFingerprint({ accessKeyId: EXAMPLE_ENV.KINESIS_ACCESS_KEY_ID, region: 'us-east-1', secretKey: EXAMPLE_ENV.KINESIS_SECRET_KEY }, { sandbox: 'prod', account: 'kinesis-prod' });
  assert.equal(kinesis.credentialFingerprint, expected);
  const rotated = await loadRepo(EXAMPLE, { env: { ...EXAMPLE_ENV, KINESIS_SECRET_KEY: 'rotated' } });
  assert.notEqual(rotated.desired.accounts.find((a) => a.name === 'kinesis-prod')!.credentialFingerprint, expected);
  const noSecrets = await loadRepo(EXAMPLE, { env: EXAMPLE_ENV, resolveSecrets: false });
  assert.deepEqual(noSecrets.diagnostics, []);
  assert.ok(noSecrets.desired.accounts.every((a) => a.credentialFingerprint === ''));
  assert.equal(noSecrets.secrets.size, 0);
});

test('without secrets (resolveSecrets: false) unset variables are warnings and the model still loads', async () => {
  const repo = await loadRepo(EXAMPLE, { env: {}, resolveSecrets: false });
  assert.ok(repo.diagnostics.length > 0);
  assert.ok(repo.diagnostics.every((d) => d.severity === 'warning' && d.code === 'FS_SECRET_UNRESOLVED'));
  assert.equal(repo.desired.accounts.length, 4);
  assert.equal(repo.desired.destinations.length, 4);
});

test('fromFile secrets are read relative to the root, one trailing newline removed', async (t) => {
  const dir = await tempRepo(t, {
    'm.yaml': ACCOUNT_KINESIS.replace('{ fromEnv: KINESIS_SECRET_KEY }', '{ fromFile: .secrets/kinesis.key }'),
    '.secrets/kinesis.key': 'file-secret-value\n',
  });
  const repo = await loadRepo(dir, { env: {} });
  assert.deepEqual(repo.diagnostics, []);
  assert.deepEqual(repo.secrets.forAccount('prod', 'kinesis-prod'), { secretKey: 'file-secret-value' });
});

test('a fromFile symlink that leaves the repository is refused', async (t) => {
  const outside = await tempRepo(t, { 'secret.key': 'outside-secret-value' });
  const dir = await tempRepo(t, { 'm.yaml': ACCOUNT_KINESIS.replace('{ fromEnv: KINESIS_SECRET_KEY }', '{ fromFile: link.key }') });
  await symlink(path.join(outside, 'secret.key'), path.join(dir, 'link.key'));
  const repo = await loadRepo(dir, { env: {} });
  assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.line]), [['FS_SECRET_OUTSIDE_REPO', 9]]);
  assert.ok(!JSON.stringify(repo).includes('outside-secret-value'));
});

test('resolveSecretRef gives the value, or a FlowsyncError naming the variable and never a value', async (t) => {
  const dir = await tempRepo(t, { 'token.txt': 'tok\n' });
  assert.equal(await resolveSecretRef({ fromEnv: 'X' }, { root: dir, env: { X: 'v' } }), 'v');
  assert.equal(await resolveSecretRef({ fromFile: 'token.txt' }, { root: dir, env: {} }), 'tok');
  await assert.rejects(resolveSecretRef({ fromEnv: 'FLOWSYNC_CLIENT_SECRET' }, { root: dir, env: {} }), (err) => isFlowsyncError(err, 'FS_SECRET_UNRESOLVED') && /FLOWSYNC_CLIENT_SECRET/.test(err.message));
  await assert.rejects(resolveSecretRef({ fromFile: '../x' }, { root: dir, env: {} }), (err) => isFlowsyncError(err, 'FS_SECRET_OUTSIDE_REPO'));
});

test('without flowsync.yaml every default applies and the root is the manifest folder', async (t) => {
  const dir = await tempRepo(t, {
    'a.yaml': ACCOUNT_KINESIS,
    'nested/deeper/b.yml': DESTINATION_KINESIS,
    '.github/workflows/ci.yaml': 'on: push\n',
    'node_modules/x/package.yaml': 'name: x\n',
    'README.md': '# not yaml\n',
  });
  const { config, diagnostics } = await loadConfig(dir);
  assert.deepEqual(diagnostics, []);
  assert.equal(config.file, undefined);
  assert.deepEqual(
    { manifests: config.manifests, sandbox: config.sandbox, endpoint: config.api.endpoint, ims: config.api.imsEndpoint, reconcile: config.reconcile, interval: config.daemon.intervalMs },
    { manifests: ['.'], sandbox: 'prod', endpoint: 'https://platform.adobe.io', ims: 'https://ims-na1.adobelogin.com/ims/token/v3', reconcile: { prune: false, maxDeleteRatio: 0.5, concurrency: 16, allowEmpty: false, deleteBudget: { share: 0.5, window: '24h', windowMs: 86_400_000 }, scanSandboxes: true }, interval: 300_000 },
  );
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics, []);
  assert.deepEqual(repo.desired.destinations.map((d) => d.source.file), ['nested/deeper/b.yml']);
});

test('flowsync.yaml values come through typed, with refs left unresolved', async (t) => {
  const dir = await tempRepo(t, {
    'flowsync.yaml': `apiVersion: flowsync/v1
kind: Config
manifests: [m/]
sandbox: dev
org: ABC123@AdobeOrg
api:
  endpoint: http://127.0.0.1:4010/
  clientId: ci
  clientSecret: { fromEnv: FLOWSYNC_CLIENT_SECRET }
  accessToken: { fromFile: token.txt }
reconcile: { prune: true, maxDeleteRatio: 0.25, concurrency: 8 }
daemon: { suspend: true, interval: 1h30m, resync: 2h, notify: { webhookUrl: { fromEnv: HOOK } } }
`,
    'm/a.yaml': ACCOUNT_KINESIS,
  });
  const { config, diagnostics } = await loadConfig(dir);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config, {
    apiVersion: 'flowsync/v1',
    kind: 'Config',
    file: 'flowsync.yaml',
    manifests: ['m'],
    sandbox: 'dev',
    org: 'ABC123@AdobeOrg',
    manager: '',
    api: { endpoint: 'http://127.0.0.1:4010', imsEndpoint: 'https://ims-na1.adobelogin.com/ims/token/v3', clientId: 'ci', scope: 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext', requestsPerSecond: 0, timeout: '30s', timeoutMs: 30_000, lateCommitWindow: '60s', lateCommitWindowMs: 60_000, outageWait: '60s', outageWaitMs: 60_000, breakerCooldown: '10s', breakerCooldownMs: 10_000, settleTimeout: '60s', settleTimeoutMs: 60_000, clientSecret: { fromEnv: 'FLOWSYNC_CLIENT_SECRET' }, accessToken: { fromFile: 'token.txt' } },
    lease: { duration: '60s', durationMs: 60_000, clockSkew: '5s', clockSkewMs: 5_000 },
    reconcile: { prune: true, maxDeleteRatio: 0.25, concurrency: 8, allowEmpty: false, deleteBudget: { share: 0.5, window: '24h', windowMs: 86_400_000 }, scanSandboxes: true },
    daemon: { suspend: true, interval: '1h30m', intervalMs: 5_400_000, resync: '2h', resyncMs: 7_200_000, notify: { webhookUrl: { fromEnv: 'HOOK' } } },
  });
});

test('a missing repo folder is a diagnostic, not an exception', async () => {
  const repo = await loadRepo('/nonexistent/flowsync-repo', { env: {} });
  assert.deepEqual(repo.diagnostics.map((d) => d.code), ['FS_CONFIG_NOT_FOUND']);
  assert.deepEqual(repo.desired, { accounts: [], destinations: [], sandboxes: ['prod'] });
});

test('with errors, the valid rest of the repo still loads (callers refuse to plan)', async (t) => {
  const broken = DESTINATION_KINESIS.replace('name: summer', 'name: broken').replace('drift', 'x').replace('  segments:', '  drift: sometimes\n  segments:');
  const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': DESTINATION_KINESIS, 'c.yaml': broken });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`), ['c.yaml:8 FS_MANIFEST_SCHEMA']);
  assert.deepEqual(repo.desired.destinations.map((d) => d.name), ['summer']);
});

test('every error of a run is reported together, in file, line, column order', async (t) => {
  const dir = await tempRepo(t, {
    'a.yaml': ACCOUNT_KINESIS.replace('region: us-east-1', 'region: mars-1'),
    'b.yaml': DESTINATION_KINESIS.replace('account: kinesis-prod', 'account: nope').replace('person.name.lastName', 'person.0'),
    'c.yaml': 'kind: Nope\n',
  });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(
    repo.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`),
    ['a.yaml:10:13 FS_MANIFEST_SCHEMA', 'b.yaml:10:23 FS_MANIFEST_SCHEMA', 'c.yaml:1:1 FS_MANIFEST_API_VERSION', 'c.yaml:1:7 FS_MANIFEST_KIND'],
  );
});

test('loading is deterministic: same repo, same output (and process.env is left as it was)', async () => {
  const env = process.env;
  const a = await loadRepo(EXAMPLE, { env: EXAMPLE_ENV });
  assert.equal(process.env, env);
  const b = await loadRepo(EXAMPLE, { env: EXAMPLE_ENV });
  assert.deepEqual(a.desired, b.desired);
  assert.equal(JSON.stringify(a.desired), JSON.stringify(b.desired));
});

test('guardrails: above Adobe limits a warning naming the limit, above the hard cap an error', async (t) => {
  const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const withSegments = (n: number) => DESTINATION_KINESIS.replace('    - id: 72ddd79b-6b0a-4e97-a8d2-112ccd81bd02\n', Array.from({ length: n }, (_, i) => `    - id: ${uuid(i)}\n`).join(''));
  const withAttrs = (n: number) => DESTINATION_KINESIS.replace('[person.name.lastName]', `[${Array.from({ length: n }, (_, i) => `a.f${i}`).join(', ')}]`);
  const cases: [string, string, 'warning' | 'error', RegExp][] = [
    ['251 segments', withSegments(251), 'warning', /251 segments; Adobe's guardrail is 250 per dataflow/],
    ['1001 segments', withSegments(1001), 'error', /refuses more than 1000/],
    ['51 attributes', withAttrs(51), 'warning', /guardrail is 50/],
    ['201 attributes', withAttrs(201), 'error', /refuses more than 200/],
  ];
  for (const [label, dest, severity, message] of cases) {
    const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': dest });
    const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
    assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.severity]), [['FS_MANIFEST_GUARDRAIL', severity]], label);
    assert.match(repo.diagnostics[0]!.summary, message, label);
  }
  const many = Array.from({ length: 101 }, (_, i) => DESTINATION_KINESIS.replace('name: summer', `name: d${String(i).padStart(3, '0')}`)).join('---\n');
  const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': many });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.severity, d.summary]), [['FS_MANIFEST_GUARDRAIL', 'warning', "sandbox prod has 101 destinations; Adobe's guardrail is 100 per sandbox"]]);
  assert.equal(repo.desired.destinations.length, 101);
});

test('identityMap attributes are a warning; a Config document in a manifest folder is an error', async (t) => {
  const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': DESTINATION_KINESIS.replace('[person.name.lastName]', '[identityMap.ecid]') });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.severity]), [['FS_MANIFEST_ATTRIBUTE_PATH', 'warning']]);
});

test('a blank manifest file is an error naming it; a comment-only file is fine', async (t) => {
  for (const blank of ['', '   \n\t\n', '\n\n']) {
    const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': DESTINATION_KINESIS, 'c.yaml': blank });
    const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
    assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.severity, d.file, d.line]), [['FS_MANIFEST_EMPTY_FILE', 'error', 'c.yaml', 1]], JSON.stringify(blank));
    assert.match(repo.diagnostics[0]!.summary, /c\.yaml is empty/);
  }
  const dir = await tempRepo(t, { 'a.yaml': ACCOUNT_KINESIS, 'b.yaml': DESTINATION_KINESIS, 'c.yaml': '# destinations moved to b.yaml\n' });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics, []);
});

test('an empty manifest set is an error naming the folders, unless reconcile.allowEmpty', async (t) => {
  const config = (extra = '') => `apiVersion: flowsync/v1\nkind: Config\nmanifests: [m, more]\n${extra}`;
  const cases: [string, Record<string, string>][] = [
    ['emptied folder', { 'm/README.md': 'moved\n', 'more/.keep': '' }],
    ['only a comment-only file', { 'm/a.yaml': '# nothing yet\n', 'more/.keep': '' }],
  ];
  for (const [label, files] of cases) {
    const dir = await tempRepo(t, { 'flowsync.yaml': config(), ...files });
    const repo = await loadRepo(dir, { env: {} });
    assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.severity, d.file]), [['FS_MANIFEST_EMPTY', 'error', 'flowsync.yaml']], label);
    assert.match(repo.diagnostics[0]!.summary, /no accounts and no destinations under m\/ and more\//, label);
    assert.match(repo.diagnostics[0]!.hint ?? '', /reconcile\.allowEmpty/, label);
    const allowed = await tempRepo(t, { 'flowsync.yaml': config('reconcile: { allowEmpty: true }\n'), ...files });
    assert.ok(!(await loadRepo(allowed, { env: {} })).diagnostics.some((d) => d.severity === 'error'), label);
    assert.ok((await loadRepo(dir, { env: {}, allowEmpty: true })).diagnostics.every((d) => d.severity !== 'error'), label);
  }
  // Every file truncated: each blank file says so, and so does the set.
  const truncated = await tempRepo(t, { 'a.yaml': '', 'b.yaml': '' });
  const repo = await loadRepo(truncated, { env: {} });
  assert.deepEqual(repo.diagnostics.map((d) => [d.code, d.file ?? '']), [['FS_MANIFEST_EMPTY', ''], ['FS_MANIFEST_EMPTY_FILE', 'a.yaml'], ['FS_MANIFEST_EMPTY_FILE', 'b.yaml']]);
  assert.match(repo.diagnostics[0]!.summary, /under the repository root/);
  // A file that does not parse is its own error, not an "empty set".
  const broken = await tempRepo(t, { 'a.yaml': 'a: [\n' });
  assert.deepEqual((await loadRepo(broken, { env: {} })).diagnostics.map((d) => d.code), ['FS_MANIFEST_YAML']);
  // With allowEmpty, an empty repo still says no manifests were found.
  const none = await tempRepo(t, { 'flowsync.yaml': 'apiVersion: flowsync/v1\nkind: Config\nreconcile: { allowEmpty: true }\n' });
  assert.deepEqual((await loadRepo(none, { env: {} })).diagnostics.map((d) => [d.code, d.severity]), [['FS_MANIFEST_NONE', 'warning']]);
});

test('a destination whose account is left out by an error is left out too, without a second error', async (t) => {
  const dupe = ACCOUNT_KINESIS.replace('  type: amazon-kinesis', '  type: amazon-kinesis\n  description: "[flowsync:account/x]"');
  const dir = await tempRepo(t, { 'a.yaml': dupe, 'b.yaml': DESTINATION_KINESIS });
  const repo = await loadRepo(dir, { env: { KINESIS_SECRET_KEY: 's' } });
  assert.deepEqual(repo.diagnostics.map((d) => d.code), ['FS_MANIFEST_DESCRIPTION']);
  assert.deepEqual(repo.desired.accounts, []);
  assert.deepEqual(repo.desired.destinations, []);
});

test('the example repo validates clean with the fake secrets npm start gives it', async () => {
  const repo = await loadRepo(EXAMPLE, { env: { ...DEMO_SECRET_ENV } });
  assert.deepEqual(repo.diagnostics, []);
  assert.equal(repo.secrets.size, 4);
});
