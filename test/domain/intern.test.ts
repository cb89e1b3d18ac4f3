// The string pool hands back an equal string: interning never changes a value, whatever it holds.
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { intern } from '../../src/domain/intern.ts';

test('an interned string equals the original, lone surrogates and all', () => {
  for (const s of ['', 'a', '3f2a9c01-d4e5-4f00-8000-000000000001', '\uD800', 'x\uDC00y', 'é', '😀']) assert.equal(intern(s), s);
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => assert.equal(intern(s), s)), { numRuns: 500 });
});

test('a slice of a larger text is pooled as an equal string of its own', () => {
  const text = `${'x'.repeat(100_000)}person.name.firstName`;
  const slice = text.slice(100_000);
  assert.equal(intern(slice), 'person.name.firstName');
  assert.equal(intern('person.name.firstName'), slice);
});
