// import for destinations flowsync already owns: it says who manages them, keeps the drift policy
// of an existing manifest, and `import --update NAME` writes a UI change into the manifest file
// (other documents, comments and secret references kept) so that it can be committed instead of
// being healed away.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { EMULATOR_DEFAULTS, startEmulator } from '../../src/emulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { SECRETS, SEGMENTS, seedBrownfield } from './seed.ts';

const MANAGER = 'acme/aep-destinations';
const NEW_SEGMENT = '0b7e2f4d-9c1a-4d3e-8f5a-6b7c8d9e0f12';

async function imported(t: TestContext) {
  const emu = await startEmulator({ port: 0 });
  t.after(() => emu.close());
  const root = await mkdtemp(path.join(os.tmpdir(), 'flowsync-import-update-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(path.join(root, 'flowsync.yaml'), `apiVersion: flowsync/v1\nkind: Config\nsandbox: prod\nmanager: ${MANAGER}\norg: ${EMULATOR_DEFAULTS.orgId}\napi:\n  clientId: ${EMULATOR_DEFAULTS.clientId}\n`);
  const seeded = await seedBrownfield(emu);
  const env = { FLOWSYNC_ENDPOINT: emu.url, FLOWSYNC_IMS_ENDPOINT: emu.imsUrl, FLOWSYNC_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret };
  const first = await runCli(['import', '--dir', root], { env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const secrets = { MARKETING_KINESIS_AWS_SECRET_KEY: SECRETS.kinesis, LOYALTY_EVENT_HUBS_SAS_KEY: SECRETS.eventHubs };
  return { emu, root, env, secrets, out: path.join(root, 'imported'), ...seeded };
}

test('re-import of owned destinations names their manager, not "until the entities carry flowsync tags"; an existing drift policy is kept', async (t) => {
  const { root, env, out } = await imported(t);
  const loyaltyFile = path.join(out, 'prod/loyalty-tier-changes.yaml');
  await writeFile(loyaltyFile, (await readFile(loyaltyFile, 'utf8')).replace('drift: heal', 'drift: warn'));

  const res = await runCli(['import', '--dir', root, '--force', '--no-adopt'], { env });
  assert.equal(res.code, 0, res.stderr);
  assert.doesNotMatch(res.stdout, /Until the entities carry flowsync tags/);
  assert.match(res.stdout, new RegExp(`already managed by flowsync.*\\n(.*\\n)*.*prod/destination/summer-campaign-2024 \\(manager ${MANAGER}, this config\\)`, 'i'));
  assert.equal(parse(await readFile(loyaltyFile, 'utf8')).spec.drift, 'warn', 'the existing manifest\'s policy is kept');
  assert.equal(parse(await readFile(path.join(out, 'prod/summer-campaign-2024.yaml'), 'utf8')).spec.drift, 'heal');
  assert.match(res.stdout, /drift: warn kept from the existing manifest: prod\/loyalty-tier-changes/);
  assert.match(res.stdout, /drift: heal.*flowsync import --update/s);
});

test('import --update NAME writes a UI change into the manifest, keeping the other documents, comments and secret references; plan then keeps it', async (t) => {
  const { emu, root, env, secrets, out, ids } = await imported(t);
  // One file with the accounts and the destination, commented by hand.
  const accountsText = await readFile(path.join(out, 'prod/accounts.yaml'), 'utf8');
  const summerFile = path.join(out, 'prod/summer-campaign-2024.yaml');
  const summerText = (await readFile(summerFile, 'utf8')).replace(/^# yaml-language-server.*\n/, '').replace('  enabled: true\n', '  enabled: true # paused in winter\n');
  const combined = path.join(out, 'prod/accounts.yaml');
  await writeFile(combined, `${accountsText}---\n# The summer campaign, owned by marketing.\n${summerText}`);
  await unlink(summerFile);
  const empty = await runCli(['plan', root, '--detailed-exitcode'], { env: { ...env, ...secrets } });
  assert.equal(empty.code, 0, empty.stdout + empty.stderr);

  // A person adds a segment in the AEP UI: an audience of the sandbox.
  emu.admin.addAudience({ sandbox: 'prod', id: NEW_SEGMENT, name: 'Winter prospects' });
  const flow = emu.admin.snapshot().scopes[`${EMULATOR_DEFAULTS.orgId}/prod`]!.flows.find((f) => f.id === ids.summer)!;
  emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: NEW_SEGMENT, name: 'Winter prospects' } } }] });
  const drift = await runCli(['plan', root], { env: { ...env, ...secrets } });
  assert.match(drift.stdout, /will be healed by this plan/);
  assert.match(drift.stdout, /flowsync import --update prod\/summer-campaign-2024/, 'the drift section says how to keep the change');

  emu.admin.resetRequests();
  const upd = await runCli(['import', '--dir', root, '--update', 'summer-campaign-2024'], { env });
  assert.equal(upd.code, 0, upd.stderr + upd.stdout);
  assert.equal(emu.admin.requests().filter((r) => r.write).length, 0, '--update writes no entity');
  assert.match(upd.stdout, /imported\/prod\/accounts\.yaml/);
  assert.match(upd.stdout, /\+ audience "Winter prospects"/);
  assert.match(upd.stdout, /commit/i);

  const text = await readFile(combined, 'utf8');
  assert.ok(text.startsWith(accountsText), 'the accounts documents are unchanged, byte for byte');
  assert.match(text, /# The summer campaign, owned by marketing\./);
  assert.match(text, /enabled: true # paused in winter/);
  assert.match(text, /secretKey: \{ fromEnv: MARKETING_KINESIS_AWS_SECRET_KEY \}/);
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  const summer = docs.find((d) => d.metadata.name === 'summer-campaign-2024');
  // Written by audience name (unique in prod), as import writes them.
  assert.deepEqual(summer.spec.segments, [{ name: 'Newsletter subscribers' }, { name: 'Men over 50' }, { name: 'Winter prospects' }]);
  assert.ok(!text.includes(SECRETS.kinesis));

  const after = await runCli(['plan', root], { env: { ...env, ...secrets } });
  assert.equal(after.code, 0, after.stdout + after.stderr);
  assert.doesNotMatch(after.stdout, /Drift/, 'no drift: the manifest holds the UI change');
  assert.doesNotMatch(after.stdout, new RegExp(`- segment ${NEW_SEGMENT}`), 'the new segment is kept');
  assert.match(after.stdout, /ownership tag: .* → /, 'only the ownership tag is refreshed');

  const again = await runCli(['import', '--dir', root, '--update', 'prod/summer-campaign-2024'], { env });
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already matches/);
  assert.equal(await readFile(combined, 'utf8'), text);

  const unknown = await runCli(['import', '--dir', root, '--update', 'no-such-destination'], { env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /FS_IMPORT_UPDATE/);
  assert.match(unknown.stderr, /no-such-destination/);
});
