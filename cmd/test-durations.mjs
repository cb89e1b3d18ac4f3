// A node:test reporter for `node --import tsx cmd/test.ts --record`: the seconds each test file's
// top-level tests took in this run, as JSON; cmd/test.ts merges them into test/durations.json.
// Plain JavaScript: node loads reporters before --import hooks, so tsx cannot load this one.
import { relative } from 'node:path';

/** @param {AsyncIterable<{ type: string; data: { nesting?: number; file?: string; details?: { duration_ms?: number } } }>} source */
export default async function* durations(source) {
  /** @type {Record<string, number>} */
  const seconds = {};
  for await (const { type, data } of source) {
    if ((type !== 'test:pass' && type !== 'test:fail') || data.nesting !== 0 || !data.file) continue;
    const file = relative(process.cwd(), data.file);
    seconds[file] = (seconds[file] ?? 0) + (data.details?.duration_ms ?? 0) / 1000;
  }
  yield JSON.stringify(seconds);
}
