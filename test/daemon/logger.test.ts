import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { useColor } from '../../src/cli/common.ts';
import { createLogger } from '../../src/daemon/logger.ts';
import { eventually } from '../helpers/eventually.ts';

function sink(isTTY: boolean) {
  let out = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString('utf8');
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => out };
}

test('JSON lines when the stream is not a terminal, pretty when it is; secrets redacted in both', async () => {
  const payload = { event: 'change', destination: 'orders', auth: { sasKey: 'SAS-VALUE' }, deep: { a: { b: { clientSecret: 'CS-VALUE' } } } };
  const json = sink(false);
  createLogger({ stream: json.stream }).info(payload, 'update');
  await eventually(() => json.text().length > 0);
  const line = JSON.parse(json.text()) as { auth: { sasKey: string }; deep: { a: { b: { clientSecret: string } } } };
  assert.equal(line.auth.sasKey, '[redacted]');
  assert.equal(line.deep.a.b.clientSecret, '[redacted]');

  const tty = sink(true);
  createLogger({ stream: tty.stream }).info(payload, 'update');
  await eventually(() => tty.text().includes('update'));
  assert.doesNotMatch(tty.text(), /^\{/, 'pretty, not JSON');
  assert.ok(!tty.text().includes('SAS-VALUE') && !tty.text().includes('CS-VALUE'));
});

const ESC = /\u001b\[/;

test('NO_COLOR=1 on a terminal: pretty lines without a single escape sequence', async () => {
  const tty = sink(true);
  createLogger({ stream: tty.stream, env: { NO_COLOR: '1' } }).warn({ event: 'cycle', destination: 'orders' }, 'drift found');
  await eventually(() => tty.text().includes('drift found'));
  assert.doesNotMatch(tty.text(), /^\{/, 'still pretty');
  assert.doesNotMatch(tty.text(), ESC);
});

test('FORCE_COLOR=1 on a pipe colours pretty output; the CLI and the daemon share the rule', async () => {
  const pipe = sink(false);
  createLogger({ stream: pipe.stream, pretty: true, env: { FORCE_COLOR: '1' } }).warn({ event: 'cycle' }, 'drift found');
  await eventually(() => pipe.text().includes('drift found'));
  assert.match(pipe.text(), ESC);
  const plain = sink(false);
  createLogger({ stream: plain.stream, pretty: true, env: {} }).warn({ event: 'cycle' }, 'drift found');
  await eventually(() => plain.text().includes('drift found'));
  assert.doesNotMatch(plain.text(), ESC, 'no colour on a pipe by default');

  assert.equal(useColor({ isTTY: true }, {}), true);
  assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(useColor({ isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(useColor({ isTTY: false }, {}), false);
  assert.equal(useColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(useColor({ isTTY: true }, { FORCE_COLOR: '0' }), false);
  assert.equal(useColor({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR is unset (no-color.org)');
});
