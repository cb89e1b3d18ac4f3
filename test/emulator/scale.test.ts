// 10,000 flows (FLOWSYNC_LONG_TESTS=1 only): a filtered, ordered walk in pages of 100 stays fast
// because later pages reuse the sorted matches (O(log n + page) each).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFor, flowBody, kinesisTarget, profileSource, startForTest } from './helpers.ts';

const LONG = process.env.FLOWSYNC_LONG_TESTS === '1';

test('10,000 flows: filtered and ordered pages of 100 stay fast', { skip: LONG ? false : 'set FLOWSYNC_LONG_TESTS=1 to run the 10,000-flow scale test' }, async (t) => {
  const emu = await startForTest(t, { requestLogLimit: 50_000, runIntervalMs: 0 }); // runs: runs.test.ts
  const api = await apiFor(emu);
  const sourceId = await profileSource(api);
  const targets = [(await kinesisTarget(api, 'a')).targetId, (await kinesisTarget(api, 'b')).targetId];
  for (let b = 0; b < 200; b++) {
    await Promise.all(Array.from({ length: 50 }, async (_, i) => assert.equal((await api('POST', '/flows', flowBody(`f-${b}-${i}`, sourceId, targets[i % 2] as string))).status, 201)));
  }
  emu.admin.resetRequests();
  let path: string | undefined = `/flows?property=inheritedAttributes.properties.isDestinationFlow==true&property=targetConnectionIds[]==${targets[0]}&orderby=-name`;
  const ids = new Set<string>();
  while (path) {
    const page = await api('GET', path);
    for (const f of page.body.items as { id: string }[]) ids.add(f.id);
    path = page.body._links?.next?.href;
  }
  assert.equal(ids.size, 5000);
  const durations = emu.admin.requests().map((r) => r.durationMs).sort((a, b) => a - b);
  const p50 = durations[Math.floor(durations.length / 2)] as number;
  t.diagnostic(`50 pages: first ${emu.admin.requests()[0]?.durationMs} ms, p50 ${p50} ms, max ${durations[durations.length - 1]} ms (server side)`);
  assert.ok(p50 < 50, `median page took ${p50} ms`);
});
