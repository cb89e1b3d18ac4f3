// Plan time: every sandbox the config names must exist in the org (one Sandbox Management list per
// run, shared with orphan discovery). A typo is FS_PLAN_SANDBOX_UNKNOWN naming the file and line,
// with nothing written; a list that cannot be read (403) is a warning. And a token used for an org
// its client is not entitled to is FS_API_ENTITLEMENT, not retried. Real CLI, real emulator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';
import { SANDBOX_API_PATH } from '../../src/emulator/index.ts';

const account = (sandbox: string): AccountSpec => ({ name: 'kin', sandbox, type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' });
const dest = (sandbox: string): DestinationSpec => ({ name: 'd', sandbox, account: 'kin', segments: [segmentId(1)] });

test('a typo in a manifest\'s metadata.sandbox fails plan and apply with the file and line, and nothing is written', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const dir = await tempRepo(t);
  await writeRepo(dir, [account('prod'), account('stagin')], [dest('prod'), dest('stagin')]);
  for (const args of [['plan'], ['apply', '--auto-approve']]) {
    const run = await runCli([...args, '--dir', dir], { env });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /FS_PLAN_SANDBOX_UNKNOWN/);
    assert.match(run.stderr, /m\/account-stagin-kin\.yaml:\d+:\d+: sandbox "stagin" does not exist in org EMULATOR0000000000000000@AdobeOrg/);
    assert.match(run.stderr, /The org's sandboxes: prod, dev/);
  }
  assert.deepEqual(emu.admin.requests().filter((r) => r.write), [], 'no write, not even the lease');
  assert.deepEqual(flowServiceWrites(emu), []);
});

test('flowsync.yaml\'s sandbox is checked too and reported at its line; a registered sandbox plans fine', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const dir = await tempRepo(t);
  await writeRepo(dir, [account('prod')], [dest('prod')], { sandbox: 'stage' });
  const typo = await runCli(['plan', '--dir', dir], { env });
  assert.equal(typo.code, 1, typo.stdout + typo.stderr);
  assert.match(typo.stderr, /flowsync\.yaml:\d+:\d+: sandbox "stage" does not exist/);
  emu.admin.addSandbox('stage');
  const ok = await runCli(['plan', '--dir', dir], { env });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const lists = emu.admin.requests().filter((r) => r.path === `${SANDBOX_API_PATH}/sandboxes`);
  assert.equal(lists.length, 2, 'one sandbox list per run, shared with orphan discovery');
});

test('a sandbox list the client may not read (403) is a warning, and the plan goes on', async (t) => {
  const { emu, env } = await startTestEmulator(t, { faults: { failNext: [{ count: 1, status: 403, pathPrefix: SANDBOX_API_PATH }] } });
  const dir = await tempRepo(t);
  await writeRepo(dir, [account('prod')], [dest('prod')]);
  const run = await runCli(['plan', '--dir', dir], { env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /were not checked to exist: the org's sandboxes cannot be listed/);
  assert.equal(emu.admin.requests().filter((r) => r.path.startsWith(SANDBOX_API_PATH)).length, 1);
});

test('credentials not entitled to the org: 403 403025 is FS_API_ENTITLEMENT naming the org, sent once', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const dir = await tempRepo(t);
  await writeRepo(dir, [account('prod')], [dest('prod')]);
  const other = 'OTHERORG0000000000000000@AdobeOrg';
  const run = await runCli(['plan', '--dir', dir], { env: { ...env, FLOWSYNC_ORG_ID: other } });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /FS_API_ENTITLEMENT/);
  assert.match(run.stderr, new RegExp(`not entitled to org ${other}`));
  assert.match(run.stderr, /403025/);
  const answered = emu.admin.requests().filter((r) => r.status === 403);
  assert.equal(answered.length, 1, 'never retried');
});
