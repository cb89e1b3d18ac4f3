// Orphans: a sandbox's manifests removed from the config leave its live entities behind. flowsync
// finds them (the org's sandbox list + the lease record's managers), reports them in every plan,
// and deletes them only with --prune, within the deletion guard.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';

const ACCOUNTS: AccountSpec[] = [
  { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' },
  { name: 'kin', sandbox: 'dev', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' },
];
const prodDest = (name: string): DestinationSpec => ({ name, account: 'kin', segments: [segmentId(1)] });
const devDest = (name: string): DestinationSpec => ({ name, sandbox: 'dev', account: 'kin', segments: [segmentId(2)] });
const CONFIG = { manager: 'team-orphans' };

function devEntities(emu: Awaited<ReturnType<typeof startTestEmulator>>['emu'], orgId: string): number {
  const scope = emu.admin.snapshot().scopes[`${orgId}/dev`] as Record<string, { name?: string; description?: string }[]> | undefined;
  if (!scope) return 0;
  return ['connections', 'sourceConnections', 'targetConnections', 'flows'].reduce(
    (n, c) => n + (scope[c] ?? []).filter((e) => e.name !== 'flowsync-lease' && String(e.description ?? '').includes('[flowsync:')).length,
    0,
  );
}

test('orphans: a sandbox dropped from the config is reported, kept without --prune, deleted with it', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const dir = await tempRepo(t);
  await writeRepo(dir, ACCOUNTS, [prodDest('a'), prodDest('b'), prodDest('c'), devDest('x'), devDest('y')], CONFIG);
  assert.equal((await runCli(['apply', '--dir', dir, '--auto-approve'], { env })).code, 0);
  const before = devEntities(emu, orgId);
  assert.ok(before >= 5, `dev has its entities (${before})`);

  // The dev manifests go; nothing in the config names dev any more.
  await writeRepo(dir, [ACCOUNTS[0]!], [prodDest('a'), prodDest('b'), prodDest('c')], CONFIG);
  const plan = await runCli(['plan', '--dir', dir, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 2, `orphans are a difference:\n${plan.stdout}${plan.stderr}`);
  assert.match(plan.stdout, new RegExp(`${before} orphans`));
  assert.match(plan.stdout, /--prune/);
  assert.doesNotMatch(plan.stdout, /No changes/);
  assert.match(plan.stdout, /dev/);

  emu.admin.resetRequests();
  const keep = await runCli(['apply', '--dir', dir, '--auto-approve'], { env });
  assert.equal(keep.code, 0, keep.stdout + keep.stderr);
  assert.equal(emu.admin.requests().filter((r) => r.method === 'DELETE').length, 0, 'no deletion without --prune');
  assert.equal(devEntities(emu, orgId), before);

  const prune = await runCli(['apply', '--dir', dir, '--auto-approve', '--prune'], { env });
  assert.equal(prune.code, 0, prune.stdout + prune.stderr);
  assert.equal(devEntities(emu, orgId), 0, 'the orphans are gone');
  const after = await runCli(['plan', '--dir', dir, '--detailed-exitcode'], { env });
  assert.equal(after.code, 0, after.stdout);
  assert.match(after.stdout, /No changes/);
});

test('orphans: pruning a dropped sandbox that holds most of the owned entities is refused without --allow-mass-delete', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const dir = await tempRepo(t);
  await writeRepo(dir, ACCOUNTS, [prodDest('a'), devDest('x'), devDest('y'), devDest('z')], CONFIG);
  assert.equal((await runCli(['apply', '--dir', dir, '--auto-approve'], { env })).code, 0);
  const before = devEntities(emu, orgId);
  await writeRepo(dir, [ACCOUNTS[0]!], [prodDest('a')], CONFIG);
  emu.admin.resetRequests();
  const refused = await runCli(['apply', '--dir', dir, '--auto-approve', '--prune'], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /FS_APPLY_MASS_DELETE/);
  assert.equal(emu.admin.requests().filter((r) => r.method === 'DELETE').length, 0);
  assert.equal(devEntities(emu, orgId), before);
  const allowed = await runCli(['apply', '--dir', dir, '--auto-approve', '--prune', '--allow-mass-delete'], { env });
  assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  assert.equal(devEntities(emu, orgId), 0);
});

test('orphans: another manager\'s entities in a dropped sandbox are never orphans', async (t) => {
  const { env } = await startTestEmulator(t);
  const mine = await tempRepo(t);
  const theirs = await tempRepo(t);
  await writeRepo(theirs, [ACCOUNTS[1]!], [devDest('x')], { manager: 'team-other' });
  assert.equal((await runCli(['apply', '--dir', theirs, '--auto-approve'], { env })).code, 0);
  await writeRepo(mine, [ACCOUNTS[0]!], [prodDest('a')], CONFIG);
  assert.equal((await runCli(['apply', '--dir', mine, '--auto-approve'], { env })).code, 0);
  const plan = await runCli(['plan', '--dir', mine, '--detailed-exitcode', '--prune'], { env });
  assert.equal(plan.code, 0, plan.stdout);
  assert.match(plan.stdout, /No changes/);
});
