// The real CLI against the emulator with its default asynchronous flow operations (300 ms): apply
// orders create → disable → patch and update → enable on one flow without one refused write, and
// the verifying re-plan sees settled flows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TRANSITION_MS } from '../../src/emulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';

const KIN: AccountSpec = { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };
const dests = (enabled: boolean, segments: number[]): DestinationSpec[] =>
  [0, 1, 2].map((i) => ({ name: `dest-${i}`, account: 'kin', segments: segments.map((s) => segmentId(s + i * 10)), attributes: ['person.name.lastName'], enabled }));

test('apply waits for each flow to settle between its writes: no write refused, the next plan is empty', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  assert.equal(emu.admin.faults().transitionMs, DEFAULT_TRANSITION_MS, 'tests run with the realistic default');
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN], dests(false, [1]));
  const created = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(created.code, 0, created.stdout + created.stderr);
  await writeRepo(repo, [KIN], dests(true, [1, 2]));
  const changed = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(changed.code, 0, changed.stdout + changed.stderr);

  const writes = emu.admin.requests().filter((r) => r.write);
  assert.deepEqual(writes.filter((r) => r.status >= 300).map((r) => `${r.method} ${r.path} ${r.status}`), [], 'no write refused');
  assert.ok(writes.filter((r) => r.path.endsWith('/action')).length === 6, 'each flow was disabled, then enabled');
  const flows = Object.values(emu.admin.snapshot().scopes).flatMap((s) => s.flows);
  assert.deepEqual(flows.map((f) => f.state), ['enabled', 'enabled', 'enabled'], 'settled before apply returned');
  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.doesNotMatch(plan.stdout + plan.stderr, /settles/);
});
