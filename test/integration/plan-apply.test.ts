// plan and apply through the real CLI against the emulator over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { copyExampleRepo, flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo } from '../helpers/repo.ts';
import { DEMO_SECRET_ENV } from '../../src/cli/demo-env.ts';

function flowsIn(emu: Awaited<ReturnType<typeof startTestEmulator>>['emu'], orgId: string, sandbox: string) {
  return (emu.admin.snapshot().scopes[`${orgId}/${sandbox}`]?.flows ?? []) as Array<Record<string, any>>;
}

test('apply on an empty org creates everything in manifests/, the next plan is empty and the next apply writes nothing', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  const first = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /Apply complete: 14 applied, 0 failed, 0 skipped\. Verified/);

  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /No changes\./);

  emu.admin.resetRequests();
  const again = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(flowServiceWrites(emu), []);
});

test('plan never writes to the API, whatever the flags', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  for (const args of [['plan', repo], ['plan', repo, '--prune', '--output', 'json'], ['plan', repo, '--out', path.join(repo, 'p.json'), '--output', 'markdown']]) {
    const res = await runCli(args, { env });
    assert.equal(res.code, 0, res.stderr);
  }
  assert.deepEqual(flowServiceWrites(emu), []);
});

test('--detailed-exitcode is 2 when there are changes', async (t) => {
  const { env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  const res = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(res.code, 2);
  assert.match(res.stdout, /Plan: 14 to create, 0 to update, 0 to delete, 0 to replace\./);
});

test('invalid manifests: exit 1 with file:line, and no API request at all', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  await writeFile(path.join(repo, 'prod', 'broken.yaml'), 'apiVersion: flowsync/v1\nkind: StreamingDestination\nmetadata:\n  name: broken\nspec:\n  account: kinesis-prod\n  target: { region: us-east-1 }\n');
  for (const args of [['plan', repo], ['apply', '--dir', repo, '--auto-approve']]) {
    const res = await runCli(args, { env });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /prod\/broken\.yaml:7:\d+: error/);
  }
  assert.equal(emu.admin.requests().length, 0);
});

test('a saved plan applies exactly as reviewed; a stale one is refused naming the entity, with no write', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  const accounts = [{ name: 'kin', type: 'amazon-kinesis' as const, secretEnv: 'KINESIS_SECRET_KEY' }];
  await writeRepo(repo, accounts, [{ name: 'summer', account: 'kin', segments: [segmentId(1)] }]);
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);

  // Review a change: one more segment.
  await writeRepo(repo, accounts, [{ name: 'summer', account: 'kin', segments: [segmentId(1), segmentId(2)] }]);
  const planFile = path.join(repo, 'reviewed.json');
  const planned = await runCli(['plan', repo, '--out', planFile], { env });
  assert.equal(planned.code, 0, planned.stderr);

  // Someone edits the flow in the AEP UI before the plan is applied.
  const flow = flowsIn(emu, orgId, 'prod')[0]!;
  emu.admin.outOfBandEdit({ orgId, sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'replace', path: '/name', value: 'renamed in UI' }] });
  emu.admin.resetRequests();
  const refused = await runCli(['apply', planFile, '--dir', repo, '--auto-approve'], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /FS_APPLY_STALE_PLAN/);
  assert.match(refused.stderr, new RegExp(`prod/destination/summer: flow ${flow.id} changed since the plan`));
  assert.deepEqual(flowServiceWrites(emu), []);

  // The person puts the name back; a fresh plan of the same change applies exactly and only that.
  emu.admin.outOfBandEdit({ orgId, sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'replace', path: '/name', value: 'summer' }] });
  const fresh = await runCli(['plan', repo, '--out', planFile], { env });
  assert.equal(fresh.code, 0);
  emu.admin.resetRequests();
  const applied = await runCli(['apply', planFile, '--dir', repo, '--auto-approve'], { env });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  assert.deepEqual(flowServiceWrites(emu), [{ method: 'PATCH', path: `/data/foundation/flowservice/flows/${flow.id}` }]);
  const segments = flowsIn(emu, orgId, 'prod')[0]!.transformations[0].params.segmentSelectors.selectors.map((x: any) => x.value.id).sort();
  assert.deepEqual(segments, [segmentId(1), segmentId(2)]);

  // And when the manifests change after the plan was saved, it is refused too.
  await writeRepo(repo, accounts, [{ name: 'summer', account: 'kin', segments: [segmentId(1), segmentId(2), segmentId(3)] }]);
  await runCli(['plan', repo, '--out', planFile], { env });
  await writeRepo(repo, accounts, [{ name: 'summer', account: 'kin', segments: [segmentId(1)] }]);
  const moved = await runCli(['apply', planFile, '--dir', repo, '--auto-approve'], { env });
  assert.equal(moved.code, 1);
  assert.match(moved.stderr, /the manifests changed since the plan was made/);
});

test('apply without --auto-approve and stdin not a terminal refuses before any request (CI must say --auto-approve)', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  for (const input of ['', 'yes\n']) {
    const res = await runCli(['apply', '--dir', repo], { env, input });
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, /FS_APPLY_NOT_INTERACTIVE/);
    assert.match(res.stderr, /--auto-approve/);
    assert.equal(res.stdout, '');
  }
  assert.equal(emu.admin.requests().length, 0);
});

test('drift: heal puts a UI edit back; warn only reports it and writes nothing', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  const accounts = [{ name: 'kin', type: 'amazon-kinesis' as const, secretEnv: 'KINESIS_SECRET_KEY' }];
  const dests = [
    { name: 'healed', account: 'kin', segments: [segmentId(1), segmentId(2)], attributes: ['person.name.lastName'] },
    { name: 'watched', account: 'kin', drift: 'warn' as const, segments: [segmentId(3)] },
  ];
  await writeRepo(repo, accounts, dests);
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);
  for (const flow of flowsIn(emu, orgId, 'prod')) {
    emu.admin.outOfBandEdit({ orgId, sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'remove', path: '/transformations/0/params/segmentSelectors/selectors/0' }] });
  }
  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 2);
  assert.match(plan.stdout, /Drift \(changed outside flowsync\)/);
  assert.match(plan.stdout, /prod\/destination\/healed: changed by ui-user@AdobeID/);
  assert.match(plan.stdout, /prod\/destination\/watched: changed by ui-user@AdobeID.*reported only/);

  emu.admin.resetRequests();
  const applied = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(applied.code, 0, applied.stdout);
  const writes = flowServiceWrites(emu);
  assert.equal(writes.length, 1, JSON.stringify(writes));
  const byName = Object.fromEntries(flowsIn(emu, orgId, 'prod').map((f) => [f.name, f]));
  const segs = (f: Record<string, any>) => f.transformations[0].params.segmentSelectors.selectors.map((s: any) => s.value.id).sort();
  assert.deepEqual(segs(byName.healed!), [segmentId(1), segmentId(2)]);
  assert.deepEqual(segs(byName.watched!), []);
});

test('no secret value appears in plan or apply output, in any format', async (t) => {
  const { env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  const outputs: string[] = [];
  for (const args of [['plan', repo], ['plan', repo, '--output', 'json'], ['plan', repo, '--output', 'markdown'], ['apply', '--dir', repo, '--auto-approve']]) {
    const res = await runCli(args, { env });
    outputs.push(res.stdout, res.stderr);
  }
  const secrets = Object.entries(DEMO_SECRET_ENV).filter(([k]) => /SECRET|SAS/.test(k)).map(([, v]) => v);
  for (const out of outputs) for (const secret of secrets) assert.ok(!out.includes(secret), `secret leaked: ${secret}`);
});

test('plan without the destinations\' secrets still plans (rotations not compared); apply still needs them', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);
  const withoutSecrets: Record<string, string | undefined> = { ...env };
  for (const k of Object.keys(DEMO_SECRET_ENV)) if (/SECRET_KEY|SAS_KEY/.test(k)) withoutSecrets[k] = undefined;
  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env: withoutSecrets });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /No changes\./);
  assert.match(plan.stderr, /credential changes are not compared/);
  emu.admin.resetRequests();
  const apply = await runCli(['apply', '--dir', repo, '--auto-approve'], { env: withoutSecrets });
  assert.equal(apply.code, 1);
  assert.match(apply.stderr, /FS_SECRET_UNRESOLVED/);
  assert.equal(emu.admin.requests().length, 0);
});
