// The daemon's cycle against the emulator: a destination another manager owns is reported as
// Failed/Conflict naming that manager, and nothing is written to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createCycle } from '../../src/reconcile/cycle.ts';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { tempRepo, writeRepo } from '../helpers/repo.ts';

test('a cycle reports an entity in conflict as Failed, reason Conflict, naming the other manager', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const dir = await tempRepo(t);
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  await mkdir(a);
  await mkdir(b);
  await writeRepo(a, [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }], [{ name: 'shared', account: 'kin' }], { manager: 'team-a' });
  await writeRepo(b, [{ name: 'kin-b', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }], [{ name: 'shared', account: 'kin-b' }], { manager: 'team-b' });
  assert.equal((await runCli(['apply', '--dir', a, '--auto-approve'], { env })).code, 0);
  emu.admin.resetRequests();

  const cycle = createCycle({ env: { ...process.env, ...env }, connect: {}, allowMassDelete: false });
  const outcome = await cycle({ dir: b, revision: 'r1', trigger: 'startup', mode: 'apply' }, new AbortController().signal);
  const shared = outcome.entities.find((e) => e.name === 'shared')!;
  assert.equal(shared.condition, 'Failed');
  assert.equal(shared.reason, 'Conflict');
  assert.match(shared.message ?? '', /managed by team-a/);
  assert.equal(outcome.entities.find((e) => e.name === 'kin-b')?.condition, 'Ready');
  assert.ok(!flowServiceWrites(emu).some((w) => /\/flows(\/|$)|\/targetConnections/.test(w.path)), JSON.stringify(flowServiceWrites(emu)));
});
