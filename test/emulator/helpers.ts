// Plain-HTTP helpers for the emulator tests: no flowsync client code, only fetch.
import { Agent, request } from 'node:http';
import type { TestContext } from 'node:test';
import { EMULATOR_DEFAULTS, startEmulator, type EmulatorOptions, type StartedEmulator } from '../../src/emulator/index.ts';
import { DESTINATION_TYPE_SPECS, PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID } from '../../src/domain/specs.ts';

export const KINESIS = DESTINATION_TYPE_SPECS['amazon-kinesis'].specId;
export const EVENT_HUBS = DESTINATION_TYPE_SPECS['azure-event-hubs'].specId;
export { PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID, EMULATOR_DEFAULTS };

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON
  text: string;
}

export async function startForTest(t: TestContext, opts: EmulatorOptions = {}): Promise<StartedEmulator> {
  const emu = await startEmulator({ port: 0, ...opts });
  t.after(() => emu.close());
  return emu;
}

export async function getToken(emu: { imsUrl: string }, clientId: string = EMULATOR_DEFAULTS.clientId): Promise<string> {
  const res = await fetch(emu.imsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: EMULATOR_DEFAULTS.clientSecret, scope: 'openid,AdobeID' }),
  });
  const body = (await res.json()) as { access_token: string };
  if (res.status !== 200) throw new Error(`IMS answered ${res.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

export interface ApiOptions {
  org?: string;
  sandbox?: string | null; // null: omit the header
  clientId?: string;
}

/** A body sent verbatim (not JSON-encoded), e.g. broken JSON. */
export class Raw {
  constructor(readonly text: string) {}
}

export type Api = (method: string, path: string, body?: unknown, headers?: Record<string, string | null>) => Promise<Reply>;

/** An authenticated caller of the emulator's Flow Service, as a script following the tutorial would be. */
export async function apiFor(emu: StartedEmulator, opts: ApiOptions = {}): Promise<Api> {
  const clientId = opts.clientId ?? EMULATOR_DEFAULTS.clientId;
  const token = await getToken(emu, clientId);
  const base: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'x-api-key': clientId,
    'x-gw-ims-org-id': opts.org ?? EMULATOR_DEFAULTS.orgId,
  };
  if (opts.sandbox !== null) base['x-sandbox-name'] = opts.sandbox ?? 'prod';
  return async (method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...base };
    if (body !== undefined) h['content-type'] = 'application/json';
    for (const [k, v] of Object.entries(headers)) {
      if (v === null) delete h[k];
      else h[k] = v;
    }
    const payload = body === undefined ? undefined : body instanceof Raw ? body.text : JSON.stringify(body);
    return httpCall(method, `${emu.flowServiceUrl}${path}`, h, payload);
  };
}

// node:http with a small keep-alive pool: many parallel fetch() calls open a socket each and are slow.
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** One plain HTTP request; rejects when the connection drops without an answer. */
export function httpCall(method: string, url: string, headers: Record<string, string>, payload?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...headers };
    if (payload !== undefined) h['content-length'] = String(Buffer.byteLength(payload));
    const req = request(url, { method, headers: h, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const hdrs = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) hdrs.set(k, Array.isArray(v) ? v.join(', ') : v);
        try {
          resolve({ status: res.statusCode ?? 0, headers: hdrs, text, body: text ? JSON.parse(text) : undefined });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Creates the Profile Store base + source connection; returns the source connection id. */
export async function profileSource(api: Api): Promise<string> {
  const base = await api('POST', '/connections', { name: 'Profile Store', connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' } });
  const src = await api('POST', '/sourceConnections', {
    name: 'Profile Store source', baseConnectionId: base.body.id, connectionSpec: { id: PROFILE_STORE_SPEC_ID, version: '1.0' }, data: { format: 'json' }, params: {},
  });
  if (src.status !== 201) throw new Error(`source connection: ${src.status} ${src.text}`);
  return src.body.id as string;
}

export function kinesisAuth(secret = 'kinesis-secret') {
  return { specName: 'Aws Kinesis authentication credentials', params: { accessKeyId: 'AKIAEXAMPLE', secretKey: secret, region: 'us-east-1' } };
}

export function eventHubsAuth(secret = 'eh-secret') {
  return { specName: 'Azure EventHub authentication credentials', params: { sasKeyName: 'send', sasKey: secret, namespace: 'acme-ns' } };
}

/** A Kinesis base + target connection; returns ids. */
export async function kinesisTarget(api: Api, name = 'kinesis'): Promise<{ baseId: string; targetId: string }> {
  const base = await api('POST', '/connections', { name, connectionSpec: { id: KINESIS, version: '1.0' }, auth: kinesisAuth() });
  if (base.status !== 201) throw new Error(`base connection: ${base.status} ${base.text}`);
  const target = await api('POST', '/targetConnections', {
    name: `${name} target`, baseConnectionId: base.body.id, connectionSpec: { id: KINESIS, version: '1.0' }, data: { format: 'json' }, params: { stream: 'events', region: 'us-east-1' },
  });
  if (target.status !== 201) throw new Error(`target connection: ${target.status} ${target.text}`);
  return { baseId: base.body.id, targetId: target.body.id };
}

export function flowBody(name: string, sourceId: string, targetId: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    description: `flow ${name}`,
    flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [sourceId],
    targetConnectionIds: [targetId],
    transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } }],
    ...extra,
  };
}

/** A ready flow (profile source, kinesis target); returns all ids and the flow's etag. */
export async function makeFlow(api: Api, name = 'flow') {
  const sourceId = await profileSource(api);
  const { baseId, targetId } = await kinesisTarget(api, `${name}-account`);
  const flow = await api('POST', '/flows', flowBody(name, sourceId, targetId));
  if (flow.status !== 201) throw new Error(`flow: ${flow.status} ${flow.text}`);
  return { sourceId, baseId, targetId, flowId: flow.body.id as string, etag: flow.body.etag as string };
}

/** Waits, as a careful script would, until a flow's last operation is done (not updating/enabling/disabling). */
export async function settled(api: Api, flowId: string): Promise<{ etag: string; state: string }> {
  const { eventually } = await import('../helpers/eventually.ts');
  const done = await eventually(async () => {
    const flow = (await api('GET', `/flows/${flowId}`)).body?.items?.[0];
    return flow && ['enabled', 'disabled'].includes(flow.state) ? { etag: flow.etag as string, state: flow.state as string } : undefined;
  }, { intervalMs: 20, message: `flow ${flowId} did not settle` });
  return done!;
}
