// flowDepthOffset guards the YAML parser against deep flow nesting before it runs; its fast scan
// must find exactly what a character-by-character reading finds, for any text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { flowDepthOffset } from '../../src/manifest/yaml-docs.ts';

/** The original definition: every character looked at in turn. */
function reference(text: string, limit: number): number {
  const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && /\s/.test(String.fromCharCode(c)));
  const openers = new Set([0x5b, 0x7b, 0x2c, 0x3a]);
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === 0x5c && quote === 0x22) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 0x23 && (i === 0 || isSpace(text.charCodeAt(i - 1)))) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    } else if ((c === 0x22 || c === 0x27) && (i === 0 || isSpace(text.charCodeAt(i - 1)) || openers.has(text.charCodeAt(i - 1)))) quote = c;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return -1;
}

test('flowDepthOffset finds what a character-by-character scan finds (quotes, escapes, comments, brackets)', () => {
  const piece = fc.constantFrom('[', ']', '{', '}', '"', "'", '\\', '#', ' ', '\n', ':', ',', 'a', '\u00a0', '\t', 'x: ', '- ', '\\"');
  const text = fc.array(piece, { maxLength: 60 }).map((p) => p.join(''));
  fc.assert(fc.property(text, fc.integer({ min: 0, max: 4 }), (t, limit) => assert.equal(flowDepthOffset(t, limit), reference(t, limit))), { numRuns: 5000 });
});

test('flowDepthOffset points at the first bracket past the limit', () => {
  assert.equal(flowDepthOffset('a: [[[1]]]', 2), 5);
  assert.equal(flowDepthOffset('a: "[[[" # [[[\nb: [1]', 1), -1);
});
