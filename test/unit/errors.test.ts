// The error registry (src/domain/errors.ts), the diagnostic codes (src/domain/diagnostics.ts) and
// docs/errors.md, checked both ways: every registered code is used in src/ or cmd/ and documented, and
// every code used or documented is registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS, FlowsyncError } from '../../src/domain/errors.ts';
import { DIAGNOSTIC_CODES } from '../../src/domain/diagnostics.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REGISTRIES = new Set([join(ROOT, 'src/domain/errors.ts'), join(ROOT, 'src/domain/diagnostics.ts')]);

const docs = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
const documented = new Set([...docs.matchAll(/^\| (FS_[A-Z0-9_]+) \|/gm)].map((m) => m[1] as string));
const registered = new Set<string>([...Object.keys(ERRORS), ...DIAGNOSTIC_CODES]);

/** Code literals ('FS_X', "FS_X", `FS_X`) in the sources, by code, with the files that use them; registries excluded. */
function usedCodes(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const dir of ['src', 'cmd']) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      const file = join(entry.parentPath, entry.name);
      if (!entry.isFile() || !entry.name.endsWith('.ts') || REGISTRIES.has(file)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`](FS_[A-Z0-9_]+)['"`]/g)) {
        used.set(m[1] as string, [...(used.get(m[1] as string) ?? []), file.slice(ROOT.length)]);
      }
    }
  }
  return used;
}
const used = usedCodes();

test('no code is both an error and a diagnostic-only code', () => {
  assert.deepEqual(DIAGNOSTIC_CODES.filter((code) => code in ERRORS), []);
});

test('every registered code, error or diagnostic, is documented in docs/errors.md', () => {
  assert.deepEqual([...registered].filter((code) => !documented.has(code)), []);
});

test('docs/errors.md lists no code that is not registered', () => {
  assert.deepEqual([...documented].filter((code) => !registered.has(code)), []);
});

test('every registered code is thrown or used somewhere in src/ or cmd/', () => {
  assert.deepEqual([...registered].filter((code) => !used.has(code)), []);
});

test('every code src/ and cmd/ use is registered', () => {
  assert.deepEqual([...used].filter(([code]) => !registered.has(code)).map(([code, files]) => `${code} (${files.join(', ')})`), []);
});

test('a FlowsyncError carries its registry hint and serializes without a stack', () => {
  const err = new FlowsyncError('FS_API_NOT_FOUND', 'flow 123 not found');
  assert.equal(err.hint, ERRORS.FS_API_NOT_FOUND);
  assert.deepEqual(Object.keys(err.toJSON()), ['code', 'message', 'hint']);
});
