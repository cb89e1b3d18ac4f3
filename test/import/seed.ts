// A brownfield org, made the way people make one: the tutorial's plain HTTP calls, untagged
// entities with human names. Returns the ids and the secrets (to prove they never leak).
import { apiFor, eventHubsAuth, EVENT_HUBS, flowBody, KINESIS, kinesisAuth, profileSource, settled, type Api } from '../emulator/helpers.ts';
import type { StartedEmulator } from '../../src/emulator/index.ts';

export const SECRETS = { kinesis: 'KINESIS-SECRET-do-not-print-1', eventHubs: 'EVENTHUBS-SECRET-do-not-print-2', dev: 'DEV-SECRET-do-not-print-3' };
export const SEGMENTS = {
  men50: '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02',
  news: '1f8d3c2a-4b5e-4c6d-8e7f-9a0b1c2d3e4f',
  gold: '5a1e2b3c-7d8e-4f90-a1b2-c3d4e5f60718',
};

async function ok(p: Promise<{ status: number; text: string; body: any }>, what: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await p;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
  return res.body;
}

async function selectors(api: Api, flowId: string, etag: string, segments: { id: string; name?: string }[], attributes: string[]) {
  const ops = [
    ...segments.map((s) => ({ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: s.id, ...(s.name ? { name: s.name } : {}) } } })),
    ...attributes.map((p) => ({ op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value: { type: 'JSON_PATH', value: { path: p, operator: 'EXISTS' } } })),
  ];
  await ok(api('PATCH', `/flows/${flowId}`, ops, { 'If-Match': etag }), 'selectors');
  return settled(api, flowId); // the update is asynchronous: the next write waits for it
}

export async function seedBrownfield(emu: StartedEmulator) {
  const api = await apiFor(emu, { sandbox: 'prod' });
  const sourceId = await profileSource(api);
  const kBase = await ok(api('POST', '/connections', { name: 'Marketing Kinesis (AWS)', description: 'The marketing AWS account', connectionSpec: { id: KINESIS, version: '1.0' }, auth: kinesisAuth(SECRETS.kinesis) }), 'kinesis base');
  const target = (name: string, baseId: string, specId: string, params: Record<string, unknown>) =>
    ok(api('POST', '/targetConnections', { name, description: 'made in the UI', baseConnectionId: baseId, connectionSpec: { id: specId, version: '1.0' }, data: { format: 'json' }, params }), name);
  const flow = (name: string, targetId: string, description: string) => ok(api('POST', '/flows', { ...flowBody(name, sourceId, targetId), description }), name);

  const summerTc = await target('Summer Campaign 2024 stream', kBase.id, KINESIS, { stream: 'summer-2024', region: 'us-east-1', includeSegmentNames: 'true' });
  const summer = await flow('Summer Campaign 2024', summerTc.id, 'Summer ads for the newsletter crowd');
  await selectors(api, summer.id, summer.etag, [{ id: SEGMENTS.men50, name: 'Men over 50' }, { id: SEGMENTS.news }], ['personalEmail.address', 'person.name.lastName']);
  // Same human name, other case: the manifest name must be made unique.
  const summer2Tc = await target('Summer copy stream', kBase.id, KINESIS, { stream: 'summer-copy', region: 'eu-west-1' });
  const summer2 = await flow('summer campaign 2024', summer2Tc.id, '');

  const eBase = await ok(api('POST', '/connections', { name: 'Loyalty Event Hubs', connectionSpec: { id: EVENT_HUBS, version: '1.0' }, auth: eventHubsAuth(SECRETS.eventHubs) }), 'event hubs base');
  const loyaltyTc = await target('Loyalty hub', eBase.id, EVENT_HUBS, { eventHubName: 'loyalty-tier-changes' });
  const loyalty = await flow('Loyalty Tier Changes', loyaltyTc.id, 'Tier changes');
  const withSel = await selectors(api, loyalty.id, loyalty.etag, [{ id: SEGMENTS.gold, name: 'Gold tier' }], ['_acme.loyalty.tier']);
  await ok(api('POST', `/flows/${loyalty.id}/action?op=disable`, undefined, { 'If-Match': withSel.etag }), 'disable');
  await settled(api, loyalty.id);

  // Not selected by an import of prod: a target connection without a dataflow, and a whole other sandbox.
  const orphan = await target('Orphan stream', kBase.id, KINESIS, { stream: 'orphan', region: 'us-east-1' });
  const dev = await apiFor(emu, { sandbox: 'dev' });
  const devSource = await profileSource(dev);
  const devBase = await ok(dev('POST', '/connections', { name: 'Dev Kinesis', connectionSpec: { id: KINESIS, version: '1.0' }, auth: kinesisAuth(SECRETS.dev) }), 'dev base');
  const devTc = await ok(dev('POST', '/targetConnections', { name: 'Dev stream', baseConnectionId: devBase.id, connectionSpec: { id: KINESIS, version: '1.0' }, data: { format: 'json' }, params: { stream: 'dev', region: 'us-east-1' } }), 'dev tc');
  const devFlow = await ok(dev('POST', '/flows', flowBody('Dev Test Flow', devSource, devTc.id)), 'dev flow');
  return { api, sourceId, ids: { kBase: kBase.id, eBase: eBase.id, summer: summer.id, summer2: summer2.id, loyalty: loyalty.id, orphan: orphan.id, devFlow: devFlow.id, devBase: devBase.id, devTc: devTc.id } };
}
