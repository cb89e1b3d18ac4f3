// The diagnostics views shared by validate, plan and the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/domain/diagnostics.ts';
import { countLine, diagnosticsJson, formatDiagnostic, renderDiagnosticsText } from '../../src/render/diagnostics.ts';

const err: Diagnostic = { severity: 'error', code: 'FS_MANIFEST_SCHEMA', summary: 'spec.target.stream is required', hint: 'Add it.', file: 'prod/summer.yaml', line: 12, column: 7, path: 'spec.target.stream' };
const warn: Diagnostic = { severity: 'warning', code: 'FS_MANIFEST_GUARDRAIL', summary: 'too many', file: 'a.yaml', line: 3, column: 1 };
const global: Diagnostic = { severity: 'error', code: 'FS_CONFIG_NOT_FOUND', summary: 'no such folder', hint: 'Pass it.' };

test('text: file:line:column: severity CODE summary, then the hint; the repo folder prefixes the file', () => {
  assert.equal(formatDiagnostic(err, { color: false, filePrefix: 'manifests' }), 'manifests/prod/summer.yaml:12:7: error FS_MANIFEST_SCHEMA spec.target.stream is required\n  hint: Add it.\n');
  assert.equal(formatDiagnostic(global, { color: false }), 'error FS_CONFIG_NOT_FOUND no such folder\n  hint: Pass it.\n');
  assert.equal(formatDiagnostic({ ...warn, line: undefined, column: undefined }, { color: false }), 'a.yaml: warning FS_MANIFEST_GUARDRAIL too many\n');
  assert.match(formatDiagnostic(err, { color: true }), /\x1b\[31;1merror\x1b\[0m/);
});

test('text lists diagnostics in file, line order; the count line counts both severities', () => {
  assert.equal(renderDiagnosticsText([err, warn], { color: false }).split('\n')[0], 'a.yaml:3:1: warning FS_MANIFEST_GUARDRAIL too many');
  assert.equal(countLine([err, warn, global]), '2 errors, 1 warning');
  assert.equal(countLine([]), '0 errors, 0 warnings');
});

test('json is versioned and says whether the run is valid', () => {
  assert.deepEqual(diagnosticsJson([warn]), { formatVersion: 1, valid: true, errors: 0, warnings: 1, diagnostics: [warn] });
  const doc = diagnosticsJson([err, warn]);
  assert.equal(doc.valid, false);
  assert.deepEqual(doc.diagnostics.map((d) => d.code), ['FS_MANIFEST_GUARDRAIL', 'FS_MANIFEST_SCHEMA']);
});
