// Pure parts of the client: next-page links, backoff, Retry-After, error bodies, etag quoting, env options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextPageUrl } from '../../src/api/pagination.ts';
import { jitteredDelay, parseRetryAfter } from '../../src/api/backoff.ts';
import { codeForStatus, parseErrorBody, scrub } from '../../src/api/errors.ts';
import { clientOptionsFromEnv, flowServiceBase } from '../../src/api/options.ts';
import { quoteEtag } from '../../src/api/client.ts';
import { renewAt } from '../../src/api/token.ts';

const BASE = 'https://platform.adobe.io/data/foundation/flowservice';
const FIRST = `${BASE}/flows?limit=100&property=state%3D%3Denabled`;

test('next-page links resolve in every documented form and stay on our origin', () => {
  const path = '/data/foundation/flowservice/flows';
  const hrefs = [
    '/flows?continuationToken=abc',
    '/data/foundation/flowservice/flows?continuationToken=abc',
    'https://other.example.com/data/foundation/flowservice/flows?continuationToken=abc',
    'flows?continuationToken=abc',
    '?continuationToken=abc',
  ];
  for (const href of hrefs) {
    const next = new URL(nextPageUrl({ items: [], _links: { next: { href } } }, BASE, FIRST)!);
    assert.equal(next.origin, 'https://platform.adobe.io', href);
    assert.equal(next.pathname, path, href);
    assert.equal(next.searchParams.get('continuationToken'), 'abc');
    // filters and page size the link left out are kept
    assert.equal(next.searchParams.get('limit'), '100');
    assert.deepEqual(next.searchParams.getAll('property'), ['state==enabled']);
  }
});

test('a next link that carries its own filters is not given a second copy', () => {
  const next = new URL(nextPageUrl({ _links: { next: { href: '/flows?property=state%3D%3Denabled&limit=100&continuationToken=x' } } }, BASE, FIRST)!);
  assert.deepEqual(next.searchParams.getAll('property'), ['state==enabled']);
});

test('a bare continuation token, a string next link, and the last page', () => {
  assert.equal(new URL(nextPageUrl({ items: [], continuationToken: 't1' }, BASE, FIRST)!).searchParams.get('continuationToken'), 't1');
  assert.equal(new URL(nextPageUrl({ _links: { next: '/flows?continuationToken=t2' } }, BASE, FIRST)!).searchParams.get('continuationToken'), 't2');
  assert.equal(nextPageUrl({ items: [] }, BASE, FIRST), undefined);
  assert.equal(nextPageUrl({ items: [], _links: {} }, BASE, FIRST), undefined);
  assert.equal(nextPageUrl(undefined, BASE, FIRST), undefined);
});

test('full jitter stays within [0, min(max, base*2^n))', () => {
  fc.assert(
    fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
      const d = jitteredDelay(attempt, { baseMs: 100, maxMs: 5_000 }, () => r);
      return d >= 0 && d < Math.min(5_000, 100 * 2 ** attempt);
    }),
  );
});

test('Retry-After as seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('3', 0), 3000);
  assert.equal(parseRetryAfter(' 0 ', 0), 0);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

test('every documented error body shape gives a message and a code', () => {
  assert.deepEqual(parseErrorBody({ error_code: '401013', message: 'Oauth token is not valid' }), { message: 'Oauth token is not valid', adobeCode: '401013' });
  assert.deepEqual(parseErrorBody({ error_code: 401013, message: 'Oauth token is not valid' }), { message: 'Oauth token is not valid', adobeCode: '401013' });
  assert.deepEqual(parseErrorBody({ errorMessage: 'flows not found with id = [x]', errorDetails: 'flows not found with id = [x]' }), {
    message: 'flows not found with id = [x]',
  });
  assert.deepEqual(
    parseErrorBody({
      type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404',
      title: 'Resource not found',
      status: 404,
      report: { 'detailed-message': 'flows not found', 'request-id': 'req-1' },
      errorMessage: 'other',
    }),
    { message: 'flows not found', adobeCode: '1439-404', requestId: 'req-1' },
  );
  assert.deepEqual(parseErrorBody({ type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' }), {
    message: 'A valid content-type must be specified',
  });
  assert.deepEqual(parseErrorBody({ message: 'Please provide a valid spec id' }), { message: 'Please provide a valid spec id' });
  assert.deepEqual(parseErrorBody({ error: 'invalid_client', error_description: 'invalid client_id parameter' }), {
    message: 'invalid client_id parameter',
    adobeCode: 'invalid_client',
  });
  assert.deepEqual(parseErrorBody('<html>Bad gateway</html>'), { message: '<html>Bad gateway</html>' });
  assert.deepEqual(parseErrorBody(undefined), {});
  assert.deepEqual(parseErrorBody([1, 2]), {});
});

test('HTTP status to error code', () => {
  assert.equal(codeForStatus(412), 'FS_API_PRECONDITION');
  assert.equal(codeForStatus(404), 'FS_API_NOT_FOUND');
  assert.equal(codeForStatus(401), 'FS_API_AUTH');
  assert.equal(codeForStatus(403), 'FS_API_AUTH');
  assert.equal(codeForStatus(400), 'FS_API_REQUEST');
  assert.equal(codeForStatus(422), 'FS_API_REQUEST');
  assert.equal(codeForStatus(503), 'FS_API_UNAVAILABLE');
});

test('scrub hides every secret occurrence', () => {
  assert.equal(scrub('key s3cr3t-value in s3cr3t-value', ['s3cr3t-value', undefined, 'ab']), 'key *** in ***');
});

test('etags go out verbatim, quoted when they are not', () => {
  assert.equal(quoteEtag('"0e0d95ae-0000-0200-0000-62a21cdd0000"'), '"0e0d95ae-0000-0200-0000-62a21cdd0000"');
  assert.equal(quoteEtag('0e0d95ae-0000-0200-0000-62a21cdd0000'), '"0e0d95ae-0000-0200-0000-62a21cdd0000"');
  assert.equal(quoteEtag('W/"abc"'), 'W/"abc"');
});

test('the endpoint may be the platform host or the full Flow Service URL', () => {
  assert.equal(flowServiceBase('https://platform.adobe.io'), BASE);
  assert.equal(flowServiceBase('https://platform.adobe.io/'), BASE);
  assert.equal(flowServiceBase(BASE), BASE);
  assert.equal(flowServiceBase(`${BASE}/`), BASE);
  assert.equal(flowServiceBase('http://127.0.0.1:4010'), 'http://127.0.0.1:4010/data/foundation/flowservice');
});

test('clientOptionsFromEnv reads only the variables that are set', () => {
  assert.deepEqual(clientOptionsFromEnv({}), {});
  assert.deepEqual(
    clientOptionsFromEnv({
      FLOWSYNC_ENDPOINT: 'http://127.0.0.1:4010',
      FLOWSYNC_IMS_ENDPOINT: 'http://127.0.0.1:4010/ims/token/v3',
      FLOWSYNC_CLIENT_ID: 'cid',
      FLOWSYNC_CLIENT_SECRET: 'sec',
      FLOWSYNC_ACCESS_TOKEN: ' ',
      FLOWSYNC_ORG_ID: 'ORG@AdobeOrg',
      UNRELATED: 'x',
    }),
    {
      endpoint: 'http://127.0.0.1:4010',
      imsEndpoint: 'http://127.0.0.1:4010/ims/token/v3',
      clientId: 'cid',
      clientSecret: 'sec',
      orgId: 'ORG@AdobeOrg',
    },
  );
});

test('tokens are renewed when min(5 min, 10 % of the lifetime) is left', () => {
  assert.equal(renewAt({ issuedAt: 0, expiresAt: 86_399_000 }), 86_399_000 - 300_000);
  assert.equal(renewAt({ issuedAt: 0, expiresAt: 60_000 }), 54_000);
});
