// Lists over 1,000 flows: pages of at most 100, continuation tokens and _links.next that keep the
// filters, orderby on several fields, count=true, and every filter error code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiFor, flowBody, kinesisTarget, profileSource, startForTest, type Api, type Reply } from './helpers.ts';

const N = 1000;

async function inBatches<T>(n: number, size: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => fn(i + j)))));
  return out;
}

interface Flow {
  id: string;
  name: string;
  state: string;
  createdAt: number;
  targetConnectionIds: string[];
}

/** Follows _links.next.href (relative to the base path) until it is absent. */
async function collect(api: Api, firstPath: string, check?: (page: Reply) => void): Promise<Flow[]> {
  const items: Flow[] = [];
  let path: string | undefined = firstPath;
  while (path) {
    const page: Reply = await api('GET', path);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.body.items.length <= 100);
    check?.(page);
    items.push(...page.body.items);
    path = page.body._links?.next?.href;
  }
  return items;
}

function assertNoDuplicates(items: Flow[]) {
  assert.equal(new Set(items.map((f) => f.id)).size, items.length, 'an item was repeated');
}

test('pagination over 1,000 flows with filters and ordering loses and repeats nothing', async (t) => {
  const emu = await startForTest(t, { transitionMs: 0 }); // writes while walking pages
  const api = await apiFor(emu);
  const sourceId = await profileSource(api);
  const targets = [(await kinesisTarget(api, 'a')).targetId, (await kinesisTarget(api, 'b')).targetId];
  const created = await inBatches(N, 50, async (i) => {
    const res = await api('POST', '/flows', flowBody(`flow-${String(i % 250).padStart(3, '0')}`, sourceId, targets[i % 2] as string));
    assert.equal(res.status, 201, res.text);
    if (i % 3 === 0) assert.equal((await api('POST', `/flows/${res.body.id}/action?op=disable`)).status, 200);
    return res.body.id as string;
  });
  const all = new Set(created);

  // default order: newest write first, pages of 100 (the default and the maximum)
  const everything = await collect(api, '/flows', (p) => assert.ok(p.body.items.length === 100 || !p.body._links));
  assert.equal(everything.length, N);
  assertNoDuplicates(everything);
  assert.deepEqual(new Set(everything.map((f) => f.id)), all);
  const tooMany = await api('GET', '/flows?limit=500');
  assert.equal(tooMany.status, 400, 'limit above the maximum of 100 is refused, not capped');

  // a filter plus a multi-field ordering; _links.next keeps the filter and the ordering
  const disabledPath = `/flows?property=state==disabled&property=targetConnectionIds[]==${targets[0]}&orderby=-name,createdAt&limit=37`;
  const disabled = await collect(api, disabledPath, (p) => {
    const href = p.body._links?.next?.href as string | undefined;
    if (href) {
      assert.ok(href.startsWith('/flows?'), href);
      const q = new URLSearchParams(href.split('?')[1]);
      assert.deepEqual(q.getAll('property'), ['state==disabled', `targetConnectionIds[]==${targets[0]}`]);
      assert.equal(q.get('orderby'), '-name,createdAt');
      assert.equal(q.get('limit'), '37');
    }
  });
  const expected = everything.filter((f) => f.state === 'disabled' && f.targetConnectionIds[0] === targets[0]);
  assert.equal(disabled.length, expected.length);
  assertNoDuplicates(disabled);
  for (let i = 1; i < disabled.length; i++) {
    const [a, b] = [disabled[i - 1] as Flow, disabled[i] as Flow];
    assert.ok(a.name > b.name || (a.name === b.name && a.createdAt <= b.createdAt), `order broken at ${i}`);
  }
  const count = await api('GET', '/flows?property=state==disabled&property=targetConnectionIds[]==' + targets[0] + '&count=true');
  assert.deepEqual(count.body, { count: expected.length });

  // any-of, numeric comparison, and continuationToken alone
  const anyOf = await api('GET', `/flows?property=name==flow-001,flow-002&count=true`);
  assert.equal(anyOf.body.count, 8);
  const cut = everything.map((f) => f.createdAt).sort((a, b) => a - b)[500] as number;
  const newer = await collect(api, `/flows?property=createdAt>=${cut}&orderby=+createdAt`);
  assert.equal(newer.length, everything.filter((f) => f.createdAt >= cut).length);
  const first = await api('GET', '/flows?orderby=name&limit=10');
  const token = new URLSearchParams((first.body._links.next.href as string).split('?')[1]).get('continuationToken');
  const second = await api('GET', `/flows?continuationToken=${encodeURIComponent(token as string)}&limit=10`);
  assert.equal(second.body.items.length, 10);
  assert.ok(second.body.items[0].name >= first.body.items[9].name);
  assert.ok(!first.body.items.some((f: Flow) => second.body.items.some((g: Flow) => g.id === f.id)));
});

test('paging by name while other fields change concurrently neither loses nor repeats items', async (t) => {
  const api = await apiFor(await startForTest(t));
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);
  await inBatches(300, 50, async (i) => (await api('POST', '/flows', flowBody(`f${String(i).padStart(3, '0')}`, sourceId, targetId))).body.id as string);
  const seen: Flow[] = [];
  let path: string | undefined = '/flows?orderby=name&limit=25';
  let round = 0;
  while (path) {
    const page: Reply = await api('GET', path);
    seen.push(...page.body.items);
    // someone edits flows between pages: updatedAt and etag move, names do not
    const victim = (await api('GET', `/flows?orderby=-name&limit=1`)).body.items[0];
    await api('PATCH', `/flows/${victim.id}`, [{ op: 'replace', path: '/description', value: `edit ${round++}` }], { 'if-match': victim.etag });
    path = page.body._links?.next?.href;
  }
  assert.equal(seen.length, 300);
  assertNoDuplicates(seen);
});

test('list query errors have the documented codes', async (t) => {
  const api = await apiFor(await startForTest(t));
  const cases: [string, string][] = [
    ['/flows?property=name~abc', '1440'],
    ['/flows?property=createdAt<=1,2', '1443'],
    ['/flows?property=createdAt>1,2', '1443'],
    ['/flows?property=nosuchfield==1', '1449'],
    ['/flows?property=name!=x', '1450'],
    ['/flows?property=name', '1450'],
    ['/flows?foo=bar', '1451'],
    ['/flows?property=createdAt>=yesterday', '1452'],
    ['/flows?limit=0', '1452'],
    ['/flows?continuationToken=%25%25', '1452'],
    ['/flows?property=name==', '1453'],
    ['/flows?property=id==a,,b', '1453'],
    ['/flows?count=true&limit=5', '1401'],
    ['/flows?orderby=na%20me', '1432'],
    ['/flows?orderby=-', '1432'],
    ['/flows?orderby=nosuch', '1433'],
    ['/connections?property=flowSpec.id==x', '1449'],
  ];
  for (const [path, code] of cases) {
    const res = await api('GET', path);
    assert.equal(res.status, 400, `${path}: ${res.text}`);
    assert.equal(res.body.type, `https://ns.adobe.com/aep/errors/FLOW-${code}-400`, path);
  }
  // documented keys work, including destination-only and nested array filters
  for (const ok of ['/flows?property=inheritedAttributes.properties.isDestinationFlow==true', '/flows?property=transformations[].params.segmentSelectors.selectors[].value.id==x',
    '/flows?property=inheritedAttributes.targetConnections[].connectionSpec.id==x', '/connections?property=connectionSpec.id==x', '/flows?orderby=%2Bname', '/flows?orderby=+name',
    '/runs?property=flowId==x', '/connectionSpecs?property=providerId==x']) {
    assert.equal((await api('GET', ok)).status, 200, ok);
  }
});
