// The string pool and the own copies hand back an equal string: they never change a value, whatever it holds.
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { intern, ownCopy } from '../../src/domain/intern.ts';

test('an interned string and an own copy equal the original, lone surrogates and all', () => {
  for (const s of ['', 'a', '3f2a9c01-d4e5-4f00-8000-000000000001', '\uD800', 'x\uDC00y', 'é', '😀', '"\\\n\u0000']) {
    assert.equal(intern(s), s);
    assert.equal(ownCopy(s), s);
  }
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      assert.equal(intern(s), s);
      assert.equal(ownCopy(s), s);
    }),
    { numRuns: 500 },
  );
});

test('a slice of a larger text is pooled as an equal string of its own', () => {
  const text = `${'x'.repeat(100_000)}person.name.firstName`;
  const slice = text.slice(100_000);
  assert.equal(intern(slice), 'person.name.firstName');
  assert.equal(intern('person.name.firstName'), slice);
});
