// UI edits that an apply overwrites are named, field by field, with who made them and when: in the
// plan when a manifest change meets a live change on one entity, and in apply's outcome when a
// concurrent change (412) made it recompute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeLine } from '../../src/render/apply.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { racingClient, reconcileOnce, testClient } from '../helpers/reconcile.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec } from '../helpers/repo.ts';

const KIN: AccountSpec = { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };

function flowId(emu: Awaited<ReturnType<typeof startTestEmulator>>['emu'], orgId: string): string {
  return (emu.admin.snapshot().scopes[`${orgId}/prod`]?.flows ?? [])[0]!.id as string;
}

test('the plan names the live values a manifest change overwrites on an entity changed in the UI, and who changed it', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN], [{ name: 'summer', account: 'kin', segments: [segmentId(1)] }]);
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);

  // The manifest alone changes: nothing is overwritten, nothing said.
  await writeRepo(repo, [KIN], [{ name: 'summer', account: 'kin', segments: [segmentId(1), segmentId(2)] }]);
  const plain = await runCli(['plan', '--dir', repo], { env });
  assert.doesNotMatch(plain.stdout, /overwrites/);

  // Now a person renames the flow in the UI too.
  emu.admin.outOfBandEdit({ orgId, sandbox: 'prod', collection: 'flows', id: flowId(emu, orgId), ops: [{ op: 'replace', path: '/name', value: 'renamed in UI' }] });
  const text = await runCli(['plan', '--dir', repo], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /overwrites live values changed outside flowsync \(changed by ui-user@AdobeID in the AEP UI at [0-9T:.-]+Z\): name "renamed in UI"/);
  const json = JSON.parse((await runCli(['plan', '--dir', repo, '--output', 'json'], { env })).stdout) as { actions: { type: string; overwrites?: { changes: { field: string }[]; lastWrite: { updatedBy: string } } }[] };
  const update = json.actions.find((a) => a.type === 'update-flow')!;
  assert.equal(update.overwrites?.lastWrite.updatedBy, 'ui-user@AdobeID');
  assert.ok(update.overwrites?.changes.some((c) => c.field === 'name'));
  const md = await runCli(['plan', '--dir', repo, '--output', 'markdown'], { env });
  assert.match(md.stdout, /overwrites live values changed outside flowsync/);
});

test('a concurrent UI change that apply recomputes over is named field by field, with who and when', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN], [{ name: 'summer', account: 'kin', segments: [segmentId(1)] }]);
  const client = await testClient(repo, env);
  t.after(() => client.close());
  assert.equal((await reconcileOnce(repo, env, client)).result.counts.failed, 0);

  await writeRepo(repo, [KIN], [{ name: 'summer', account: 'kin', segments: [segmentId(1), segmentId(2)] }]);
  const id = flowId(emu, orgId);
  const racing = racingClient(client, (sandbox) => emu.admin.outOfBandEdit({ orgId, sandbox, collection: 'flows', id, ops: [{ op: 'replace', path: '/name', value: 'renamed in UI' }] }));
  const run = await reconcileOnce(repo, env, racing.client);
  assert.ok(racing.raced());
  const outcome = run.result.outcomes.find((o) => o.type === 'update-flow')!;
  assert.equal(outcome.recomputed, 1);
  assert.deepEqual(outcome.overwrote?.changes.map((c) => c.field), ['name']);
  assert.equal(outcome.overwrote?.lastWrite?.updatedBy, 'ui-user@AdobeID');
  const line = outcomeLine(outcome, { color: false });
  assert.match(line, /recomputed after 1 concurrent change/);
  assert.match(line, /overwrote name: "renamed in UI" → "summer" \(changed by ui-user@AdobeID in the AEP UI at [0-9T:.-]+Z\)/);
});
