// `apply --rotate-credentials SANDBOX/ACCOUNT`: the forced rotation is sent once, and the
// verification that follows does not count it as a difference still left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo } from '../helpers/repo.ts';

test('apply --rotate-credentials sends the credentials, exits 0 and says Verified', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }], [{ name: 'summer', account: 'kin', segments: [segmentId(1)] }]);
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);

  emu.admin.resetRequests();
  const rotated = await runCli(['apply', '--dir', repo, '--auto-approve', '--rotate-credentials', 'prod/kin'], { env });
  assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
  assert.match(rotated.stdout, /Apply complete: 1 applied, 0 failed, 0 skipped\. Verified: live state matches the manifests\./);
  assert.doesNotMatch(rotated.stdout, /Verification found differences/);
  assert.equal(flowServiceWrites(emu).filter((w) => w.method === 'PATCH' && w.path.includes('/connections/')).length, 1);
});
