// The daemon's steady cycle against the emulator over HTTP: an interval cycle on an unchanged
// revision reads only what changed (a list of changes and a count per collection), walks no
// audiences where every segment is an id, and reuses the plan of every unchanged sandbox; drift and
// deletions made out of band are still seen at the next cycle, anything to write is planned on a
// full read, and a full read comes back every daemon.resync.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FlowServiceClient } from '../../src/api/index.ts';
import { EMULATOR_DEFAULTS, type StartedEmulator } from '../../src/emulator/index.ts';
import type { CycleOutcome, Trigger } from '../../src/reconcile/contract.ts';
import { createCycle } from '../../src/reconcile/cycle.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { destinationDoc, segmentId, tempRepo, writeRepo, type DestinationSpec } from '../helpers/repo.ts';
import { stringify } from 'yaml';

const ACCOUNTS = [{ name: 'kin', type: 'amazon-kinesis' as const, secretEnv: 'KINESIS_SECRET_KEY' }];
const DESTINATIONS: DestinationSpec[] = [
  { name: 'orders', account: 'kin', segments: [segmentId(1), segmentId(2)] },
  { name: 'returns', account: 'kin', segments: [segmentId(3)] },
  { name: 'watched', account: 'kin', segments: [segmentId(4)], drift: 'warn' },
];

type Entry = ReturnType<StartedEmulator['admin']['requests']>[number];
const params = (r: Entry) => new URLSearchParams(r.query);
// The repo's sandbox; in dev (which it does not name) the cycle looks only for the writer lease.
const isEntityList = (r: Entry) => r.sandbox === 'prod' && r.method === 'GET' && /\/(connections|sourceConnections|targetConnections|flows)$/.test(r.path);
const isCount = (r: Entry) => isEntityList(r) && params(r).get('count') === 'true';
const isChanges = (r: Entry) => isEntityList(r) && params(r).getAll('property').some((p) => p.startsWith('updatedAt>='));
const isFullList = (r: Entry) => isEntityList(r) && !isCount(r) && !isChanges(r) && !params(r).has('continuationToken');
const isAudienceWalk = (r: Entry) => r.path.startsWith('/data/core/ups/');
const isWrite = (r: Entry) => r.write && !/lease/.test(r.userAgent ?? '');

interface Steady {
  emu: StartedEmulator;
  dir: string;
  run(trigger: Trigger, revision?: string): Promise<CycleOutcome>;
  /** Moves the cycle's clock (the resync is measured on it). */
  advance(ms: number): void;
  client(): FlowServiceClient;
}

/** The example repo applied by a startup cycle, then one interval cycle (full: the last one wrote). */
async function steady(t: TestContext, config: Record<string, unknown> = {}): Promise<Steady> {
  const { emu, env } = await startTestEmulator(t, { transitionMs: 0, runIntervalMs: 0 });
  const dir = await tempRepo(t);
  await writeRepo(dir, ACCOUNTS, DESTINATIONS, config);
  let offset = 0;
  const cycle = createCycle({ env: { ...process.env, ...env }, connect: {}, allowMassDelete: false, now: () => new Date(Date.now() + offset) });
  const signal = new AbortController().signal;
  const run = (trigger: Trigger, revision = 'r1') => cycle({ dir, revision, trigger, mode: 'apply' }, signal);
  const created = await run('startup');
  assert.equal(created.result, 'success', JSON.stringify(created.error));
  assert.ok(created.changes.length > 0);
  assert.equal(created.read, 'full');
  const afterWrite = await run('interval');
  assert.equal(afterWrite.changes.length, 0);
  assert.equal(afterWrite.read, 'full', 'the cycle after a write reads in full');
  const client = () => {
    const c = new FlowServiceClient({ endpoint: emu.url, imsEndpoint: emu.imsUrl, orgId: EMULATOR_DEFAULTS.orgId, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret });
    t.after(() => c.close());
    return c;
  };
  return { emu, dir, run, advance: (ms) => (offset += ms), client };
}

test('an interval cycle on an unchanged revision reads only what changed, walks no audiences and changes nothing', async (t) => {
  const s = await steady(t);
  s.emu.admin.resetRequests();
  const outcome = await s.run('interval');
  assert.equal(outcome.result, 'success');
  assert.equal(outcome.changes.length, 0);
  assert.equal(outcome.read, 'light', 'the outcome says how the org was read (the daemon logs it and counts it)');
  assert.deepEqual([...new Set(outcome.entities.map((e) => `${e.condition}/${e.reason}`))], ['Ready/InSync']);
  const requests = s.emu.admin.requests();
  assert.equal(requests.filter(isAudienceWalk).length, 0, 'every segment is an id and nothing is written: no audience walk');
  assert.equal(requests.filter(isFullList).length, 0, 'no collection is listed in full');
  assert.equal(requests.filter(isCount).length, 4);
  assert.equal(requests.filter(isChanges).length, 4);
  assert.equal(requests.filter(isWrite).length, 0);
});

test('drift made out of band is seen by the next interval cycle, and healed from a full read with the segment ids checked', async (t) => {
  const s = await steady(t);
  const flow = (await s.client().list<{ id: string; name: string }>('prod', 'flows')).find((f) => f.name === 'orders')!;
  s.emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'remove', path: '/transformations/0/params/segmentSelectors/selectors/0' }] });
  s.emu.admin.resetRequests();
  const outcome = await s.run('interval');
  assert.equal(outcome.result, 'success', JSON.stringify(outcome.error));
  assert.deepEqual(outcome.drift.map((d) => [d.name, d.healed]), [['orders', true]]);
  assert.equal(outcome.read, 'full', 'found light, planned and written on a full read');
  const requests = s.emu.admin.requests();
  const firstWrite = requests.findIndex(isWrite);
  assert.ok(firstWrite > 0, 'the drift is healed');
  const before = requests.slice(0, firstWrite);
  assert.ok(before.some(isChanges), 'the drift was found by a light read');
  const lastCount = before.map(isCount).lastIndexOf(true);
  const afterLight = before.slice(lastCount);
  assert.deepEqual([...new Set(afterLight.filter(isFullList).map((r) => r.path.split('/').pop()))].sort(), ['connections', 'flows', 'sourceConnections', 'targetConnections'], 'then every collection was listed in full before anything was written');
  assert.ok(before.some(isAudienceWalk), 'the segment ids were checked before anything was written');

  // The cycle after a write reads in full again, then the light reads resume.
  s.emu.admin.resetRequests();
  assert.equal((await s.run('interval')).changes.length, 0);
  assert.equal(s.emu.admin.requests().filter(isFullList).length, 4);
  s.emu.admin.resetRequests();
  assert.equal((await s.run('interval')).changes.length, 0);
  assert.equal(s.emu.admin.requests().filter(isFullList).length, 0);
});

test('a dataflow deleted out of band is found by the count at the next interval cycle and created again', async (t) => {
  const s = await steady(t);
  const other = s.client();
  const flow = (await other.list<{ id: string; name: string }>('prod', 'flows')).find((f) => f.name === 'returns')!;
  await other.delete('prod', 'flows', flow.id);
  const outcome = await s.run('interval');
  assert.equal(outcome.result, 'success', JSON.stringify(outcome.error));
  assert.deepEqual(outcome.changes.map((c) => [c.name, c.action]), [['returns', 'create-flow']]);
  const flows = await other.list<{ name: string }>('prod', 'flows');
  assert.equal(flows.filter((f) => f.name === 'returns').length, 1);
});

test('drift a warn policy leaves in place is reported by every light cycle exactly as a full cycle reports it', async (t) => {
  const s = await steady(t);
  const other = s.client();
  const flow = (await other.list<{ id: string; name: string }>('prod', 'flows')).find((f) => f.name === 'watched')!;
  s.emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: flow.id, ops: [{ op: 'remove', path: '/transformations/0/params/segmentSelectors/selectors/0' }] });
  const seen = await s.run('interval');
  s.emu.admin.resetRequests();
  const light = await s.run('interval');
  assert.equal(s.emu.admin.requests().filter(isFullList).length, 0, 'a light cycle');
  const full = await s.run('webhook');
  for (const outcome of [seen, light]) {
    assert.deepEqual(outcome.entities, full.entities);
    assert.deepEqual(outcome.drift, full.drift);
  }
  assert.equal(full.entities.find((e) => e.name === 'watched')?.condition, 'Drifted');
  assert.equal(full.changes.length, 0);
});

test('an interval cycle reads in full once daemon.resync has passed since the last full read, and every time with 0s', async (t) => {
  const s = await steady(t, { daemon: { resync: '10m' } });
  s.advance(9 * 60_000);
  s.emu.admin.resetRequests();
  await s.run('interval');
  assert.equal(s.emu.admin.requests().filter(isFullList).length, 0, '9 minutes after the full read: light');
  s.advance(60_000);
  s.emu.admin.resetRequests();
  await s.run('interval');
  assert.equal(s.emu.admin.requests().filter(isFullList).length, 4, '10 minutes after: full');
  s.emu.admin.resetRequests();
  await s.run('interval');
  assert.equal(s.emu.admin.requests().filter(isFullList).length, 0, 'the resync clock starts again');

  const off = await steady(t, { daemon: { resync: '0s' } });
  off.emu.admin.resetRequests();
  await off.run('interval');
  assert.equal(off.emu.admin.requests().filter(isFullList).length, 4);
  assert.equal(off.emu.admin.requests().filter(isCount).length, 0);
});

test('a new revision is checked in full on its first cycle: a segment id that is no audience of the sandbox is refused', async (t) => {
  const s = await steady(t);
  await writeRepo(s.dir, ACCOUNTS, [...DESTINATIONS.filter((d) => d.name !== 'orders'), { name: 'orders', account: 'kin', segments: [segmentId(1), segmentId(900)] }]);
  s.emu.admin.resetRequests();
  const outcome = await s.run('interval', 'r2');
  assert.equal(outcome.result, 'invalid');
  assert.match(JSON.stringify(outcome.diagnostics), /FS_PLAN_SEGMENT_NOT_AUDIENCE/);
  assert.equal(s.emu.admin.requests().filter(isWrite).length, 0);
});

test('a sandbox is planned again when its manifests change, even under the same revision label', async (t) => {
  const s = await steady(t);
  await writeRepo(s.dir, ACCOUNTS, DESTINATIONS.map((d) => (d.name === 'returns' ? { ...d, stream: 'returns-v2' } : d)));
  const outcome = await s.run('interval');
  assert.equal(outcome.result, 'success', JSON.stringify(outcome.error));
  assert.deepEqual(outcome.changes.map((c) => c.name), ['returns']);
  const targets = await s.client().list<{ name: string; params: { stream?: string } }>('prod', 'targetConnections');
  assert.equal(targets.find((x) => x.name === 'returns')?.params.stream, 'returns-v2');
});

test('a light pass that starts over in full walks each sandbox\'s audiences once in the cycle', async (t) => {
  const s = await steady(t);
  // A new destination naming its segment, under the same revision label: the light pass resolves the
  // name (one walk of prod's audiences), finds a create, and starts over in full with every id checked.
  const named = destinationDoc({ name: 'named', account: 'kin' });
  (named.spec as { segments: unknown[] }).segments = [{ name: 'Men over 50' }];
  await writeFile(path.join(s.dir, 'm', 'dest-prod-named.yaml'), stringify(named));
  s.emu.admin.resetRequests();
  const outcome = await s.run('interval');
  assert.equal(outcome.result, 'success', JSON.stringify(outcome.error));
  assert.ok(outcome.changes.some((c) => c.name === 'named'), 'the named destination is created');
  assert.equal(outcome.read, 'full');
  const walks = s.emu.admin.requests().filter((r) => isAudienceWalk(r) && r.sandbox === 'prod' && new URLSearchParams(r.query).get('start') === '0');
  assert.equal(walks.length, 1, 'the full pass reuses the light pass\'s audience list');
});
