// The emulator's JSON Patch engine (fast-json-patch wrapped for the Flow Service): RFC 6902 cases on the
// engine, then the same cases over HTTP, on the API's PATCH and on the out-of-band edit route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import fjp from 'fast-json-patch';
import { canonicalJson } from '../../src/domain/fingerprint.ts';
import { ApiError } from '../../src/emulator/api-error.ts';
import { clone } from '../../src/emulator/clone.ts';
import { EDIT_OPS, applyPatch, parsePatch } from '../../src/emulator/json-patch.ts';
import { apiFor, kinesisTarget, makeFlow, startForTest, type Reply } from './helpers.ts';

const code = (c: string) => (e: unknown) => e instanceof ApiError && e.status === 400 && String(e.body.type).endsWith(`FLOW-${c}-400`);
const edit = (ops: unknown[]) => applyPatch({ a: { b: 1, c: [1, 2] }, list: [{ x: 1, y: 2 }] }, parsePatch(ops, { ops: EDIT_OPS }));
const unpolluted = () => {
  const probe: Record<string, unknown> = {};
  assert.equal(probe.polluted, undefined, 'Object.prototype was modified');
  assert.equal(Object.getPrototypeOf(probe), Object.prototype);
};

test('RFC 6902 A.1-A.7: add, remove and replace on objects and arrays, "-" appends, ~0 and ~1 unescape', () => {
  assert.deepEqual(applyPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { foo: 'bar', baz: 'qux' });
  assert.deepEqual(applyPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), { foo: ['bar', 'qux', 'baz'] });
  assert.deepEqual(applyPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: 'end' }]), { foo: ['bar', 'end'] });
  assert.deepEqual(applyPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' });
  assert.deepEqual(applyPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), { foo: ['bar', 'baz'] });
  assert.deepEqual(applyPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), { baz: 'boo', foo: 'bar' });
  assert.deepEqual(applyPatch({ 'a/b': 1, 'm~n': 2 }, [{ op: 'replace', path: '/a~1b', value: 3 }, { op: 'remove', path: '/m~0n' }]), { 'a/b': 3 });
});

test('RFC 6902 A.8/A.9 and 4.6: a test passes on the same content in another key order, fails on other content, atomically', () => {
  const out = edit([{ op: 'test', path: '/a', value: { c: [1, 2], b: 1 } }, { op: 'replace', path: '/a/b', value: 9 }]);
  assert.deepEqual(out.a, { b: 9, c: [1, 2] });
  assert.deepEqual(edit([{ op: 'test', path: '/list', value: [{ y: 2, x: 1 }] }]).list, [{ x: 1, y: 2 }]);
  assert.throws(() => edit([{ op: 'test', path: '/a/c', value: [2, 1] }]), code('1100'), 'array order is content');
  assert.throws(() => edit([{ op: 'test', path: '/a', value: { b: 1 } }]), code('1100'), 'a missing member is a difference');
  assert.throws(() => edit([{ op: 'test', path: '/a/b', value: '1' }]), code('1100'), 'types differ');
  assert.throws(() => edit([{ op: 'test', path: '/nope', value: null }]), code('1455'));
});

/** The same JSON value with every object's keys in reverse order. */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)]));
}

test('a test op passes on any JSON value in any key order, and fails on any other value', () => {
  const guarded = (doc: unknown, value: unknown) => applyPatch({ doc }, parsePatch([{ op: 'test', path: '/doc', value }], { ops: EDIT_OPS }));
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      assert.doesNotThrow(() => guarded(a, reordered(a)));
      if (canonicalJson(a) !== canonicalJson(b)) assert.throws(() => guarded(a, b), code('1100'));
    }),
    { numRuns: 300 },
  );
});

test('RFC 6902 errors: missing targets, bad indexes and inherited members are 1455, and the input is never changed', () => {
  const doc = { a: { b: 1 }, arr: [1, 2] };
  const before = JSON.stringify(doc);
  const refused: unknown[][] = [
    [{ op: 'replace', path: '/missing', value: 1 }],
    [{ op: 'add', path: '/missing/child', value: 1 }],
    [{ op: 'remove', path: '/arr/2' }],
    [{ op: 'add', path: '/arr/3', value: 1 }],
    [{ op: 'replace', path: '/arr/01', value: 1 }],
    [{ op: 'add', path: '/arr/x', value: 1 }],
    [{ op: 'replace', path: '/toString', value: 1 }],
    [{ op: 'remove', path: '/a/hasOwnProperty' }],
    [{ op: 'replace', path: '/a/b/c', value: 1 }],
    [{ op: 'remove', path: '' }],
    [{ op: 'replace', path: 'a', value: 1 }],
    [{ op: 'replace', path: '/a/b', value: 2 }, { op: 'remove', path: '/nope' }],
  ];
  for (const ops of refused) assert.throws(() => applyPatch(doc, parsePatch(ops, { removeNeedsValue: false })), code('1455'), JSON.stringify(ops));
  assert.equal(JSON.stringify(doc), before);
});

test('a __proto__ or constructor/prototype path never reaches a prototype: 1455', () => {
  const attacks = ['/__proto__/polluted', '/a/__proto__/polluted', '/__proto__', '/constructor/prototype/polluted', '/a/constructor/prototype/polluted', '/arr/0/__proto__/polluted'];
  for (const path of attacks) {
    for (const op of ['add', 'replace']) {
      assert.throws(() => applyPatch({ a: {}, arr: [{}] }, [{ op, path, value: { polluted: 'yes' } }]), code('1455'), `${op} ${path}`);
    }
  }
  unpolluted();
});

test('fast-json-patch alone: its guard bans __proto__ with a TypeError, its test ignores key order, and it resolves inherited members', () => {
  assert.throws(() => fjp.applyPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: 1 }], true), TypeError);
  assert.throws(() => fjp.applyPatch({}, [{ op: 'add', path: '/constructor/prototype/polluted', value: 1 }], false), TypeError);
  // with validation on, it stops one step earlier: `constructor` resolves to a function, not a container
  assert.throws(() => fjp.applyPatch({}, [{ op: 'add', path: '/constructor/prototype/polluted', value: 1 }], true), (e: Error) => e.name === 'OPERATION_PATH_UNRESOLVABLE');
  assert.doesNotThrow(() => fjp.applyPatch({ a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }], true));
  // why the wrapper resolves own keys itself: a replace of an inherited member passes validation
  assert.doesNotThrow(() => fjp.applyPatch({}, [{ op: 'replace', path: '/toString', value: 1 }], true));
  unpolluted();
});

test('clone keeps a "__proto__" key that JSON.parse made as data, without changing the copy\'s prototype', () => {
  const copy = clone(JSON.parse('{"a":1,"__proto__":{"polluted":"yes"}}') as Record<string, unknown>);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.deepEqual(Object.keys(copy), ['a', '__proto__']);
  assert.equal(copy.polluted, undefined);
});

function assertFlowError(res: Reply, status: number, c: string) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.type, `https://ns.adobe.com/aep/errors/FLOW-${c}-${status}`, res.text);
}

test('over HTTP: PATCH refuses __proto__ and constructor/prototype paths with 400 1455 and changes nothing', async (t) => {
  const api = await apiFor(await startForTest(t, { transitionMs: 0 }));
  const { flowId, targetId, etag } = await makeFlow(api);
  const target = (await api('GET', `/targetConnections/${targetId}`)).body.items[0];
  for (const path of ['/__proto__/polluted', '/constructor/prototype/polluted', '/transformations/0/__proto__/polluted']) {
    assertFlowError(await api('PATCH', `/flows/${flowId}`, [{ op: 'add', path, value: 'yes' }], { 'if-match': etag }), 400, '1455');
  }
  assertFlowError(await api('PATCH', `/targetConnections/${targetId}`, [{ op: 'add', path: '/params/__proto__', value: { polluted: 'yes' } }], { 'if-match': target.etag }), 400, '1455');
  assertFlowError(await api('PATCH', `/targetConnections/${targetId}`, [{ op: 'replace', path: '/params/constructor/prototype', value: { polluted: 'yes' } }], { 'if-match': target.etag }), 400, '1455');
  assert.equal((await api('GET', `/flows/${flowId}`)).body.items[0].etag, etag, 'the flow is unchanged');
  assert.equal((await api('GET', `/targetConnections/${targetId}`)).body.items[0].etag, target.etag, 'the target is unchanged');
  unpolluted();
});

test('over HTTP: an out-of-band edit guarded by a test passes on the same content in another key order, and fails atomically otherwise', async (t) => {
  const emu = await startForTest(t, { transitionMs: 0 });
  const api = await apiFor(emu);
  const { targetId } = await kinesisTarget(api);
  const uiEdit = (ops: unknown[]) =>
    fetch(`${emu.url}/__emulator/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sandbox: 'prod', collection: 'targetConnections', id: targetId, ops }) });
  // created with params { stream, region }: the test sends them the other way round
  const ok = await uiEdit([{ op: 'test', path: '/params', value: { region: 'us-east-1', stream: 'events' } }, { op: 'replace', path: '/params/stream', value: 'renamed' }]);
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal(((await ok.json()) as { params: { stream: string } }).params.stream, 'renamed');
  const etag = (await api('GET', `/targetConnections/${targetId}`)).body.items[0].etag as string;
  const stale = await uiEdit([{ op: 'test', path: '/params/stream', value: 'events' }, { op: 'replace', path: '/params/stream', value: 'again' }]);
  assert.equal(stale.status, 400);
  assert.match(((await stale.json()) as { type: string }).type, /FLOW-1100-400$/);
  const after = (await api('GET', `/targetConnections/${targetId}`)).body.items[0];
  assert.deepEqual({ stream: after.params.stream, etag: after.etag }, { stream: 'renamed', etag }, 'nothing applied');
  assert.equal((await uiEdit([{ op: 'test', path: '/etag', value: etag }, { op: 'replace', path: '/name', value: 'n' }])).status, 200, 'a test may read a read-only field');
  const apiTest = await api('PATCH', `/targetConnections/${targetId}`, [{ op: 'test', path: '/name', value: 'n' }], { 'if-match': (await api('GET', `/targetConnections/${targetId}`)).body.items[0].etag });
  assertFlowError(apiTest, 400, '1434');
});
