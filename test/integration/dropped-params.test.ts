// A target param the API does not return on read (the emulator's dropParamsOnRead fault) is not
// drift: repeated applies send no writes after the first, and a manifest change of that param is
// still written. Real CLI, real emulator over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';

const KIN: AccountSpec = { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };
const dest = (includeSegmentNames: boolean): DestinationSpec => ({
  name: 'orders', account: 'kin', segments: [segmentId(1)], attributes: ['person.name.lastName'], targetExtra: { includeSegmentNames, includeSegmentTimestamps: true },
});

test('a target param the API drops on read: no write after the first apply, a manifest change of it is still written', async (t) => {
  const { emu, env } = await startTestEmulator(t, { faults: { dropParamsOnRead: ['includeSegmentNames'] } });
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN], [dest(true)]);
  const first = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /Verified: live state matches the manifests/);
  const tc = () => emu.admin.snapshot().scopes['EMULATOR0000000000000000@AdobeOrg/prod']!.targetConnections![0]!;
  assert.equal((tc().params as Record<string, unknown>).includeSegmentNames, true, 'stored as sent');

  for (let cycle = 0; cycle < 2; cycle++) {
    emu.admin.resetRequests();
    const again = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(flowServiceWrites(emu), [], `cycle ${cycle}: no write for a param the API does not show\n${again.stdout}`);
  }
  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);

  await writeRepo(repo, [KIN], [dest(false)]);
  emu.admin.resetRequests();
  const change = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(change.code, 0, change.stdout + change.stderr);
  assert.deepEqual(flowServiceWrites(emu).map((w) => w.method + ' ' + w.path.replace(/[0-9a-f-]{36}$/, '{id}')), ['PATCH /data/foundation/flowservice/targetConnections/{id}']);
  assert.equal((tc().params as Record<string, unknown>).includeSegmentNames, false, 'the manifest change reached the API');

  emu.admin.resetRequests();
  const settled = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(settled.code, 0, settled.stdout + settled.stderr);
  assert.deepEqual(flowServiceWrites(emu), []);
});
