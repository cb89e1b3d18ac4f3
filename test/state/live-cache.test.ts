// The daemon's live-state cache against the emulator over HTTP: after a full read, a light read
// asks each collection what changed since (an `updatedAt>=` list) and how many there are
// (`count=true`), and gives the same live state a full read would, whatever was edited, created or
// deleted out of band in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, kinesisConnection, profileConnection, KINESIS_SPEC } from '../api/harness.ts';
import type { FlowServiceClient } from '../../src/api/index.ts';
import type { LiveState } from '../../src/domain/model.ts';
import { STREAMING_FLOW_SPEC_ID, PROFILE_STORE_SPEC_ID } from '../../src/domain/specs.ts';
import { LiveStateCache } from '../../src/state/live-cache.ts';
import { readLiveState } from '../../src/state/index.ts';
import { segmentId } from '../helpers/repo.ts';

async function seed(client: FlowServiceClient, sandbox: string, names: string[]): Promise<Record<string, { base: string; target: string; flow: string }>> {
  const profile = (await client.create(sandbox, 'connections', profileConnection('profile-store'))).id;
  const source = (await client.create(sandbox, 'sourceConnections', { name: 'profile-store-source', baseConnectionId: profile, connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' }, data: { format: 'json' }, params: {} })).id;
  const out: Record<string, { base: string; target: string; flow: string }> = {};
  for (const name of names) {
    const base = (await client.create(sandbox, 'connections', kinesisConnection(`${name}-acct`))).id;
    const target = (await client.create(sandbox, 'targetConnections', { name, baseConnectionId: base, connectionSpec: { id: KINESIS_SPEC, version: '1.0' }, data: { format: 'json' }, params: { stream: name, region: 'us-east-1' } })).id;
    const flow = (
      await client.create(sandbox, 'flows', {
        name,
        description: `[flowsync:destination/${name} h=1]`,
        flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
        sourceConnectionIds: [source],
        targetConnectionIds: [target],
        transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } }],
      })
    ).id;
    out[name] = { base, target, flow };
  }
  return out;
}

/** The live state with each list sorted by id: the cache keeps its own order, the planner sorts. */
function sorted(live: LiveState): LiveState {
  const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    sandboxes: Object.fromEntries(
      Object.entries(live.sandboxes).map(([s, sb]) => [s, { baseConnections: byId(sb.baseConnections), sourceConnections: byId(sb.sourceConnections), targetConnections: byId(sb.targetConnections), flows: byId(sb.flows) }]),
    ),
  };
}

const lists = (requests: { method: string; path: string; query: string }[]) => requests.filter((r) => r.method === 'GET' && /\/(connections|sourceConnections|targetConnections|flows)$/.test(r.path));
const isCount = (r: { query: string }) => new URLSearchParams(r.query).get('count') === 'true';
const isChanges = (r: { query: string }) => new URLSearchParams(r.query).getAll('property').some((p) => p.startsWith('updatedAt>='));

// The emulator's Date header counts whole seconds; a second's pause puts the seeding before "since".
const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

test('a light read asks each collection what changed and how many there are, and sees an out-of-band edit like a full read does', async (t) => {
  const { client, emu, serviceRequests } = await harness(t);
  const ids = await seed(client, 'prod', ['orders', 'returns']);
  const newest = Math.max(...(await client.list<{ updatedAt: number }>('prod', 'flows')).map((f) => f.updatedAt));
  await nextSecond();
  const cache = new LiveStateCache({ lagMs: 0 });
  const first = await cache.read(client, ['prod'], { full: true });
  assert.deepEqual(sorted(first.live), sorted(await readLiveState(client, ['prod'])));
  const version = cache.versionOf('prod');

  emu.admin.resetRequests();
  const quiet = await cache.read(client, ['prod'], { full: false });
  assert.equal(quiet.lightCollections, 4);
  const quietLists = lists(serviceRequests());
  assert.equal(quietLists.length, 8, 'one list of changes and one count per collection');
  assert.equal(quietLists.filter(isCount).length, 4);
  assert.equal(quietLists.filter(isChanges).length, 4);
  // "Since" is the server's clock at the full read (its Date header), not the newest entity seen.
  const since = Number(new URLSearchParams(quietLists.find(isChanges)!.query).getAll('property').find((p) => p.startsWith('updatedAt>='))!.slice('updatedAt>='.length));
  assert.ok(since > newest, `${since} > ${newest}`);
  assert.equal(cache.versionOf('prod'), version, 'nothing changed: the plan memo may reuse the sandbox');

  // Someone adds a segment to a dataflow in the AEP UI.
  emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: ids.orders!.flow, ops: [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: segmentId(1) } } }] });
  const edited = await cache.read(client, ['prod'], { full: false });
  assert.equal(edited.fullCollections, 0);
  assert.notEqual(cache.versionOf('prod'), version);
  const flow = edited.live.sandboxes.prod!.flows.find((f) => f.id === ids.orders!.flow)!;
  assert.deepEqual(flow.segments.map((s) => s.id), [segmentId(1)]);
  assert.deepEqual(sorted(edited.live), sorted(await readLiveState(client, ['prod'])));
});

test('a deletion out of band shows in the count, and that collection is listed in full again', async (t) => {
  const { client, serviceRequests, emu, newClient } = await harness(t);
  const ids = await seed(client, 'prod', ['orders', 'returns']);
  const cache = new LiveStateCache({ lagMs: 0 });
  await cache.read(client, ['prod'], { full: true });
  await nextSecond();

  // Someone deletes a destination in the UI: the dataflow, then its target connection.
  const other = newClient();
  await other.delete('prod', 'flows', ids.returns!.flow);
  await other.delete('prod', 'targetConnections', ids.returns!.target);
  emu.admin.resetRequests();
  const read = await cache.read(client, ['prod'], { full: false });
  assert.equal(read.fullCollections, 2, 'flows and target connections are listed again');
  const full = lists(serviceRequests()).filter((r) => !isCount(r) && !isChanges(r));
  assert.deepEqual(full.map((r) => r.path.split('/').pop()).sort(), ['flows', 'targetConnections']);
  assert.equal(read.live.sandboxes.prod!.flows.some((f) => f.id === ids.returns!.flow), false);
  assert.deepEqual(sorted(read.live), sorted(await readLiveState(client, ['prod'])));
});

test('an entity created out of band is seen by the next light read', async (t) => {
  const { client } = await harness(t);
  await seed(client, 'prod', ['orders']);
  const cache = new LiveStateCache({ lagMs: 0 });
  await cache.read(client, ['prod'], { full: true });
  await nextSecond();
  const base = await client.create('prod', 'connections', kinesisConnection('made-in-the-ui'));
  const read = await cache.read(client, ['prod'], { full: false });
  assert.equal(read.fullCollections, 0);
  assert.ok(read.live.sandboxes.prod!.baseConnections.some((b) => b.id === base.id));
  assert.deepEqual(sorted(read.live), sorted(await readLiveState(client, ['prod'])));
});

test('a dataflow that has not settled keeps the flows listed in full until it has', async (t) => {
  const { client, emu, serviceRequests } = await harness(t, { emulator: { transitionMs: 60_000 } });
  const ids = await seed(client, 'prod', ['orders']);
  const cache = new LiveStateCache({ lagMs: 0 });
  // Disabling runs for a while in this emulator: the flow reads "disabling" and settles with no write.
  await client.flowAction('prod', ids.orders!.flow, 'disable');
  const first = await cache.read(client, ['prod'], { full: true });
  assert.notEqual(first.live.sandboxes.prod!.flows[0]!.state, 'disabled');
  emu.admin.resetRequests();
  const again = await cache.read(client, ['prod'], { full: false });
  assert.equal(again.fullCollections, 1);
  assert.deepEqual(lists(serviceRequests()).filter((r) => !isCount(r) && !isChanges(r)).map((r) => r.path.split('/').pop()), ['flows']);
});

test('an API that refuses the updatedAt filter (400) is read in full from then on, without failing the read', async (t) => {
  const { client, emu, serviceRequests } = await harness(t);
  await seed(client, 'prod', ['orders']);
  const cache = new LiveStateCache({ lagMs: 0 });
  await cache.read(client, ['prod'], { full: true });
  emu.admin.setFaults({ failNext: { count: 1, status: 400, method: 'GET', pathPrefix: '/flows' } });
  const refused = await cache.read(client, ['prod'], { full: false });
  assert.ok(refused.fullCollections >= 1);
  assert.deepEqual(sorted(refused.live), sorted(await readLiveState(client, ['prod'])));
  emu.admin.resetRequests();
  const after = await cache.read(client, ['prod'], { full: false });
  assert.equal(after.fullCollections, 4);
  assert.equal(lists(serviceRequests()).filter((r) => isCount(r) || isChanges(r)).length, 0);
});
