// E2E: an out-of-band edit (the emulator's admin route, as a person in the AEP UI) is undone in
// heal mode, and in warn mode and observe mode left alone but reported: /metrics, /status, the log
// and a notification to a local receiver, announced once while it lasts.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { segmentId, writeRepo } from '../helpers/repo.ts';
import { hookServer, tempDir } from '../daemon/helpers.ts';
import { ACCOUNTS, dest, flowNamed, metricValue, segmentsOf, startDaemon, type RunningDaemon } from './harness.ts';
import type { StartedEmulator } from '../../src/emulator/index.ts';

function removeFirstSegment(emu: StartedEmulator, orgId: string, name: string): void {
  const flow = flowNamed(emu, orgId, name);
  assert.ok(flow, `flow ${name} exists`);
  emu.admin.outOfBandEdit({ orgId, sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'remove', path: '/transformations/0/params/segmentSelectors/selectors/0' }] });
}

async function firstSuccess(d: RunningDaemon): Promise<void> {
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 10_000, message: 'first cycle did not succeed' });
}

/** Waits for `n` more cycles than have run so far. */
async function moreCycles(d: RunningDaemon, n: number): Promise<void> {
  const start = d.events('cycle').length;
  await eventually(() => d.events('cycle').length >= start + n, { timeoutMs: 10_000, message: `${n} more cycles did not run` });
}

test('e2e drift heal: an out-of-band edit is undone by the interval cycle, logged and announced', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const hook = await hookServer(t);
  const dir = await tempDir(t, 'flowsync-e2e-dir-');
  await writeRepo(dir, ACCOUNTS, [dest('healed', [1, 2])]);
  const d = await startDaemon(t, ['--dir', dir, '--interval', '400ms', '--notify-url-env', 'E2E_NOTIFY_URL'], { ...env, E2E_NOTIFY_URL: hook.url });
  await firstSuccess(d);
  removeFirstSegment(emu, orgId, 'healed');
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'healed')), [segmentId(2)]);
  await eventually(() => segmentsOf(flowNamed(emu, orgId, 'healed')).length === 2, { timeoutMs: 5_000, message: 'the drift was not healed' });
  await eventually(() => d.events('drift').some((e) => e.destination === 'healed' && e.healed === true && e.changedBy === 'ui-user@AdobeID'), { timeoutMs: 3_000, message: 'no healed drift log event' });
  await eventually(() => hook.received.some((b) => /Drift healed on destination prod\/healed/.test(b)), { timeoutMs: 3_000, message: 'no "healed" notification' });
  const s = await d.status();
  assert.equal(s.entities.find((e) => e.name === 'healed')?.condition, 'Ready');
  assert.equal(metricValue(await d.metrics(), 'flowsync_entities', 'kind="destination",condition="Drifted"'), 0);
});

async function assertReportedNotHealed(t: TestContext, mode: 'warn' | 'observe'): Promise<void> {
  const { emu, env, orgId } = await startTestEmulator(t);
  const hook = await hookServer(t);
  const dir = await tempDir(t, 'flowsync-e2e-dir-');
  const policy = mode === 'warn' ? 'warn' : 'heal';
  await writeRepo(dir, ACCOUNTS, [dest('watched', [1, 2], { drift: policy }), dest('steady', [3])]);
  // Observe mode writes nothing, so the org is set up by a plain apply first.
  if (mode === 'observe') assert.equal((await runCli(['apply', '--dir', dir, '--auto-approve'], { env })).code, 0);
  const args = ['--dir', dir, '--interval', '300ms', '--notify-url-env', 'E2E_NOTIFY_URL', ...(mode === 'observe' ? ['--mode', 'observe'] : [])];
  const d = await startDaemon(t, args, { ...env, E2E_NOTIFY_URL: hook.url });
  await firstSuccess(d);
  assert.equal(metricValue(await d.metrics(), 'flowsync_entities', 'kind="destination",condition="Drifted"'), 0);

  emu.admin.resetRequests();
  removeFirstSegment(emu, orgId, 'watched');
  // Reported: status, metric, log, notification.
  const entity = (await eventually(async () => (await d.status()).entities.find((e) => e.name === 'watched' && e.condition === 'Drifted'), { timeoutMs: 3_000, message: 'status never showed Drifted' }))!;
  assert.equal(entity.reason, 'DriftDetected');
  assert.ok(entity.message, 'the Drifted condition says what differs');
  if (mode === 'observe') assert.match(entity.message!, /observe mode/);
  else assert.match(entity.message!, /drift: warn/);
  assert.equal((await d.status()).entities.find((e) => e.name === 'steady')?.condition, 'Ready');
  await eventually(async () => metricValue(await d.metrics(), 'flowsync_entities', 'kind="destination",condition="Drifted"') === 1, { timeoutMs: 2_000, message: 'drifted gauge not 1' });
  const drift = (await eventually(() => d.events('drift').find((e) => e.destination === 'watched'), { timeoutMs: 2_000 }))!;
  assert.equal(drift.healed, false);
  assert.equal(drift.sandbox, 'prod');
  assert.equal(drift.policy, policy);
  assert.ok('revision' in drift);
  await eventually(() => hook.received.some((b) => /Drift found on destination prod\/watched/.test(b)), { timeoutMs: 3_000, message: 'no drift notification' });

  // Left alone while it lasts, and announced only once.
  await moreCycles(d, 3);
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'watched')), [segmentId(2)]);
  assert.equal(emu.admin.counters().writes, 0, 'the daemon wrote nothing');
  const announcements = hook.received.filter((b) => /Drift found on destination prod\/watched/.test(b));
  assert.equal(announcements.length, 1, hook.received.join('\n'));
  assert.equal(typeof (JSON.parse(announcements[0]!) as { text?: unknown }).text, 'string', 'Slack-compatible body');

  // Put back by hand: the drift is over, which is announced once too.
  const flow = flowNamed(emu, orgId, 'watched')!;
  emu.admin.outOfBandEdit({ orgId, sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/0', value: { type: 'PLATFORM_SEGMENT', value: { id: segmentId(1) } } }] });
  await eventually(() => hook.received.some((b) => /Recovered: destination prod\/watched matches git again/.test(b)), { timeoutMs: 3_000, message: 'no "recovered" notification' });
  await eventually(async () => (await d.status()).entities.find((e) => e.name === 'watched')?.condition === 'Ready', { timeoutMs: 2_000 });
  assert.equal(metricValue(await d.metrics(), 'flowsync_entities', 'kind="destination",condition="Drifted"'), 0);
}

test('e2e drift warn: an out-of-band edit is reported (metric, status, log, notification once) and left alone', (t) => assertReportedNotHealed(t, 'warn'));

test('e2e observe mode: drift on a heal destination is reported and left alone', (t) => assertReportedNotHealed(t, 'observe'));

test('e2e suspend: daemon.suspend in flowsync.yaml stops healing without a restart; resuming heals', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const dir = await tempDir(t, 'flowsync-e2e-dir-');
  await writeRepo(dir, ACCOUNTS, [dest('healed', [1, 2])]);
  const d = await startDaemon(t, ['--dir', dir, '--interval', '300ms'], env);
  await firstSuccess(d);

  await writeRepo(dir, ACCOUNTS, [dest('healed', [1, 2])], { daemon: { suspend: true } });
  await eventually(async () => (await d.status()).suspended, { timeoutMs: 3_000, message: 'never suspended' });
  emu.admin.resetRequests();
  removeFirstSegment(emu, orgId, 'healed');
  await moreCycles(d, 3);
  const s = await d.status();
  assert.equal(s.lastCycle?.result, 'suspended');
  assert.deepEqual(s.entities.map((e) => e.condition), ['Suspended', 'Suspended']);
  assert.equal(await d.readyz(), 200);
  assert.equal(metricValue(await d.metrics(), 'flowsync_suspended'), 1);
  assert.equal(emu.admin.counters().writes, 0);
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'healed')), [segmentId(2)]);

  await writeRepo(dir, ACCOUNTS, [dest('healed', [1, 2])], { daemon: { suspend: false } });
  await eventually(() => segmentsOf(flowNamed(emu, orgId, 'healed')).length === 2, { timeoutMs: 3_000, message: 'not healed after resuming' });
  await eventually(async () => !(await d.status()).suspended && metricValue(await d.metrics(), 'flowsync_suspended') === 0, { timeoutMs: 2_000 });
});
