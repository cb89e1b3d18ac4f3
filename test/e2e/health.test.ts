// E2E: the daemon reads the runs each cycle and reports activation health three ways that agree:
// /status (Kubernetes-style conditions), /metrics (flowsync_destination_health and
// flowsync_destination_records_total) and notifications (each transition once, then "recovered").
// The runs cost one GET /runs per sandbox per cycle, checked in the emulator's request log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { writeRepo } from '../helpers/repo.ts';
import { hookServer, tempDir } from '../daemon/helpers.ts';
import { ACCOUNTS, dest, metricValue, startDaemon, type RunningDaemon } from './harness.ts';

interface HealthEntity { kind: string; name: string; health?: { type: string; status: string; health: string; reason: string; lastTransitionTime: string }; lastRun?: { type: string; status: string; runId?: string } }

const destinations = async (d: RunningDaemon) => ((await d.status()).entities as HealthEntity[]).filter((e) => e.kind === 'destination');

/** Every destination's health in /status, and the same read from /metrics. */
async function healthViews(d: RunningDaemon) {
  const fromStatus = Object.fromEntries((await destinations(d)).map((e) => [e.name, e.health?.health]));
  const text = await d.metrics();
  const fromMetrics = Object.fromEntries(Object.keys(fromStatus).map((name) => {
    const line = text.split('\n').find((l) => l.startsWith(`flowsync_destination_health{sandbox="prod",destination="${name}",`) && l.endsWith(' 1'));
    return [name, line ? /health="(\w+)"/.exec(line)?.[1] : undefined];
  }));
  return { fromStatus, fromMetrics, text };
}

async function healthIs(d: RunningDaemon, want: Record<string, string>, message: string): Promise<string> {
  const views = await eventually(async () => {
    const v = await healthViews(d);
    return JSON.stringify(v.fromStatus) === JSON.stringify(want) ? v : undefined;
  }, { timeoutMs: 15_000, message });
  assert.deepEqual(views!.fromMetrics, views!.fromStatus, '/metrics and /status agree');
  return views!.text;
}

test('e2e health: /status, /metrics and notifications agree through failure and recovery, at one GET /runs per sandbox per cycle', async (t) => {
  const { emu, env } = await startTestEmulator(t, { runIntervalMs: 150 });
  const hook = await hookServer(t);
  const dir = await tempDir(t, 'flowsync-e2e-dir-');
  await writeRepo(dir, ACCOUNTS, [dest('orders', [1, 2]), dest('clicks', [3]), dest('paused', [4], { enabled: false })]);
  const d = await startDaemon(t, ['--dir', dir, '--interval', '300ms', '--notify-url-env', 'E2E_NOTIFY_URL'], { ...env, E2E_NOTIFY_URL: hook.url });

  const healthy = await healthIs(d, { clicks: 'Healthy', orders: 'Healthy', paused: 'Disabled' }, 'destinations did not turn Healthy');
  const orders = (await destinations(d)).find((e) => e.name === 'orders')!;
  assert.deepEqual([orders.health?.type, orders.health?.status, orders.health?.reason], ['Healthy', 'True', 'RunsSucceeded']);
  assert.deepEqual([orders.lastRun?.type, orders.lastRun?.status], ['LastRunSucceeded', 'True']);
  assert.ok(Number.isFinite(Date.parse(orders.health!.lastTransitionTime)));
  assert.ok((metricValue(healthy, 'flowsync_destination_records_total', 'sandbox="prod",destination="orders",result="activated"') ?? 0) > 0);
  assert.equal(metricValue(healthy, 'flowsync_destination_records_total', 'sandbox="prod",destination="orders",result="failed"'), 0);

  // cost: one paged GET /runs per sandbox (one sandbox here) per cycle, filtered by createdAt
  const cyclesBefore = d.events('cycle').length;
  emu.admin.resetRequests();
  await eventually(() => d.events('cycle').length >= cyclesBefore + 3, { timeoutMs: 10_000, message: 'three more cycles did not run' });
  const cycles = d.events('cycle').length - cyclesBefore;
  const runReads = emu.admin.requests().filter((r) => r.method === 'GET' && r.path.endsWith('/runs'));
  assert.ok(runReads.length >= cycles - 1 && runReads.length <= cycles + 1, `${runReads.length} GET /runs in ${cycles} cycles`);
  for (const r of runReads) assert.match(decodeURIComponent(r.query), /^limit=100&property=createdAt>\d+$/);

  emu.admin.setFaults({ runFailureRate: 1 });
  const failing = await healthIs(d, { clicks: 'Failed', orders: 'Failed', paused: 'Disabled' }, 'destinations did not turn Failed');
  assert.ok((metricValue(failing, 'flowsync_destination_records_total', 'sandbox="prod",destination="orders",result="failed"') ?? 0) > 0);
  const failed = (await destinations(d)).find((e) => e.name === 'orders')!;
  assert.deepEqual([failed.health?.status, failed.health?.reason, failed.lastRun?.status], ['False', 'RunsFailed', 'False']);
  await eventually(() => hook.received.some((b) => b.includes('Destination prod/orders is Failed: its last dataflow runs all failed')), { timeoutMs: 5_000, message: 'no Failed notification' });

  emu.admin.setFaults({ runFailureRate: 0 });
  await healthIs(d, { clicks: 'Healthy', orders: 'Healthy', paused: 'Disabled' }, 'destinations did not recover');
  await eventually(() => hook.received.some((b) => b.includes('Recovered: destination prod/orders is Healthy again (was Failed)')), { timeoutMs: 5_000, message: 'no recovered notification' });
  const failedNotices = hook.received.join('\n').match(/Destination prod\/orders is Failed/g) ?? [];
  assert.equal(failedNotices.length, 1, 'a lasting Failed health is announced once');
});
