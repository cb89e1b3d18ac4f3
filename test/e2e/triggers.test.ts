// E2E: `flowsync run` follows git and folders. A commit is live in the emulator within 2 s of a
// signed webhook or a folder change, a push is picked up by the next poll, bad signatures are
// refused, and SIGTERM during a cycle exits 0 within 5 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeRepo, segmentId } from '../helpers/repo.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { tempDir } from '../daemon/helpers.ts';
import { ACCOUNTS, configRemote, dest, flowNamed, metricValue, segmentsOf, startDaemon } from './harness.ts';

const push = { ref: 'refs/heads/main' };

test('e2e git: a commit is live within 2 s of a signed webhook; bad signatures are refused and reconcile nothing', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const remote = await configRemote(t);
  await remote.commit([dest('summer', [1])]);
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h'], env);
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 10_000, message: 'first cycle did not succeed' });
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'summer')), [segmentId(1)]);
  assert.equal(await d.readyz(), 200);

  const rev = await remote.commit([dest('summer', [1, 2])], {}, 'add segment 2');
  // Wrong secret, no signature: 401, no cycle, nothing written.
  emu.admin.resetRequests();
  assert.equal(await d.webhook(push, 'not-the-secret'), 401);
  assert.equal(await d.webhook(push, null), 401);
  const metrics = await d.metrics();
  assert.equal(metricValue(metrics, 'flowsync_webhook_requests_total', 'outcome="unauthorized"'), 2);
  await eventually(() => d.records().filter((r) => r.msg === 'webhook refused: bad or missing signature').length === 2, { timeoutMs: 2_000, message: 'refusals not logged' });
  assert.deepEqual(d.events('cycle').filter((c) => c.trigger === 'webhook'), []);
  assert.equal(emu.admin.counters().writes, 0);
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'summer')), [segmentId(1)]);

  const t0 = Date.now();
  assert.equal(await d.webhook(push), 202);
  await eventually(() => segmentsOf(flowNamed(emu, orgId, 'summer')).length === 2, { timeoutMs: 2_000, intervalMs: 10, message: 'segment 2 not live within 2 s of the webhook' });
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 2_000, `took ${elapsed} ms`);
  await eventually(async () => (await d.status()).revision.inForce === rev, { timeoutMs: 2_000 });
  // The log line of a cycle is written right after its status; give the pipe a moment.
  const cycle = (await eventually(() => d.events('cycle').find((c) => c.revision === rev), { timeoutMs: 2_000 }))!;
  assert.equal(cycle.trigger, 'webhook');
  assert.equal(cycle.result, 'success');
  assert.ok(d.events('change').some((c) => c.revision === rev && c.destination === 'summer'), 'a change event names the revision and destination');
});

test('e2e git: a push to the remote branch is picked up by the next poll', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const remote = await configRemote(t);
  await remote.commit([dest('summer', [1])]);
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '200ms', '--interval', '1h'], env);
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 10_000 });
  const rev = await remote.commit([dest('summer', [1]), dest('winter', [3])], {}, 'add winter');
  await eventually(() => segmentsOf(flowNamed(emu, orgId, 'winter')).length === 1, { timeoutMs: 3_000, message: 'the poll did not pick up the push' });
  await eventually(async () => (await d.status()).revision.inForce === rev, { timeoutMs: 2_000 });
  const cycle = (await eventually(() => d.events('cycle').find((c) => c.revision === rev), { timeoutMs: 2_000 }))!;
  assert.equal(cycle.trigger, 'change');
});

test('e2e folder: a change in the watched folder is live within 2 s', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const dir = await tempDir(t, 'flowsync-e2e-dir-');
  await writeRepo(dir, ACCOUNTS, [dest('summer', [1])]);
  const d = await startDaemon(t, ['--dir', dir, '--interval', '1h'], env);
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 10_000 });
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'summer')), [segmentId(1)]);
  const t0 = Date.now();
  await writeRepo(dir, ACCOUNTS, [dest('summer', [1, 2])]);
  await eventually(() => segmentsOf(flowNamed(emu, orgId, 'summer')).length === 2, { timeoutMs: 2_000, intervalMs: 10, message: 'segment 2 not live within 2 s of the folder change' });
  assert.ok(Date.now() - t0 < 2_000);
});

test('e2e: SIGTERM during a cycle exits 0 within 5 s', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const remote = await configRemote(t);
  await remote.commit([dest('a', [1]), dest('b', [2]), dest('c', [3])]);
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h'], env);
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 10_000 });
  // Slow every API request so the next cycle is certainly in flight when the signal arrives.
  emu.admin.setFaults({ latencyMs: 300 });
  await remote.commit([dest('a', [1, 4]), dest('b', [2, 4]), dest('c', [3, 4])]);
  emu.admin.resetRequests();
  assert.equal(await d.webhook(push), 202);
  await eventually(() => emu.admin.counters().total > 0, { timeoutMs: 5_000, intervalMs: 5, message: 'the cycle did not reach the API' });
  const t0 = Date.now();
  d.proc.kill('SIGTERM');
  const code = await d.exited;
  const took = Date.now() - t0;
  assert.equal(code, 0, d.output());
  assert.ok(took < 5_000, `took ${took} ms`);
  assert.equal(d.events('stopped').length, 1, 'logs "stopped"');
  assert.equal(d.events('stop-timeout').length, 0, 'the cycle in flight finished in time');
});

test('e2e: webhooks that arrive during a cycle coalesce into one follow-up cycle', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const remote = await configRemote(t);
  await remote.commit([dest('a', [1]), dest('b', [2])]);
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h'], env);
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 10_000 });
  emu.admin.setFaults({ latencyMs: 150 });
  const rev = await remote.commit([dest('a', [1, 3]), dest('b', [2, 3])]);
  emu.admin.resetRequests();
  assert.equal(await d.webhook(push), 202);
  await eventually(() => emu.admin.counters().total > 0, { timeoutMs: 5_000, intervalMs: 5, message: 'the first cycle did not reach the API' });
  for (let i = 0; i < 5; i++) assert.equal(await d.webhook(push), 202);
  const webhookCycles = () => d.events('cycle').filter((c) => c.trigger === 'webhook');
  await eventually(() => webhookCycles().length >= 2, { timeoutMs: 10_000, message: 'no follow-up cycle' });
  d.proc.kill('SIGTERM');
  assert.equal(await d.exited, 0);
  assert.deepEqual(webhookCycles().map((c) => [c.revision, c.result]), [[rev, 'success'], [rev, 'success']]);
  assert.equal(webhookCycles()[1]!.changes, 0, 'the follow-up found nothing left to do');
});
