// `flowsync import` through the real CLI against the emulator over HTTP, in temp config repos:
// a brownfield org made by hand → manifests that validate → (after adoption) an empty plan.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { EMULATOR_DEFAULTS, startEmulator, type StartedEmulator } from '../../src/emulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { flowBody, KINESIS } from '../emulator/helpers.ts';
import { SECRETS, SEGMENTS, seedBrownfield } from './seed.ts';

async function setup(t: TestContext) {
  const emu = await startEmulator({ port: 0 });
  t.after(() => emu.close());
  const root = await mkdtemp(path.join(os.tmpdir(), 'flowsync-import-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(path.join(root, 'flowsync.yaml'), `apiVersion: flowsync/v1\nkind: Config\nsandbox: prod\norg: ${EMULATOR_DEFAULTS.orgId}\napi:\n  clientId: ${EMULATOR_DEFAULTS.clientId}\n`);
  const seeded = await seedBrownfield(emu);
  const env = { FLOWSYNC_ENDPOINT: emu.url, FLOWSYNC_IMS_ENDPOINT: emu.imsUrl, FLOWSYNC_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret };
  return { emu, root, env, ...seeded };
}

/** Every entity of a scope by id → etag, from the emulator's store. */
function etags(emu: StartedEmulator, sandbox: string): Map<string, string> {
  const scope = emu.admin.snapshot().scopes[`${EMULATOR_DEFAULTS.orgId}/${sandbox}`];
  const out = new Map<string, string>();
  for (const list of Object.values(scope ?? {})) for (const e of list) out.set(e.id, e.etag);
  return out;
}

function noSecret(...texts: string[]) {
  for (const text of texts) for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), 'a secret value leaked into an output');
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  return out.sort();
}

test('import writes valid manifests, adopts what it imported, and the next plan is empty', async (t) => {
  const { emu, root, env, ids } = await setup(t);
  const devBefore = etags(emu, 'dev');
  const orphanBefore = etags(emu, 'prod').get(ids.orphan);

  const res = await runCli(['import', '--dir', root], { env });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  noSecret(res.stdout, res.stderr);
  const out = path.join(root, 'imported');
  assert.deepEqual(await files(out), ['prod/accounts.yaml', 'prod/loyalty-tier-changes.yaml', 'prod/summer-campaign-2024-2.yaml', 'prod/summer-campaign-2024.yaml']);
  assert.match(res.stdout, /MARKETING_KINESIS_AWS_SECRET_KEY\s+secretKey of account prod\/marketing-kinesis-aws/);
  assert.match(res.stdout, /LOYALTY_EVENT_HUBS_SAS_KEY\s+sasKey of account prod\/loyalty-event-hubs/);
  assert.match(res.stdout, /~ prod\/destination\/summer-campaign-2024: dataflow "Summer Campaign 2024"/);
  assert.match(res.stdout, /name "Summer Campaign 2024" → "summer-campaign-2024"/);

  // Content: modelines, names, secrets as references, params, state, selectors with names.
  const accountsText = await readFile(path.join(out, 'prod/accounts.yaml'), 'utf8');
  assert.match(accountsText, /^# yaml-language-server: \$schema=\S+\/schemas\/account\.schema\.json\n/);
  noSecret(accountsText);
  const accounts = accountsText.split(/^---$/m).map((d) => parse(d));
  assert.deepEqual(accounts.map((a) => a.metadata), [{ name: 'loyalty-event-hubs', sandbox: 'prod' }, { name: 'marketing-kinesis-aws', sandbox: 'prod' }]);
  assert.deepEqual(accounts[1].spec, {
    type: 'amazon-kinesis', description: 'The marketing AWS account',
    auth: { accessKeyId: 'AKIAEXAMPLE', secretKey: { fromEnv: 'MARKETING_KINESIS_AWS_SECRET_KEY' }, region: 'us-east-1' },
  });
  assert.deepEqual(accounts[0].spec.auth, { sasKeyName: 'send', sasKey: { fromEnv: 'LOYALTY_EVENT_HUBS_SAS_KEY' }, namespace: 'acme-ns' });
  const summerText = await readFile(path.join(out, 'prod/summer-campaign-2024.yaml'), 'utf8');
  assert.match(summerText, /^# yaml-language-server: \$schema=\S+\/schemas\/destination\.schema\.json\n/);
  const summer = parse(summerText);
  assert.deepEqual(summer.metadata, { name: 'summer-campaign-2024', sandbox: 'prod' });
  assert.deepEqual(summer.spec, {
    account: 'marketing-kinesis-aws', description: 'Summer ads for the newsletter crowd',
    target: { stream: 'summer-2024', region: 'us-east-1', includeSegmentNames: true }, format: 'json', enabled: true, drift: 'heal',
    // by audience name (unique in prod): the form that promotes to another sandbox
    segments: [{ name: 'Newsletter subscribers' }, { name: 'Men over 50' }], profileAttributes: ['person.name.lastName', 'personalEmail.address'],
  });
  const loyalty = parse(await readFile(path.join(out, 'prod/loyalty-tier-changes.yaml'), 'utf8'));
  assert.equal(loyalty.spec.enabled, false);
  // the audience's name, not the live selector's older label
  assert.deepEqual(loyalty.spec.segments, [{ name: 'Gold tier members' }]);
  const copy = parse(await readFile(path.join(out, 'prod/summer-campaign-2024-2.yaml'), 'utf8'));
  assert.deepEqual(copy.spec.target, { stream: 'summer-copy', region: 'eu-west-1' });

  const valid = await runCli(['validate', root, '--no-secrets'], { env });
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);

  // Unselected entities are untouched: the other sandbox, and the prod target connection without a dataflow.
  assert.deepEqual(etags(emu, 'dev'), devBefore);
  assert.equal(etags(emu, 'prod').get(ids.orphan), orphanBefore);

  const secrets = { MARKETING_KINESIS_AWS_SECRET_KEY: SECRETS.kinesis, LOYALTY_EVENT_HUBS_SAS_KEY: SECRETS.eventHubs };
  const plan = await runCli(['plan', root, '--detailed-exitcode'], { env: { ...env, ...secrets } });
  noSecret(plan.stdout, plan.stderr);
  // The imported accounts' secrets were never seen: no rotation, only a warning that says how to send them.
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /No changes/);
  // The selector written in the UI says "Gold tier": a label, not a change of audience.
  assert.match(plan.stdout, new RegExp(`segment ${SEGMENTS.gold}: "Gold tier" → "Gold tier members"`));
  assert.match(plan.stdout, /never sent this account's credentials/);
  const rotate = await runCli(['plan', root, '--output', 'json', '--rotate-credentials', 'prod/marketing-kinesis-aws'], { env: { ...env, ...secrets } });
  const rotations = JSON.parse(rotate.stdout).actions as { type: string; account?: string; rotateCredentials?: boolean }[];
  assert.deepEqual(rotations.map((a) => [a.type, a.account, a.rotateCredentials]), [['update-account', 'marketing-kinesis-aws', true]]);

  // Again: refuses to overwrite; with --force the names come from the tags and nothing needs writing.
  const again = await runCli(['import', '--dir', root], { env });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /FS_IMPORT_EXISTS/);
  assert.match(again.stderr, /prod\/accounts\.yaml/);
  const before = await readFile(path.join(out, 'prod/summer-campaign-2024.yaml'), 'utf8');
  emu.admin.resetRequests();
  const forced = await runCli(['import', '--dir', root, '--force', '--output', 'json'], { env });
  assert.equal(forced.code, 0, forced.stderr);
  const report = JSON.parse(forced.stdout);
  assert.deepEqual(report.adoption, []);
  assert.equal(report.files.length, 4);
  // Same manifest (only the comment naming the live entity changed: it is flowsync's name now).
  assert.deepEqual(parse(await readFile(path.join(out, 'prod/summer-campaign-2024.yaml'), 'utf8')), parse(before));
  assert.equal(emu.admin.requests().filter((r) => r.write).length, 0);
});

test('import --no-adopt writes the files and sends no write to the API; a dataflow the manifests cannot express is skipped', async (t) => {
  const { emu, root, env, api, sourceId, ids } = await setup(t);
  // A legacy segment id that is not a UUID: that destination is skipped, the others are imported.
  const tc = await api('POST', '/targetConnections', { name: 'Legacy', baseConnectionId: ids.kBase, connectionSpec: { id: KINESIS, version: '1.0' }, data: { format: 'json' }, params: { stream: 'legacy', region: 'us-east-1' } });
  const flow = await api('POST', '/flows', flowBody('Legacy Flow', sourceId, tc.body.id));
  // The API refuses such an id today, so it is seeded as an out-of-band (UI) edit, which the emulator lets through.
  emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flow.body.id, ops: [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: 'legacy-segment-42' } } }] });
  emu.admin.resetRequests();
  const outDir = path.join(root, 'elsewhere');
  const res = await runCli(['import', '--dir', root, '--out', outDir, '--no-adopt', '--sandbox', 'prod', '--sandbox', 'dev'], { env });
  assert.equal(res.code, 0, res.stderr);
  noSecret(res.stdout, res.stderr);
  assert.equal(emu.admin.requests().filter((r) => r.write).length, 0);
  assert.ok(emu.admin.requests().length > 0);
  assert.deepEqual(await files(outDir), ['dev/accounts.yaml', 'dev/dev-test-flow.yaml', 'prod/accounts.yaml', 'prod/loyalty-tier-changes.yaml', 'prod/summer-campaign-2024-2.yaml', 'prod/summer-campaign-2024.yaml']);
  assert.match(res.stdout, /--no-adopt/);
  assert.match(res.stdout, /Skipped:\n {2}prod: dataflow "Legacy Flow" \([^)]+\): its manifest would not validate: .*segments/);
  const valid = await runCli(['validate', root, '--no-secrets'], { env });
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);
});

test('import does not adopt into a folder the config repo does not read (plan would see owned entities without manifests)', async (t) => {
  const { emu, root, env } = await setup(t);
  await writeFile(path.join(root, 'flowsync.yaml'), `apiVersion: flowsync/v1\nkind: Config\nmanifests: [prod]\nsandbox: prod\norg: ${EMULATOR_DEFAULTS.orgId}\napi:\n  clientId: ${EMULATOR_DEFAULTS.clientId}\n`);
  await mkdir(path.join(root, 'prod'));
  emu.admin.resetRequests();
  const res = await runCli(['import', '--dir', root, '--output', 'json'], { env });
  assert.equal(res.code, 0, res.stderr);
  const report = JSON.parse(res.stdout);
  assert.equal(report.adoption, null);
  assert.equal(report.files.length, 4);
  assert.equal(emu.admin.requests().filter((r) => r.write).length, 0);
  const text = await runCli(['import', '--dir', root, '--force'], { env });
  assert.match(text.stdout, /Add "imported" to `manifests` in flowsync\.yaml .*Nothing was adopted/);
});
