// Faults that must not end an apply early (issue 11): answers lost after the API acted, and short
// outages. The real CLI against the real emulator over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';

const KIN: AccountSpec = { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };

function destinations(n: number, enabled = true): DestinationSpec[] {
  return Array.from({ length: n }, (_, i) => ({ name: `dest-${i}`, account: 'kin', segments: [segmentId(i)], attributes: ['person.name.lastName'], enabled }));
}

test('a lost answer to disable is retried, meets "already disabled" (1422) and counts as done', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN], destinations(4));
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);

  await writeRepo(repo, [KIN], destinations(4, false));
  emu.admin.setFaults({ dropAfterCommit: { count: 4, method: 'POST', pathPrefix: '/flows/' } });
  const run = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const actions = emu.admin.requests().filter((r) => r.path.endsWith('/action'));
  assert.ok(actions.some((r) => r.status === 400), 'the retry met 1422');
  const flows = Object.values(emu.admin.snapshot().scopes).flatMap((s) => s.flows ?? []);
  assert.deepEqual(flows.map((f) => f.state as string), ['disabled', 'disabled', 'disabled', 'disabled']);
  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, plan.stdout);
});
