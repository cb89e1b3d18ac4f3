// A no-op reconcile at scale sends only the list pages it needs: no per-entity GET, no write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLive, makePlan, readLive } from '../../src/reconcile/reconcile.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { openRepo, testClient } from '../helpers/reconcile.ts';
import { segmentId, tempRepo, writeRepo, type DestinationSpec } from '../helpers/repo.ts';

test('a no-op plan over 1,000 destinations sends no more requests than the list pages it needs', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  const n = 1000;
  const dests: DestinationSpec[] = Array.from({ length: n }, (_, i) => ({
    name: `dest-${i}`,
    account: 'kin',
    segments: [segmentId(i % 50), segmentId(50 + (i % 7))],
    attributes: ['person.name.lastName'],
  }));
  await writeRepo(repo, [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }], dests);
  const client = await testClient(repo, env, { concurrency: 16 });
  t.after(() => client.close());
  const loaded = await openRepo(repo, env);
  const input = { desired: loaded.desired, prune: false, now: new Date(), manager: loaded.manager };
  const live0 = await readLive(client, loaded.desired);
  const seeded = await applyLive(makePlan(input, live0), { client, secrets: loaded.secrets, input, live: live0, concurrency: 16 });
  assert.equal(seeded.counts.failed, 0);

  emu.admin.resetRequests();
  const live = await readLive(client, loaded.desired);
  const plan = makePlan(input, live);
  assert.equal(plan.actions.length, 0);
  const requests = emu.admin.requests().filter((r) => r.path.startsWith('/data/'));
  // Minimum: the org's sandbox list (1 page: every named sandbox must exist); one sandbox: 1 account
  // + 1 Profile Store base (1 page), 1 source connection (1 page), 1,000 target connections (10
  // pages of 100), 1,000 flows (10 pages).
  const pages = (count: number) => Math.max(1, Math.ceil(count / 100));
  const minimum = 1 + pages(2) + pages(1) + pages(n) + pages(n);
  assert.equal(requests.length, minimum, requests.map((r) => `${r.method} ${r.path}?${r.query}`).join('\n'));
  assert.ok(requests.every((r) => r.method === 'GET' && !r.write));
});
