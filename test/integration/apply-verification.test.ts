// What apply's closing line claims after the re-read: a forced rotation (--rotate-credentials) is
// not a difference left, and "Verified" only when everything applied and matched.
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

test('an apply with failed actions never says "Verified": it says which changed addresses were verified and which not', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  const dests = [1, 2, 3].map((n) => ({ name: `d${n}`, account: 'kin', segments: [segmentId(n)] }));
  await writeRepo(repo, [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }], dests);
  // Every dataflow create is refused (a 400 is not retried): accounts and target connections apply, flows fail.
  emu.admin.setFaults({ failNext: { method: 'POST', pathPrefix: '/flows', status: 400, count: 100 } });
  const res = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(res.code, 1, res.stdout);
  const summary = /Apply finished with errors: .*\n/.exec(res.stdout)?.[0] ?? '';
  assert.match(summary, /^Apply finished with errors: \d+ applied, 3 failed, /);
  assert.doesNotMatch(summary, /Verified/);
  assert.match(summary, /Live state matches the manifests for 2 of 5 changed addresses; not verified: 3 \(3 failed\)\./);
});
