// npm test's file order (cmd/test.ts): with two workers, the longest files start first so that no
// long file is left to run alone at the end; files without a recorded time might be long, so they
// start before all of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { longestFirst } from '../../cmd/test.ts';

test('files run longest first, unrecorded ones before them, by name among equals', () => {
  const seconds = { 'test/a.test.ts': 1, 'test/b.test.ts': 30, 'test/c.test.ts': 5, 'test/gone.test.ts': 99 };
  assert.deepEqual(longestFirst(['test/a.test.ts', 'test/c.test.ts', 'test/new2.test.ts', 'test/b.test.ts', 'test/new1.test.ts'], seconds), [
    'test/new1.test.ts',
    'test/new2.test.ts',
    'test/b.test.ts',
    'test/c.test.ts',
    'test/a.test.ts',
  ]);
});

test('the order is a permutation of the files, whatever the records', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/)), fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), fc.nat(100)), (files, seconds) => {
      const ordered = longestFirst(files, seconds);
      assert.deepEqual([...ordered].sort(), [...files].sort());
      const times = ordered.map((f) => seconds[f] ?? Infinity);
      for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! >= times[i]!);
    }),
  );
});
