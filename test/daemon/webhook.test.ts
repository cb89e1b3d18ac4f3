import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import fc from 'fast-check';
import { Daemon } from '../../src/daemon/daemon.ts';
import { FolderSource } from '../../src/daemon/folder-source.ts';
import { decideWebhook, signBody, verifySignature } from '../../src/daemon/webhook.ts';
import { eventually } from '../helpers/eventually.ts';
import { captureLogger, request, scriptedReconcile, tempDir, writeFiles, onCleanup } from './helpers.ts';
import type { TestContext } from 'node:test';

const SECRET = 'It\'s a Secret to Everybody';

async function startDaemon(t: TestContext, webhook: { secret?: string; insecure?: boolean; branch?: string }) {
  const dir = await tempDir(t);
  await writeFiles(dir, { 'a.yaml': 'a: 1\n' });
  const log = captureLogger();
  const scripted = scriptedReconcile();
  const daemon = new Daemon({
    source: new FolderSource({ dir }),
    reconcile: scripted.reconcile,
    mode: 'apply',
    logger: log.logger,
    intervalMs: 600_000,
    listen: { host: '127.0.0.1', port: 0 },
    webhook,
  });
  onCleanup(t, () => daemon.stop());
  await daemon.start();
  await eventually(() => scripted.inputs.length === 1);
  await daemon.idle();
  return { daemon, url: daemon.server!.url, inputs: scripted.inputs, log };
}

function post(url: string, body: string, headers: Record<string, string>) {
  return request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

test('GitHub\'s documented example signature verifies', () => {
  // From GitHub's "Validating webhook deliveries" documentation.
  const sig = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  assert.equal(signBody(SECRET, 'Hello, World!'), sig);
  assert.ok(verifySignature(SECRET, Buffer.from('Hello, World!'), sig));
});

test('any change to the body, the secret or the signature fails verification', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (bytes, secret, other) => {
      const body = Buffer.from(bytes);
      const sig = signBody(secret, body);
      assert.ok(verifySignature(secret, body, sig));
      if (other !== secret) assert.ok(!verifySignature(other, body, sig));
      assert.ok(!verifySignature(secret, Buffer.concat([body, Buffer.from('x')]), sig));
      assert.ok(!verifySignature(secret, body, sig.slice(0, -2)));
      assert.ok(!verifySignature(secret, body, sig.replace('sha256=', 'sha1=')));
    }),
    { numRuns: 200 },
  );
});

test('a validly signed push triggers a cycle within 2 s', async (t) => {
  const { url, inputs } = await startDaemon(t, { secret: SECRET, branch: 'main' });
  const body = JSON.stringify({ ref: 'refs/heads/main', after: 'abc' });
  const res = await post(`${url}/webhook`, body, { 'x-github-event': 'push', 'x-hub-signature-256': signBody(SECRET, body) });
  assert.equal(res.status, 202);
  await eventually(() => inputs.length === 2, { timeoutMs: 2_000 });
  assert.equal(inputs[1]!.trigger, 'webhook');
  const alt = await post(`${url}/hooks/git`, body, { 'x-github-event': 'push', 'x-hub-signature-256': signBody(SECRET, body) });
  assert.equal(alt.status, 202);
  await eventually(() => inputs.length === 3, { timeoutMs: 2_000 });
});

test('unsigned and wrongly signed requests get 401 and a warning that names neither secret nor body', async (t) => {
  const { daemon, url, inputs, log } = await startDaemon(t, { secret: SECRET });
  const body = JSON.stringify({ ref: 'refs/heads/main', secretish: 'payload-marker' });
  assert.equal((await post(`${url}/webhook`, body, { 'x-github-event': 'push' })).status, 401);
  assert.equal((await post(`${url}/webhook`, body, { 'x-github-event': 'push', 'x-hub-signature-256': signBody('wrong', body) })).status, 401);
  assert.equal((await post(`${url}/webhook`, body, { 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=zz' })).status, 401);
  await daemon.idle();
  assert.equal(inputs.length, 1, 'no cycle triggered');
  const warnings = log.records().filter((r) => r.event === 'webhook' && r.level === 40);
  assert.equal(warnings.length, 3);
  const all = log.lines.join('\n');
  assert.ok(!all.includes(SECRET) && !all.includes('payload-marker'));
  assert.match(await (await fetch(`${url}/metrics`)).text(), /flowsync_webhook_requests_total\{outcome="unauthorized"\} 3/);
});

test('an oversize body gets 413 and a ping gets 200; pushes to another branch are ignored', async (t) => {
  const { daemon, url, inputs } = await startDaemon(t, { secret: SECRET, branch: 'main' });
  const big = 'x'.repeat(1024 * 1024 + 1);
  assert.equal((await post(`${url}/webhook`, big, { 'x-hub-signature-256': signBody(SECRET, big) })).status, 413);
  const ping = JSON.stringify({ zen: 'Keep it logically awesome.' });
  assert.equal((await post(`${url}/webhook`, ping, { 'x-github-event': 'ping', 'x-hub-signature-256': signBody(SECRET, ping) })).status, 200);
  const other = JSON.stringify({ ref: 'refs/heads/feature' });
  const res = await post(`${url}/webhook`, other, { 'x-github-event': 'push', 'x-hub-signature-256': signBody(SECRET, other) });
  assert.equal(res.status, 202);
  assert.deepEqual(res.json(), { accepted: false, reason: 'push to refs/heads/feature, following refs/heads/main' });
  await daemon.idle();
  assert.equal(inputs.length, 1);
});

test('with no secret the webhook is disabled (404) unless --webhook-insecure', async (t) => {
  const off = await startDaemon(t, {});
  assert.equal((await post(`${off.url}/webhook`, '{}', {})).status, 404);
  const insecure = await startDaemon(t, { insecure: true });
  assert.equal((await post(`${insecure.url}/webhook`, '{}', { 'x-github-event': 'push' })).status, 202);
  await eventually(() => insecure.inputs.length === 2, { timeoutMs: 2_000 });
});

test('decideWebhook: non-push events are acknowledged without a cycle, a broken JSON body is 400', () => {
  const body = Buffer.from('{"action":"opened"}');
  const headers = { 'x-github-event': 'pull_request', 'x-hub-signature-256': signBody(SECRET, body) };
  assert.equal(decideWebhook({ secret: SECRET }, headers, body).outcome, 'ignored');
  const broken = Buffer.from('{nope');
  assert.equal(decideWebhook({ secret: SECRET }, { 'x-hub-signature-256': signBody(SECRET, broken) }, broken).status, 400);
});

test('a chunked body (no Content-Length) is cut off at the limit with 413', async (t) => {
  const { url, daemon, inputs } = await startDaemon(t, { secret: SECRET });
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${url}/webhook`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', 'x-github-event': 'push' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      while (sent < 2 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  assert.equal(status, 413);
  await daemon.idle();
  assert.equal(inputs.length, 1);
});

test('a correctly signed push whose JSON body is null, a number, a string or an array is 400, no cycle, no error logged', async (t) => {
  const { url, daemon, inputs, log } = await startDaemon(t, { secret: SECRET });
  for (const body of ['null', '42', '"main"', '[1,2]', 'true']) {
    const res = await post(`${url}/webhook`, body, { 'x-github-event': 'push', 'x-hub-signature-256': signBody(SECRET, body) });
    assert.equal(res.status, 400, body);
    assert.match(res.text, /JSON object/, body);
  }
  await daemon.idle();
  assert.equal(inputs.length, 1, 'no cycle triggered');
  assert.deepEqual(log.records().filter((r) => (r.level as number) >= 50), [], 'nothing logged as an error');
  assert.equal(log.records().filter((r) => r.event === 'webhook' && r.level === 40).length, 5);
});
