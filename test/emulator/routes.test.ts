// The route table (src/emulator/routes.ts, listed in docs/reference/emulator.md) against the running
// emulator: every route it names is answered by a handler, never by "no route" or "method not allowed".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROUTES } from '../../src/emulator/routes.ts';
import { EMULATOR_DEFAULTS, getToken, httpCall, startForTest } from './helpers.ts';

const UNROUTED = /No route|No admin route|is not allowed|not supported by the emulator|use POST/;

test('every route in the emulator route table is answered by a handler', async (t) => {
  const emu = await startForTest(t);
  const token = await getToken(emu);
  const headers = {
    authorization: `Bearer ${token}`,
    'x-api-key': EMULATOR_DEFAULTS.clientId,
    'x-gw-ims-org-id': EMULATOR_DEFAULTS.orgId,
    'x-sandbox-name': 'prod',
    'content-type': 'application/json',
  };
  const unrouted: string[] = [];
  for (const route of ROUTES) {
    const path = route.path.replace('{collection}', 'flows').replace('{id}', route.path.includes('sandbox-management') ? 'prod' : 'no-such-id');
    const ims = route.path === '/ims/token/v3';
    const reply = ims
      ? await httpCall('POST', `${emu.url}${path}`, { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ grant_type: 'client_credentials', client_id: EMULATOR_DEFAULTS.clientId, client_secret: EMULATOR_DEFAULTS.clientSecret }).toString())
      : await httpCall(route.method, `${emu.url}${path}`, headers, route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}');
    if (UNROUTED.test(reply.text)) unrouted.push(`${route.method} ${route.path}: ${reply.status} ${reply.text.slice(0, 120)}`);
  }
  assert.deepEqual(unrouted, []);
});
