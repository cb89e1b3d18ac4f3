// Property-based tests of the emulator's pure core: JSON Patch (sequential, atomic) and list paging.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../../src/emulator/api-error.ts';
import { applyPatch, parsePatch } from '../../src/emulator/json-patch.ts';
import { listPage } from '../../src/emulator/list.ts';
import { parseListQuery } from '../../src/emulator/list-query.ts';
import type { PatchOp, StoredRecord } from '../../src/emulator/types.ts';

const selectors = fc.array(fc.record({ type: fc.constant('PLATFORM_SEGMENT'), value: fc.record({ id: fc.uuid() }) }), { maxLength: 6 });
const docArb = fc.record({ name: fc.string(), selectors });
const opArb = (len: number): fc.Arbitrary<PatchOp> =>
  fc.oneof(
    fc.record({ op: fc.constant('add'), path: fc.constantFrom('/selectors/-', `/selectors/${len}`, '/selectors/0', '/name', '/missing/x'), value: fc.record({ id: fc.uuid() }) }),
    fc.record({ op: fc.constant('remove'), path: fc.nat({ max: len + 1 }).map((i) => `/selectors/${i}`) }),
    fc.record({ op: fc.constant('replace'), path: fc.constantFrom('/name', '/nope', '/selectors/0'), value: fc.string() }),
  );

test('a patch either applies every op in order or changes nothing (atomic), and never mutates its input', () => {
  fc.assert(
    fc.property(docArb, fc.array(fc.nat(), { maxLength: 5 }), (doc, seeds) => {
      const ops = seeds.map((s) => fc.sample(opArb(doc.selectors.length), { numRuns: 1, seed: s })[0] as PatchOp);
      const before = JSON.stringify(doc);
      let folded: unknown = doc;
      let foldError: unknown;
      try {
        for (const op of ops) folded = applyPatch(folded, [op]);
      } catch (err) {
        foldError = err;
      }
      try {
        const out = applyPatch(doc, ops);
        assert.equal(foldError, undefined, 'the whole patch succeeded, so each step must');
        assert.equal(JSON.stringify(out), JSON.stringify(folded), 'sequential semantics: same as applying op by op');
      } catch (err) {
        assert.ok(err instanceof ApiError && err.status === 400, 'failures are 400 API errors');
        assert.ok(foldError !== undefined);
      }
      assert.equal(JSON.stringify(doc), before, 'input untouched');
    }),
    { numRuns: 300 },
  );
});

test('parsePatch: ops any case, only add/replace/remove (others 1434), value required as the spec says', () => {
  assert.deepEqual(parsePatch([{ op: 'REPLACE', path: '/name', value: 'x' }]), [{ op: 'replace', path: '/name', value: 'x' }]);
  assert.throws(() => parsePatch([{ op: 'move', from: '/a', path: '/b' }]), (e: ApiError) => (e.body.type as string).endsWith('FLOW-1434-400'));
  assert.throws(() => parsePatch([{ op: 'add', path: '/a' }]), ApiError);
  assert.throws(() => parsePatch([{ op: 'remove', path: '/a' }]), ApiError);
  assert.equal(parsePatch([{ op: 'remove', path: '/a' }], { removeNeedsValue: false }).length, 1);
  for (const op of ['copy', 'test']) assert.throws(() => parsePatch([{ op, from: '/a', path: '/b', value: 1 }]), (e: ApiError) => (e.body.type as string).endsWith('FLOW-1434-400'));
  assert.throws(() => parsePatch([]), ApiError);
  assert.throws(() => parsePatch({ op: 'add' }), ApiError);
  assert.deepEqual(applyPatch({ a: [1, 2, 3] }, parsePatch([{ op: 'remove', path: '/a/0', value: 'ignored' }, { op: 'remove', path: '/a/1', value: null }])), { a: [2] });
  assert.deepEqual(applyPatch({ a: { 'b/c': 1, '~': 2 } }, parsePatch([{ op: 'remove', path: '/a/b~1c', value: 1 }, { op: 'add', path: '/a/~0', value: 3 }])), { a: { '~': 3 } });
});

const FIELDS = new Set(['id', 'name', 'n', 'tags', 'createdAt']);
const recordsArb = fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), n: fc.integer({ min: 0, max: 20 }), tags: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }) }), { maxLength: 120 });

function records(raw: { name: string; n: number; tags: string[] }[]): StoredRecord[] {
  return raw.map((r, i) => ({ doc: { id: `id-${i}`, etag: `"${i}"`, ...r }, seq: i + 1, cseq: i + 1 }));
}

test('paging with any limit, filter and ordering returns each match exactly once, in order', () => {
  fc.assert(
    fc.property(
      recordsArb,
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom<string[]>([], ['n>=5'], ['name==a,c'], ['tags[]==x'], ['n<10', 'name==b,c,d']),
      fc.constantFrom<string | undefined>(undefined, 'name', '-n', 'name,-n', '-name,n'),
      (raw, limit, filters, orderby) => {
        const recs = records(raw);
        const params = new URLSearchParams();
        for (const f of filters) params.append('property', f);
        if (orderby) params.set('orderby', orderby);
        params.set('limit', String(limit));
        const all = listPage(recs, parseListQuery(new URLSearchParams([...params].filter(([k]) => k !== 'limit').concat([['limit', '100']])), FIELDS));
        const seen: string[] = [];
        let q = params;
        for (let guard = 0; guard < 200; guard++) {
          const page = listPage(recs, parseListQuery(q, FIELDS));
          assert.ok(page.records.length <= limit);
          seen.push(...page.records.map((r) => r.doc.id));
          if (!page.nextQuery) break;
          q = new URLSearchParams(page.nextQuery);
        }
        assert.equal(new Set(seen).size, seen.length, 'no repeats');
        if (all.records.length < 100) assert.deepEqual(seen, all.records.map((r) => r.doc.id), 'same order as one big page');
        const expected = recs.filter((r) => filters.every((f) => matchesSimple(r.doc as Record<string, unknown>, f))).length;
        assert.equal(seen.length, expected, 'no losses');
      },
    ),
    { numRuns: 200 },
  );
});

function matchesSimple(doc: Record<string, unknown>, f: string): boolean {
  if (f === 'n>=5') return (doc.n as number) >= 5;
  if (f === 'n<10') return (doc.n as number) < 10;
  if (f === 'tags[]==x') return (doc.tags as string[]).includes('x');
  const [, values] = f.split('==');
  return (values ?? '').split(',').includes(doc.name as string);
}
