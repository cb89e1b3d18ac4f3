import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
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
