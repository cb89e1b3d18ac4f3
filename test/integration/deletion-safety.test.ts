// Deleting safely through the real CLI against the emulator (issue 10's mass-delete table): an
// emptied folder, every destination file removed, every file truncated to 0 bytes. None of them
// sends a single DELETE without --allow-mass-delete, and an empty set stays invalid even with it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { seededOrg, type TestEmulator } from '../helpers/emulator.ts';
import { tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';

const ACCOUNTS: AccountSpec[] = [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }];
const DESTINATIONS: DestinationSpec[] = Array.from({ length: 6 }, (_, i) => ({ name: `d${i}`, account: 'kin' }));
// Owned once applied: the account, the Profile Store pair, and a target connection and a dataflow per destination.
const OWNED = 1 + 2 + 2 * DESTINATIONS.length;

type Emu = TestEmulator;

// Every repo of the file names one manager: the default one is named after the repo's folder, and the
// seeded entities must stay this file's whichever folder a test writes.
const write = (dir: string, accounts: AccountSpec[], destinations: DestinationSpec[], config: Record<string, unknown> = {}) =>
  writeRepo(dir, accounts, destinations, { manager: 'deletion-safety', ...config });

// The config repo applied once for the file; each test gets its own emulator started from that state.
const seeded = seededOrg(async (emulator, dir) => {
  await write(dir, ACCOUNTS, DESTINATIONS);
  const first = await runCli(['apply', '--dir', dir, '--auto-approve'], { env: emulator.env });
  assert.equal(first.code, 0, first.stderr + first.stdout);
});

/** The config repo (with `config` in flowsync.yaml) applied to an emulator of the test's own, no request logged yet. */
async function applied(t: TestContext, config: Record<string, unknown> = {}): Promise<Emu & { dir: string }> {
  const emulator = await seeded(t);
  const dir = await tempRepo(t);
  await write(dir, ACCOUNTS, DESTINATIONS, config);
  assert.equal(flows(emulator).length, DESTINATIONS.length);
  assert.equal(emulator.emu.admin.requests().length, 0);
  return { ...emulator, dir };
}

function flows({ emu, orgId }: Emu): unknown[] {
  return emu.admin.snapshot().scopes[`${orgId}/prod`]?.flows ?? [];
}

const deleteRequests = ({ emu }: Emu) => emu.admin.requests().filter((r) => r.method === 'DELETE').length;

const CASES: [string, (dir: string) => Promise<void>][] = [
  ['an emptied manifests folder', async (dir) => {
    await rm(path.join(dir, 'm'), { recursive: true });
    await write(dir, [], []);
    await writeFile(path.join(dir, 'm', 'README.md'), 'moved elsewhere\n');
  }],
  ['every file truncated to 0 bytes', async (dir) => {
    for (const f of await readdir(path.join(dir, 'm'))) await writeFile(path.join(dir, 'm', f), '');
  }],
];

for (const [label, change] of CASES) {
  test(`apply --prune with ${label} is an invalid revision: exit 1, no request, even with --allow-mass-delete`, async (t) => {
    const emulator = await applied(t, { reconcile: { prune: true } });
    await change(emulator.dir);
    for (const extra of [[], ['--allow-mass-delete']]) {
      const res = await runCli(['apply', '--dir', emulator.dir, '--prune', '--auto-approve', ...extra], { env: emulator.env });
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr, /FS_MANIFEST_EMPTY.*no accounts and no destinations under m\//);
      assert.match(res.stderr, /reconcile\.allowEmpty/);
    }
    const validate = await runCli(['validate', emulator.dir], { env: emulator.env });
    assert.equal(validate.code, 1, validate.stdout + validate.stderr);
    const plan = await runCli(['plan', emulator.dir, '--prune'], { env: emulator.env });
    assert.equal(plan.code, 1, plan.stdout + plan.stderr);
    assert.equal(deleteRequests(emulator), 0);
    assert.equal(emulator.emu.admin.counters().writes, 0);
    assert.equal(flows(emulator).length, DESTINATIONS.length);
  });
}

test('with reconcile.allowEmpty an emptied folder plans its deletions, and the guard still refuses them', async (t) => {
  const emulator = await applied(t);
  await write(emulator.dir, [], [], { reconcile: { allowEmpty: true } });
  const res = await runCli(['apply', '--dir', emulator.dir, '--prune', '--auto-approve'], { env: emulator.env });
  assert.equal(res.code, 1, res.stdout + res.stderr);
  assert.match(res.stderr, new RegExp(`FS_APPLY_MASS_DELETE.*the plan would delete ${OWNED} of ${OWNED} owned entities \\(100%\\)`));
  assert.equal(deleteRequests(emulator), 0);
  const allowed = await runCli(['apply', '--dir', emulator.dir, '--prune', '--auto-approve', '--allow-mass-delete'], { env: emulator.env });
  assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  assert.equal(flows(emulator).length, 0);
});

test('apply --prune with every destination file removed is refused (FS_APPLY_MASS_DELETE, no DELETE); --allow-mass-delete applies it', async (t) => {
  const emulator = await applied(t);
  await write(emulator.dir, ACCOUNTS, []);
  const res = await runCli(['apply', '--dir', emulator.dir, '--prune', '--auto-approve'], { env: emulator.env });
  assert.equal(res.code, 1, res.stdout + res.stderr);
  const deleted = 2 * DESTINATIONS.length + 2; // the Profile Store pair goes with the last destination
  assert.match(res.stderr, new RegExp(`FS_APPLY_MASS_DELETE.*the plan would delete ${deleted} of ${OWNED} owned entities \\(${Math.round((deleted / OWNED) * 100)}%\\), more than reconcile.maxDeleteRatio 50%`));
  assert.match(res.stderr, /nothing was written/);
  assert.match(res.stderr, /--allow-mass-delete/);
  assert.equal(deleteRequests(emulator), 0);
  assert.equal(emulator.emu.admin.counters().writes, 0);
  assert.equal(flows(emulator).length, DESTINATIONS.length);

  const allowed = await runCli(['apply', '--dir', emulator.dir, '--prune', '--auto-approve', '--allow-mass-delete'], { env: emulator.env });
  assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  assert.equal(deleteRequests(emulator), deleted);
  assert.equal(flows(emulator).length, 0);
});

test('a small prune within the ratio applies without the flag', async (t) => {
  const emulator = await applied(t);
  await write(emulator.dir, ACCOUNTS, DESTINATIONS.slice(1));
  const res = await runCli(['apply', '--dir', emulator.dir, '--prune', '--auto-approve'], { env: emulator.env });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.equal(deleteRequests(emulator), 2);
  assert.equal(flows(emulator).length, DESTINATIONS.length - 1);
});

test('a saved plan that prunes too much is refused before any write; --allow-mass-delete applies it', async (t) => {
  const emulator = await applied(t);
  await write(emulator.dir, ACCOUNTS, DESTINATIONS.slice(0, 1));
  const planFile = path.join(emulator.dir, 'prune.plan.json');
  const plan = await runCli(['plan', emulator.dir, '--prune', '--out', planFile], { env: emulator.env });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  const res = await runCli(['apply', planFile, '--dir', emulator.dir, '--auto-approve'], { env: emulator.env });
  assert.equal(res.code, 1, res.stdout + res.stderr);
  assert.match(res.stderr, new RegExp(`FS_APPLY_MASS_DELETE.*the plan would delete 10 of ${OWNED} owned entities`));
  assert.equal(emulator.emu.admin.counters().writes, 0);
  const allowed = await runCli(['apply', planFile, '--dir', emulator.dir, '--auto-approve', '--allow-mass-delete'], { env: emulator.env });
  assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  assert.equal(deleteRequests(emulator), 10);
  assert.equal(flows(emulator).length, 1);
});
