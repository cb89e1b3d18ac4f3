// The client's audience list walk: every page of /data/core/ups/audiences, ids lowercased, through
// the same transport (token, retries) as the Flow Service; the next page from Adobe's `_page.next`,
// the `start` of `_links.next.href`, or, failing both, the offset while `totalCount` says more exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkAudiences } from '../../src/api/audiences.ts';
import { harness } from './harness.ts';

test('listAudiences walks every page of a sandbox (250 audiences: three pages of 100) and only that sandbox', async (t) => {
  const audiences = Array.from({ length: 250 }, (_, i) => ({ sandbox: 'dev', name: `A${i}` }));
  const h = await harness(t, { emulator: { audiences: [...audiences, { sandbox: 'prod', name: 'Elsewhere' }] } });
  const list = await h.client.listAudiences('dev');
  assert.equal(list.length, 250);
  assert.deepEqual(new Set(list.map((a) => a.name)).size, 250);
  assert.ok(list.every((a) => a.id === a.id.toLowerCase()));
  const pages = h.serviceRequests().filter((r) => r.path.endsWith('/data/core/ups/audiences'));
  assert.deepEqual(pages.map((r) => [r.sandbox, r.query]), [
    ['dev', 'start=0&limit=100'],
    ['dev', 'start=100&limit=100'],
    ['dev', 'start=200&limit=100'],
  ]);
});

test('the walk follows _links.next.href, then totalCount, and stops on a page that does not move forward', async () => {
  const page = (start: number, n: number, extra: Record<string, unknown>) => ({ children: Array.from({ length: n }, (_, i) => ({ id: `ID-${start + i}`, name: `n${start + i}` })), ...extra });
  const pages: Record<number, unknown> = {
    0: page(0, 2, { _links: { next: { href: '@/audiences?start=2&limit=2' } } }),
    2: page(2, 2, { _page: { totalCount: 5 } }), // no next link, but one more exists
    4: page(4, 1, { _page: { totalCount: 5 } }),
  };
  const asked: string[] = [];
  const got = await walkAudiences(async (url) => {
    asked.push(url);
    return pages[Number(/start=(\d+)/.exec(url)![1])];
  }, 'https://example.test/data/core/ups', 'dev');
  assert.deepEqual(got.map((a) => a.id), ['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
  assert.equal(asked.length, 3);
  const loop = await walkAudiences(async () => page(0, 1, { _page: { next: '0' } }), 'https://example.test/data/core/ups', 'dev');
  assert.equal(loop.length, 1);
});
