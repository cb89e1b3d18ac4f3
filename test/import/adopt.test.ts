// Adoption against the emulator over HTTP with the real client: every write carries If-Match, so an
// entity someone edits between import's read and its write is refused (412), reported, and the
// other writes still go through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowServiceClient } from '../../src/api/index.ts';
import type { DesiredState } from '../../src/domain/model.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';
import { EMULATOR_DEFAULTS, startEmulator } from '../../src/emulator/index.ts';
import { planAdoption, runAdoption, selectImports } from '../../src/import/index.ts';
import { readLiveState } from '../../src/state/index.ts';
import { seedBrownfield } from './seed.ts';

/** The model the import's files load to, built from the selection (what loadRepo gives, minus source positions). */
function desiredFrom(sel: ReturnType<typeof selectImports>): DesiredState {
  const source = { file: 'x.yaml', line: 1, column: 1 };
  return {
    accounts: sel.accounts.map((a) => ({
      name: a.name, sandbox: a.sandbox, type: a.type, description: a.description, source, credentialFingerprint: '',
      authParams: Object.fromEntries(Object.entries(a.auth).filter((e): e is [string, string] => typeof e[1] === 'string')),
      secretParams: a.type === 'amazon-kinesis' ? ['secretKey'] : ['sasKey'],
    })),
    destinations: sel.destinations.map((d) => ({
      name: d.name, sandbox: d.sandbox, account: d.account, type: d.type, description: d.description, target: d.target, format: 'json' as const,
      enabled: d.enabled, drift: 'heal' as const, segments: d.segments, profileAttributes: d.profileAttributes, source,
    })),
    sandboxes: ['prod'],
  };
}

test('an entity edited between read and adoption is refused with 412 and reported; the others are adopted', async (t) => {
  const emu = await startEmulator({ port: 0 });
  t.after(() => emu.close());
  const { ids } = await seedBrownfield(emu);
  const client = new FlowServiceClient({ endpoint: emu.url, imsEndpoint: emu.imsUrl, orgId: EMULATOR_DEFAULTS.orgId, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret });
  t.after(() => client.close());

  const live = await readLiveState(client, ['prod']);
  const sel = selectImports(live, ['prod']);
  const writes = planAdoption(sel, desiredFrom(sel), 'github.com/acme/aep');
  // account ×2, and per destination a target connection and a dataflow
  assert.equal(writes.length, 2 + 2 * sel.destinations.length);
  emu.admin.outOfBandEdit({ sandbox: 'prod', collection: 'flows', id: ids.summer, ops: [{ op: 'replace', path: '/description', value: 'edited in the UI meanwhile' }] });
  emu.admin.resetRequests();

  const outcomes = await runAdoption(client, writes);
  const failed = outcomes.filter((o) => o.status === 'failed');
  assert.deepEqual(failed.map((o) => [o.write.entityId, o.error?.code]), [[ids.summer, 'FS_API_PRECONDITION']]);
  const patches = emu.admin.requests().filter((r) => r.method === 'PATCH');
  assert.equal(patches.length, writes.length, 'one PATCH per entity, no retry of the refused one');
  assert.ok(patches.every((r) => r.status === 200 || r.status === 412));

  // The UI edit survived; everything else is flowsync's now.
  const after = await readLiveState(client, ['prod']);
  const summer = after.sandboxes.prod!.flows.find((f) => f.id === ids.summer)!;
  assert.equal(summer.description, 'edited in the UI meanwhile');
  for (const f of after.sandboxes.prod!.flows.filter((f) => f.id !== ids.summer)) assert.equal(parseOwnerTag(f.description).tag?.kind, 'destination');
  const kinesis = after.sandboxes.prod!.baseConnections.find((b) => b.id === ids.kBase)!;
  assert.deepEqual(parseOwnerTag(kinesis.description).tag, { kind: 'account', name: 'marketing-kinesis-aws', manager: 'github.com/acme/aep', specHash: parseOwnerTag(kinesis.description).tag?.specHash });
  assert.equal(kinesis.name, 'marketing-kinesis-aws');
});
