// Dataflow runs over HTTP: produced on the emulator's clock for enabled flows only, shaped like the
// spec's Flow_Run, filtered and paged like every list, failing on the runFailureRate knob.
import assert from 'node:assert/strict';
import test from 'node:test';
import { RUN_FAILURE, RUNS_KEPT_PER_FLOW } from '../../src/emulator/index.ts';
import { produceRuns, RUNS_KEPT_PER_SANDBOX, storedRuns } from '../../src/emulator/runs.ts';
import { Store } from '../../src/emulator/store.ts';
import { apiFor, flowBody, kinesisTarget, makeFlow, startForTest, type Api } from './helpers.ts';

const INTERVAL = 1_000;
const SEGMENTS = ['72ddd79b-6b0a-4e97-a8d2-112ccd81bd02', '5a1e2b3c-7d8e-4f90-a1b2-c3d4e5f60718']; // example audiences of prod (Men over 50, Gold tier members);

/** An emulator whose clock only moves when the test says so. */
async function clocked(t: Parameters<typeof startForTest>[0], faults = {}) {
  let now = Date.UTC(2026, 0, 1, 12, 0, 0, 300);
  const emu = await startForTest(t, { transitionMs: 0, runIntervalMs: INTERVAL, now: () => now, faults });
  const api = await apiFor(emu);
  return { emu, api, advance: (ms: number) => { now += ms; } };
}

async function withSegments(api: Api, flowId: string, etag: string): Promise<void> {
  const ops = SEGMENTS.map((id) => ({ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id } } }));
  assert.equal((await api('PATCH', `/flows/${flowId}`, ops, { 'if-match': etag })).status, 200);
}

const runsOf = async (api: Api, flowId: string) => (await api('GET', `/runs?property=flowId==${flowId}`)).body.items as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any

test('runs appear on the clock for enabled flows only, one per interval, newest first', async (t) => {
  const { api, advance } = await clocked(t);
  const on = await makeFlow(api, 'on');
  await withSegments(api, on.flowId, on.etag);
  const { targetId } = await kinesisTarget(api, 'off-account');
  const off = await api('POST', '/flows', flowBody('off', on.sourceId, targetId));
  assert.equal((await api('POST', `/flows/${off.body.id}/action?op=disable`)).status, 200);
  assert.deepEqual(await runsOf(api, on.flowId), [], 'no run before the first interval boundary');

  advance(3 * INTERVAL);
  const runs = await runsOf(api, on.flowId);
  assert.equal(runs.length, 3);
  assert.deepEqual(await runsOf(api, off.body.id), [], 'a disabled flow has no runs');
  assert.ok(runs[0].createdAt > runs[1].createdAt, 'newest first');
  assert.equal(runs[0].createdAt - runs[1].createdAt, INTERVAL);
  const run = runs[0];
  assert.equal(run.flowId, on.flowId);
  assert.equal(run.metrics.statusSummary.status, 'success');
  const rs = run.metrics.recordSummary;
  assert.ok(rs.inputRecordCount > 0);
  assert.equal(rs.outputRecordCount, rs.inputRecordCount);
  assert.equal(rs.failedRecordCount, 0);
  assert.deepEqual(rs.sourceSummaries[0].entitySummaries.map((e: { id: string }) => e.id), SEGMENTS.map((id) => `segment:${id}`));
  assert.ok(run.metrics.durationSummary.completedAtUTC > run.metrics.durationSummary.startedAtUTC);
  assert.equal((await api('GET', `/runs/${run.id}`)).body.items[0].id, run.id);
  assert.equal((await api('GET', '/runs/no-such-run')).status, 404);

  // disabled in the middle: the runs due before the disable exist, none after it
  assert.equal((await api('POST', `/flows/${on.flowId}/action?op=disable`)).status, 200);
  advance(5 * INTERVAL);
  assert.equal((await runsOf(api, on.flowId)).length, 3);
});

test('runs are filtered by createdAt, paged with _links.next, and bounded per flow', async (t) => {
  const { api, advance } = await clocked(t);
  const f = await makeFlow(api);
  advance(5 * INTERVAL);
  const all = await runsOf(api, f.flowId);
  assert.equal(all.length, 5);
  const since = all[2].createdAt;
  const recent = await api('GET', `/runs?property=createdAt>${since}&limit=1`);
  assert.equal(recent.body.items.length, 1);
  assert.match(recent.body._links.next.href, /^\/runs\?.*continuationToken=/);
  const next = await api('GET', recent.body._links.next.href);
  assert.equal(next.body.items.length, 1);
  assert.equal(next.body._links, undefined);
  assert.deepEqual([recent.body.items[0].id, next.body.items[0].id], [all[0].id, all[1].id]);

  advance(200 * INTERVAL);
  assert.equal((await runsOf(api, f.flowId)).length, RUNS_KEPT_PER_FLOW);
});

test('runFailureRate 1 fails every run with the documented error, set by the admin faults route; 0 recovers', async (t) => {
  const { emu, api, advance } = await clocked(t);
  const f = await makeFlow(api);
  await withSegments(api, f.flowId, f.etag);
  const put = await fetch(`${emu.url}/__emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ runFailureRate: 1 }) });
  assert.equal(put.status, 200);
  advance(2 * INTERVAL);
  const failed = await runsOf(api, f.flowId);
  assert.equal(failed.length, 2);
  for (const r of failed) {
    assert.equal(r.metrics.statusSummary.status, 'failed');
    assert.deepEqual(r.metrics.statusSummary.errors, [RUN_FAILURE]);
    assert.equal(r.metrics.recordSummary.failedRecordCount, r.metrics.recordSummary.inputRecordCount);
  }
  const byStatus = await api('GET', '/runs?property=metrics.statusSummary.status==failed');
  assert.equal(byStatus.body.items.length, 2);

  emu.admin.setFaults({ runFailureRate: 0, runPartialFailureRate: 1 });
  advance(INTERVAL);
  const [partial] = await runsOf(api, f.flowId);
  assert.equal(partial.metrics.statusSummary.status, 'success');
  assert.ok(partial.metrics.recordSummary.failedRecordCount > 0);
  assert.ok(partial.metrics.recordSummary.failedRecordCount < partial.metrics.recordSummary.inputRecordCount);
  assert.equal(partial.metrics.recordSummary.failedInfo[0].count, partial.metrics.recordSummary.failedRecordCount);
  assert.throws(() => emu.admin.setFaults({ runFailureRate: 2 }), /runFailureRate must be a number from 0 to 1/);
});

test('a sandbox keeps at most RUNS_KEPT_PER_SANDBOX runs, dropping the oldest', () => {
  const store = new Store();
  const scope = store.scope('ORG@AdobeOrg', 'prod');
  const flows = Math.ceil(RUNS_KEPT_PER_SANDBOX / RUNS_KEPT_PER_FLOW) + 10;
  for (let i = 0; i < flows; i++) {
    store.put(scope, 'flows', { id: `flow-${i}`, etag: '"e"', state: 'enabled', createdAt: 0, sourceConnectionIds: ['s'], targetConnectionIds: ['t'], transformations: [] });
  }
  produceRuns(scope, 'ORG@AdobeOrg', 'prod', 100 * INTERVAL, { runIntervalMs: INTERVAL, runFailureRate: 0, runPartialFailureRate: 0, seed: 1 });
  const runs = storedRuns(scope);
  assert.equal(runs.length, RUNS_KEPT_PER_SANDBOX);
  const newest = Math.max(...runs.map((r) => Number(r.doc.createdAt)));
  assert.ok(runs.every((r) => Number(r.doc.createdAt) > newest - RUNS_KEPT_PER_FLOW * INTERVAL), 'only the newest runs stay');
  assert.equal(new Set(runs.map((r) => r.doc.id)).size, runs.length);
  const times = runs.map((r) => Number(r.doc.createdAt));
  assert.deepEqual(times, [...times].sort((a, b) => a - b), 'write order is time order');
});
