// The one colour rule (useColor) and the one painter every view uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { painter, useColor } from '../../src/render/color.ts';
import { formatDiagnostic } from '../../src/render/diagnostics.ts';
import { formatError } from '../../src/render/error.ts';
import { FlowsyncError } from '../../src/domain/errors.ts';

test('FORCE_COLOR decides when set and non-empty, over the terminal, NO_COLOR and TERM=dumb', () => {
  assert.equal(useColor({ isTTY: false }, { FORCE_COLOR: '3' }), true);
  assert.equal(useColor({ isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1', TERM: 'dumb' }), true);
  assert.equal(useColor({ isTTY: true }, { FORCE_COLOR: 'false' }), false);
  assert.equal(useColor({ isTTY: false }, { FORCE_COLOR: '' }), false, 'an empty FORCE_COLOR is unset');
  assert.equal(useColor({}, {}), false, 'a stream that does not say it is a terminal is not one');
});

test('painter: SGR styles, combined with ";", reset after; without colour the text is unchanged', () => {
  const on = painter(true);
  assert.equal(on('green', '+'), '\x1b[32m+\x1b[0m');
  assert.equal(on(['red', 'bold'], 'error'), '\x1b[31;1merror\x1b[0m');
  assert.equal(on('dim', ''), '\x1b[2m\x1b[0m');
  const off = painter(false);
  for (const style of ['bold', 'dim', 'red', 'green', 'yellow', 'magenta', 'cyan'] as const) assert.equal(off(style, 'x'), 'x');
  assert.equal(off(['yellow', 'bold'], 'warning'), 'warning');
});

test('the views paint through the painter: colour only when asked', () => {
  const d = { severity: 'warning', code: 'FS_MANIFEST_DESCRIPTION', summary: 's', hint: 'h' } as const;
  assert.equal(formatDiagnostic(d, { color: true }), '\x1b[33;1mwarning\x1b[0m FS_MANIFEST_DESCRIPTION s\n  \x1b[2mhint: h\x1b[0m\n');
  assert.equal(formatDiagnostic(d, { color: false }), 'warning FS_MANIFEST_DESCRIPTION s\n  hint: h\n');
  const err = new FlowsyncError('FS_CONFIG_INVALID', 'bad');
  assert.match(formatError(err, { color: true }), /^\x1b\[31mError FS_CONFIG_INVALID:\x1b\[0m bad\n\x1b\[2mHint: /);
  assert.doesNotMatch(formatError(err, { color: false }), /\x1b\[/);
});
