// Two configs in one org, through the real CLI against the emulator: conflicts are reported and
// never written; duplicates and orphans make plan --detailed-exitcode say 2 (docs/several-writers.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { testClient } from '../helpers/reconcile.ts';
import { tempRepo, writeRepo, type AccountSpec } from '../helpers/repo.ts';

const KIN_A: AccountSpec = { name: 'kin-a', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };
const KIN_B: AccountSpec = { name: 'kin-b', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };

async function twoRepos(t: Parameters<typeof tempRepo>[0]) {
  const dir = await tempRepo(t);
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  await mkdir(a);
  await mkdir(b);
  return { a, b };
}

test('a destination another manager owns is a conflict: plan exits 1, apply applies the rest, exits 1 and writes nothing to it', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const { a, b } = await twoRepos(t);
  await writeRepo(a, [KIN_A], [{ name: 'shared', account: 'kin-a' }], { manager: 'github.com/acme/team-a' });
  await writeRepo(b, [KIN_B], [{ name: 'shared', account: 'kin-b' }, { name: 'own', account: 'kin-b' }], { manager: 'github.com/acme/team-b' });
  const first = await runCli(['apply', '--dir', a, '--auto-approve'], { env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const theirs = emu.admin.snapshot().scopes[Object.keys(emu.admin.snapshot().scopes).find((k) => k.endsWith('/prod'))!]!;
  const theirIds = [...(theirs.flows ?? []), ...(theirs.targetConnections ?? []), ...(theirs.connections ?? [])].map((e) => String((e as { id: string }).id));
  assert.ok(theirIds.length >= 3);

  const plan = await runCli(['plan', b, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 1, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /Conflicts \(another manager owns these/);
  assert.match(plan.stdout, /prod\/destination\/shared: dataflow "shared" \(.+\) is managed by github\.com\/acme\/team-a/);
  assert.match(plan.stdout, /2 conflicts \(another manager owns them; --force-conflicts takes them over\)\./);
  assert.doesNotMatch(plan.stdout, /create dataflow shared/);

  emu.admin.resetRequests();
  const apply = await runCli(['apply', '--dir', b, '--auto-approve'], { env });
  assert.equal(apply.code, 1, apply.stdout + apply.stderr);
  assert.match(apply.stdout, /create dataflow own/);
  assert.match(apply.stderr, /Error FS_PLAN_CONFLICT: 2 entities the manifests name are owned by another manager and left alone: prod\/destination\/shared: .+ is managed by github\.com\/acme\/team-a; prod\/destination\/shared: /);
  const writes = flowServiceWrites(emu);
  assert.ok(writes.length > 0);
  for (const w of writes) for (const id of theirIds) assert.ok(!w.path.includes(id), `${w.method} ${w.path} writes team-a's ${id}`);

  // team-a is untouched: its plan is still empty.
  const again = await runCli(['plan', a, '--detailed-exitcode'], { env });
  assert.equal(again.code, 0, again.stdout);
});

test('--force-conflicts takes the entity over; afterwards the other config sees the conflict', async (t) => {
  const { env } = await startTestEmulator(t);
  const { a, b } = await twoRepos(t);
  await writeRepo(a, [KIN_A], [{ name: 'shared', account: 'kin-a' }], { manager: 'team-a' });
  await writeRepo(b, [KIN_A], [{ name: 'shared', account: 'kin-a' }], { manager: 'team-b' });
  assert.equal((await runCli(['apply', '--dir', a, '--auto-approve'], { env })).code, 0);
  const plan = await runCli(['plan', b, '--force-conflicts', '--detailed-exitcode'], { env });
  assert.equal(plan.code, 2, plan.stdout);
  assert.match(plan.stdout, /take over dataflow shared from manager team-a \[takeover\]/);
  const apply = await runCli(['apply', '--dir', b, '--force-conflicts', '--auto-approve'], { env });
  assert.equal(apply.code, 0, apply.stdout + apply.stderr);
  assert.equal((await runCli(['plan', b, '--detailed-exitcode'], { env })).code, 0);
  const back = await runCli(['plan', a, '--detailed-exitcode'], { env });
  assert.equal(back.code, 1, back.stdout);
  assert.match(back.stdout, /is managed by team-b/);
});

test('plan --detailed-exitcode is 2 with only a duplicate and orphans, and says so instead of "No changes"', async (t) => {
  const { env } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN_A], [{ name: 'one', account: 'kin-a' }, { name: 'two', account: 'kin-a' }], { manager: 'team-a' });
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);
  // A second target connection for "one", as a crash between create and its answer leaves it.
  const client = await testClient(repo, env);
  t.after(() => client.close());
  const [tc] = await client.list<Record<string, unknown>>('prod', 'targetConnections', { property: ['name==one'] });
  const { name, description, baseConnectionId, connectionSpec, data, params } = tc as Record<string, unknown>;
  await client.create('prod', 'targetConnections', { name, description, baseConnectionId, connectionSpec, data, params });
  await writeRepo(repo, [KIN_A], [{ name: 'one', account: 'kin-a' }], { manager: 'team-a' });

  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /delete duplicate target connection one \(.+\) \[duplicate\]/);
  assert.match(plan.stdout, /Plan: 0 to create, 0 to update, 0 to delete, 0 to replace; 1 duplicate to delete; 2 orphans \(use --prune\)\./);
  const json = JSON.parse((await runCli(['plan', repo, '--output', 'json'], { env })).stdout);
  assert.deepEqual(json.summary, { create: 0, update: 0, delete: 0, replace: 0, duplicate: 1, orphan: 2, conflict: 0 });
  assert.equal(json.manager, 'team-a');

  // apply deletes the duplicate without --prune; the orphans stay until --prune.
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);
  const after = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(after.code, 2);
  assert.match(after.stdout, /Plan: 0 to create, 0 to update, 0 to delete, 0 to replace; 2 orphans \(use --prune\)\./);
  assert.equal((await runCli(['apply', '--dir', repo, '--prune', '--auto-approve'], { env })).code, 0);
  const done = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(done.code, 0, done.stdout);
  assert.match(done.stdout, /No changes\./);
});
