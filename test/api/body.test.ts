// Receiving a body: what happens after the headers came. The emulator always sends whole answers, so
// these run a small real HTTP server that stalls or cuts a list page halfway through its body, or
// splits a multi-byte character across chunks: the client must classify and retry them as it does
// a stalled or dropped answer, and decode the text whatever the chunking.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { FlowServiceClient, isApiError, type ClientEvent } from '../../src/api/index.ts';
import { receiveText } from '../../src/api/body.ts';

type Misbehaviour = 'stall' | 'cut' | 'fine';

/** A Flow Service stand-in answering every GET with one page; `plan` says how each attempt behaves, in order (then 'fine'). */
async function pageServer(t: TestContext, body: Buffer, plan: Misbehaviour[]): Promise<{ url: string; attempts: () => number }> {
  let attempts = 0;
  const server = http.createServer((req, res) => {
    const how = plan[attempts++] ?? 'fine';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    if (how === 'fine') {
      // Byte by byte for the first 100 bytes: the first name's multi-byte characters arrive split.
      const head = body.subarray(0, 100);
      let i = 0;
      const drip = (): void => {
        if (i < head.length) {
          res.write(head.subarray(i, ++i), () => setImmediate(drip));
          return;
        }
        res.end(body.subarray(100));
      };
      drip();
      return;
    }
    res.write(body.subarray(0, body.length >> 1), () => {
      if (how === 'cut') req.socket.destroy();
      // 'stall': the rest never comes; the client's timeout ends it
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, attempts: () => attempts };
}

function client(t: TestContext, url: string, events: ClientEvent[]): FlowServiceClient {
  const c = new FlowServiceClient({
    endpoint: url,
    orgId: 'org@AdobeOrg',
    clientId: 'client',
    accessToken: 'token',
    timeoutMs: 300,
    maxRetries: 2,
    random: () => 0.5,
    sleep: async () => {},
    onEvent: (e) => events.push(e),
  });
  t.after(() => c.close());
  return c;
}

// Names with characters of two, three and four UTF-8 bytes, long enough to span many chunks.
const ITEMS = Array.from({ length: 200 }, (_, i) => ({ id: `flow-${i}`, etag: `"${i}"`, name: `Zürich → 東京 🚀 ${i}`, pad: 'x'.repeat(500) }));
const PAGE = Buffer.from(JSON.stringify({ items: ITEMS }));

test('a body that stalls after the headers is a timeout: retried, then read whole', async (t) => {
  const events: ClientEvent[] = [];
  const server = await pageServer(t, PAGE, ['stall']);
  const items = await client(t, server.url, events).list<{ name: string }>('prod', 'flows');
  assert.deepEqual(items, ITEMS);
  assert.equal(server.attempts(), 2);
  assert.deepEqual(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason), ['timeout']);
  assert.deepEqual(events.filter((e) => e.type === 'request').map((e) => e.type === 'request' && e.status), [0, 200], 'the stalled attempt is logged without a status');
});

test('a body that keeps stalling ends the retries like an answer that never comes', async (t) => {
  const events: ClientEvent[] = [];
  const server = await pageServer(t, PAGE, ['stall', 'stall', 'stall']);
  await assert.rejects(client(t, server.url, events).list('prod', 'flows'), (err) => isApiError(err, 'FS_API_UNAVAILABLE') && /no answer within 300 ms from http:\/\/127\.0\.0\.1:\d+ \(gave up after 3 attempts\)/.test(err.message));
  assert.equal(server.attempts(), 3);
});

test('a connection cut halfway through a body is a network failure: retried, then read whole', async (t) => {
  const events: ClientEvent[] = [];
  const server = await pageServer(t, PAGE, ['cut']);
  const items = await client(t, server.url, events).list<{ name: string }>('prod', 'flows');
  assert.deepEqual(items, ITEMS);
  assert.deepEqual(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason), ['network']);
});

test('a body split inside multi-byte characters and led by a byte order mark is decoded whole', async (t) => {
  const events: ClientEvent[] = [];
  const server = await pageServer(t, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), PAGE]), []);
  assert.deepEqual(await client(t, server.url, events).list('prod', 'flows'), ITEMS);
});

test('receiveText: one byte per chunk gives the same text as the whole buffer', async () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), PAGE.subarray(0, 2_000)]);
  const chunks = Array.from(bytes, (b) => Buffer.from([b]));
  assert.equal(await receiveText(Readable.from(chunks, { objectMode: false }), 1_000), PAGE.subarray(0, 2_000).toString('utf8'));
});
