import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, FlowsyncError } from '../../src/domain/errors.ts';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...docs.matchAll(/^\| (FS_[A-Z0-9_]+) \|/gm)].map((m) => m[1]));

test('every error code in the registry is documented in docs/errors.md', () => {
  const missing = Object.keys(ERRORS).filter((code) => !documented.has(code));
  assert.deepEqual(missing, []);
});

test('docs/errors.md lists no code that the registry lacks (diagnostic codes excepted)', () => {
  const diagnosticCodes = /^FS_(MANIFEST|SECRET|CONFIG|PLAN|DAEMON|VALIDATE)_/;
  const stale = [...documented].filter((code) => !(code! in ERRORS) && !diagnosticCodes.test(code!));
  assert.deepEqual(stale, []);
});

test('a FlowsyncError carries its registry hint and serializes without a stack', () => {
  const err = new FlowsyncError('FS_API_NOT_FOUND', 'flow 123 not found');
  assert.equal(err.hint, ERRORS.FS_API_NOT_FOUND);
  assert.deepEqual(Object.keys(err.toJSON()), ['code', 'message', 'hint']);
});
