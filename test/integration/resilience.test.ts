// apply under concurrency, faults and crashes, against the emulator over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { eventually } from '../helpers/eventually.ts';
import { CLI, runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { planOnly, racingClient, reconcileOnce, testClient } from '../helpers/reconcile.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';
import { TEST_SEGMENTS } from '../helpers/audiences.ts';

const KIN: AccountSpec = { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };
const EH: AccountSpec = { name: 'hub', type: 'azure-event-hubs', secretEnv: 'EVENTHUB_SAS_KEY' };

/** n destinations with their own segments (test audiences: segmentId below TEST_SEGMENTS). */
function destinations(n: number, segmentsEach = 3): DestinationSpec[] {
  assert.ok(n * 10 <= TEST_SEGMENTS && segmentsEach <= 10, 'the segments must be test audiences');
  return Array.from({ length: n }, (_, i) => ({
    name: `dest-${String(i).padStart(4, '0')}`,
    account: i % 2 === 0 ? 'kin' : 'hub',
    ...(i % 2 === 0 ? {} : { eventHubName: `hub-${i}` }),
    segments: Array.from({ length: segmentsEach }, (_, j) => segmentId(i * 10 + j)),
    attributes: ['person.name.lastName'],
  }));
}

type Snap = Record<string, Array<Record<string, any>>>;
const scope = (emu: { admin: { snapshot(): { scopes: Record<string, Snap> } } }, org: string, sandbox = 'prod'): Snap => emu.admin.snapshot().scopes[`${org}/${sandbox}`] ?? {};

function assertNoDuplicates(s: Snap): void {
  for (const collection of ['connections', 'sourceConnections', 'targetConnections', 'flows']) {
    const names = (s[collection] ?? []).map((e) => e.name as string);
    assert.equal(new Set(names).size, names.length, `duplicate ${collection}: ${names.sort().join(', ')}`);
  }
}

test('a concurrent writer racing apply causes no lost update: the 412 is re-read and recomputed', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN], [{ name: 'summer', account: 'kin', segments: [segmentId(1)], attributes: ['person.name.lastName'] }]);
  const client = await testClient(repo, env);
  t.after(() => client.close());
  assert.equal((await reconcileOnce(repo, env, client)).result.counts.failed, 0);

  // The manifest gains a segment; just before flowsync's PATCH lands, a person renames the flow
  // and adds an attribute in the UI (a real write through the emulator: new etag).
  await writeRepo(repo, [KIN], [{ name: 'summer', account: 'kin', segments: [segmentId(1), segmentId(2)], attributes: ['person.name.lastName'] }]);
  const flowId = scope(emu, orgId).flows![0]!.id as string;
  const racing = racingClient(client, (sandbox) =>
    emu.admin.outOfBandEdit({ orgId, sandbox, collection: 'flows', id: flowId, ops: [{ op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value: { type: 'JSON_PATH', value: { path: 'person.birthDate', operator: 'EXISTS' } } }] }),
  );
  const run = await reconcileOnce(repo, env, racing.client);
  assert.ok(racing.raced());
  const outcome = run.result.outcomes.find((o) => o.type === 'update-flow')!;
  assert.equal(outcome.status, 'applied');
  assert.equal(outcome.recomputed, 1);
  const flow = scope(emu, orgId).flows![0]!;
  const segs = flow.transformations[0].params.segmentSelectors.selectors.map((s: any) => s.value.id).sort();
  assert.deepEqual(segs, [segmentId(1), segmentId(2)]); // our update is not lost
  assert.deepEqual(run.verification.unverified, []);
  assert.equal((await planOnly(repo, env, client)).actions.length, 0);
});

test('429 and 5xx storms from fault injection end converged, with no duplicate', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t, { faults: { seed: 7 } });
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN, EH], destinations(12));
  // a 5xx on a create is ambiguous: it is looked up for the late-commit window before being sent again (kept short here)
  const client = await testClient(repo, env, { maxRetries: 12, breaker: { failureThreshold: 0, cooldownMs: 0 }, timeoutMs: 2_000, lateCommitWindowMs: 2_000 });
  t.after(() => client.close());
  emu.admin.setFaults({ errorRate: 0.2, throttleRate: 0.15, retryAfterSeconds: 0, dropRate: 0.05 });
  const run = await reconcileOnce(repo, env, client);
  emu.admin.setFaults({ errorRate: 0, throttleRate: 0, dropRate: 0 });
  const statuses = emu.admin.counters().byStatus;
  assert.ok((statuses['429'] ?? 0) > 0 && Object.keys(statuses).some((s) => s.startsWith('5')), JSON.stringify(statuses));
  assert.equal(run.result.counts.failed, 0, JSON.stringify(run.result.outcomes.filter((o) => o.status !== 'applied')));
  assert.equal((await planOnly(repo, env, client)).actions.length, 0);
  assertNoDuplicates(scope(emu, orgId));
});

test('a create whose answer is lost is found again instead of duplicated', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN], destinations(1));
  const client = await testClient(repo, env);
  t.after(() => client.close());
  emu.admin.setFaults({ dropAfterCommit: [{ count: 1, method: 'POST', pathPrefix: '/data/foundation/flowservice/flows' }, { count: 1, method: 'POST', pathPrefix: '/data/foundation/flowservice/targetConnections' }] });
  const run = await reconcileOnce(repo, env, client);
  assert.equal(run.result.counts.failed, 0, JSON.stringify(run.result.outcomes));
  assertNoDuplicates(scope(emu, orgId));
  assert.equal(scope(emu, orgId).flows!.length, 1);
});

test('a process killed between creates and run again leaves no duplicate', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t, { faults: { latencyMs: 60 } });
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN, EH], destinations(8));
  const child = spawn(process.execPath, [...CLI, 'apply', '--dir', repo, '--auto-approve'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  await eventually(() => emu.admin.requests().filter((r) => r.write && r.status === 201 && !/ lease$/.test(r.userAgent ?? '')).length >= 6, { timeoutMs: 20_000, intervalMs: 5 });
  child.kill('SIGKILL');
  await exited;
  const partial = scope(emu, orgId);
  assert.ok((partial.flows ?? []).length < 8, 'the kill came too late to leave a half-finished apply');

  const again = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const s = scope(emu, orgId);
  assertNoDuplicates(s);
  assert.equal(s.flows!.length, 8);
  assert.equal(s.targetConnections!.length, 8);
  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, plan.stdout);
});

test('prune deletes only with --prune, in reverse dependency order, and never an unowned entity', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN, EH], destinations(4));
  const client = await testClient(repo, env);
  t.after(() => client.close());
  await reconcileOnce(repo, env, client);

  // Someone else's dataflow in the same sandbox, made by hand (no flowsync tag).
  const s0 = scope(emu, orgId);
  const base = s0.connections!.find((c) => c.name === 'kin')!;
  const source = s0.sourceConnections![0]!;
  const tc = await client.create('prod', 'targetConnections', { name: 'manual', baseConnectionId: base.id, connectionSpec: { id: base.connectionSpec.id, version: '1.0' }, data: { format: 'json' }, params: { stream: 'manual', region: 'us-east-1' } });
  await client.create('prod', 'flows', { name: 'manual', flowSpec: { id: '71471eba-b620-49e4-90fd-23f1fa0174d8', version: '1.0' }, sourceConnectionIds: [source.id], targetConnectionIds: [tc.id], transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } }] });

  // Two destinations and the Event Hubs account leave the manifests.
  await writeRepo(repo, [KIN], destinations(4).filter((d) => d.account === 'kin'));
  const noPrune = await planOnly(repo, env, client);
  assert.equal(noPrune.actions.length, 0);
  const pruned = await planOnly(repo, env, client, { prune: true });
  assert.deepEqual(pruned.actions.map((a) => a.type).sort(), ['delete-account', 'delete-flow', 'delete-flow', 'delete-target-connection', 'delete-target-connection']);
  assert.ok(pruned.actions.every((a) => a.origin === 'prune'));
  const order = pruned.actions.map((a) => a.type);
  assert.ok(order.lastIndexOf('delete-flow') < order.indexOf('delete-target-connection'));
  assert.ok(order.lastIndexOf('delete-target-connection') < order.indexOf('delete-account'));
  const run = await reconcileOnce(repo, env, client, { prune: true });
  assert.equal(run.result.counts.failed, 0);
  const s = scope(emu, orgId);
  assert.deepEqual(s.flows!.map((f) => f.name).sort(), ['dest-0000', 'dest-0002', 'manual']);
  assert.ok(s.targetConnections!.some((x) => x.name === 'manual'));
  assert.ok(!s.connections!.some((c) => c.name === 'hub'));
});

test('pruning a whole sandbox deletes every owned entity, the Profile Store pair last (source, then base connection)', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN, { ...EH, sandbox: 'dev' }], [...destinations(2).filter((d) => d.account === 'kin'), { name: 'dev-dest', sandbox: 'dev', account: 'hub', eventHubName: 'dev-hub', segments: [segmentId(1)] }]);
  const client = await testClient(repo, env);
  t.after(() => client.close());
  assert.equal((await reconcileOnce(repo, env, client)).result.counts.failed, 0);
  assert.equal(scope(emu, orgId, 'dev').sourceConnections!.length, 1);

  // The dev sandbox leaves the manifests (prod stays, so dev is still read as the config names it).
  await writeRepo(repo, [KIN], destinations(2).filter((d) => d.account === 'kin'), { manifests: ['m'], sandbox: 'dev' });
  const run = await reconcileOnce(repo, env, client, { prune: true });
  assert.equal(run.result.counts.failed, 0, JSON.stringify(run.result.outcomes));
  const types = run.result.outcomes.map((o) => o.type);
  assert.ok(types.includes('delete-profile-store'));
  const dev = scope(emu, orgId, 'dev');
  for (const c of ['connections', 'sourceConnections', 'targetConnections', 'flows']) assert.deepEqual(dev[c] ?? [], [], `${c} left in dev`);
  assert.equal(scope(emu, orgId, 'prod').flows!.length, 1);
});

test('a stated request quota (api.requestsPerSecond) keeps apply under the API rate limit: no 429 at all', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t, { faults: { rateLimit: 20 } });
  const repo = await tempRepo(t);
  await writeRepo(repo, [KIN, EH], destinations(6), { api: { requestsPerSecond: 20 } });
  const client = await testClient(repo, env);
  t.after(() => client.close());
  const run = await reconcileOnce(repo, env, client);
  assert.equal(run.result.counts.failed, 0);
  assert.equal(emu.admin.counters().byStatus['429'] ?? 0, 0, JSON.stringify(emu.admin.counters().byStatus));
  assert.equal(scope(emu, orgId).flows!.length, 6);
});
