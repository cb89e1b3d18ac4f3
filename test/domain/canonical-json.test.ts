// canonicalJson feeds the hashes stored in ownership tags, so its text must never change: the fast
// walk must give exactly what the original replacer-based definition gives, for any value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../src/domain/fingerprint.ts';

/** The original definition, kept here as the reference. */
function reference(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

test('canonicalJson equals the replacer definition for JSON-like values (index-like keys, -0, NaN, undefined)', () => {
  const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '1', '10', '2', '01', '4294967294', '4294967295', '-1', '1.5', '__proto__', 'a', 'B'));
  const leaf = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom(undefined, -0, NaN, Infinity, 1e21, 5e-7, null));
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 5 })),
  })).v;
  fc.assert(fc.property(value, (v) => assert.equal(canonicalJson(v), reference(v))), { numRuns: 2000 });
});

test('canonicalJson falls back to the replacer for values that are not plain data', () => {
  for (const v of [new Date(0), { d: new Date(0) }, new Map([[1, 2]]), [1, , 3], Object.create({ inherited: 1 }), { toJSON: () => 'x' }, new String('ab'), [new Number(3)]]) {
    assert.equal(canonicalJson(v), reference(v));
  }
  assert.throws(() => canonicalJson({ n: 1n }), TypeError);
});
