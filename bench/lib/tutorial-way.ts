// The baseline of scenario 4: what a user does without flowsync. The streaming-destinations API
// tutorial (AdobeDocs experience-platform.en, help/destinations/api/streaming-destinations.md)
// replayed with plain HTTP (fetch), one call after another, no flowsync code:
//   1. GET  /connectionSpecs                      find the destination's connection spec
//   2. POST /connections      (Profile Store)     "authorize access to your data in Experience Platform"
//   3. POST /sourceConnections (Profile Store)    "connect to your Experience Platform data"
//   4. POST /connections      (Kinesis/Event Hubs) "authorize access to the streaming destination"
//   5. POST /targetConnections                    "specify storage location and data format"
//   6. POST /flows            (empty selectors)   "create a data flow" -> id + etag
//   7. PATCH /flows/{id}      If-Match: etag       "activate data": every segment and attribute as add ops
//   8. GET  /flows/{id}                           "validate the data flow"
// Two ways a user runs it for many destinations:
//   - 'scripted': a script that does step 1 once, steps 2-3 once per sandbox, step 4 once per account
//     (sandbox x type, as the manifests share them) and steps 5-8 per destination (the frugal reading);
//   - 'collection': the Postman collection run once per destination, all eight steps each time.
import type { GeneratedRepo, GenDestination } from './generate.ts';
import { DESTINATION_TYPE_SPECS, PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID } from '../../src/domain/specs.ts';

export type TutorialMode = 'scripted' | 'collection';

export interface TutorialTarget {
  flowServiceUrl: string;
  imsUrl: string;
  clientId: string;
  clientSecret: string;
  orgId: string;
}

export interface TutorialRun {
  mode: TutorialMode;
  requests: number; // every HTTP request sent, the IMS token included
  flowIds: string[];
}

const IMS_SCOPE = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext';

interface Http {
  call(method: string, path: string, sandbox: string, body?: unknown, headers?: Record<string, string>): Promise<unknown>;
  count(): number;
}

async function token(target: TutorialTarget): Promise<string> {
  const res = await fetch(target.imsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: target.clientId,
      client_secret: target.clientSecret,
      scope: IMS_SCOPE,
    }),
  });
  if (!res.ok) throw new Error(`IMS token: HTTP ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

function http(target: TutorialTarget, accessToken: string): Http {
  let sent = 1; // the IMS token request
  return {
    count: () => sent,
    async call(method, path, sandbox, body, headers = {}) {
      sent++;
      const res = await fetch(`${target.flowServiceUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          'x-api-key': target.clientId,
          'x-gw-ims-org-id': target.orgId,
          'x-sandbox-name': sandbox,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} (sandbox ${sandbox}): HTTP ${res.status} ${text.slice(0, 300)}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
  };
}

interface Created {
  id: string;
  etag?: string;
}

async function createProfileStore(h: Http, sandbox: string): Promise<string> {
  const spec = { id: PROFILE_STORE_SPEC_ID, version: '1.0' };
  const base = (await h.call('POST', '/connections', sandbox, {
    name: 'Base connection to Experience Platform',
    description: 'This call establishes the connection to Experience Platform data',
    connectionSpec: spec,
  })) as Created;
  const source = (await h.call('POST', '/sourceConnections', sandbox, {
    name: 'Connecting to Profile Service',
    description: 'Optional',
    connectionSpec: spec,
    baseConnectionId: base.id,
    data: { format: 'json' },
    params: {},
  })) as Created;
  return source.id;
}

async function createAccount(h: Http, repo: GeneratedRepo, d: Pick<GenDestination, 'sandbox' | 'type' | 'account'>): Promise<string> {
  const spec = DESTINATION_TYPE_SPECS[d.type];
  const params =
    d.type === 'amazon-kinesis'
      ? { accessKeyId: 'AKIABENCHMARK0000001', secretKey: repo.env.BENCH_KINESIS_SECRET_KEY, region: 'us-east-1' }
      : { sasKeyName: 'RootManageSharedAccessKey', sasKey: repo.env.BENCH_EVENTHUBS_SAS_KEY, namespace: `bench-${d.sandbox}` };
  const created = (await h.call('POST', '/connections', d.sandbox, {
    name: d.account,
    description: `Connection for ${spec.displayName}`,
    connectionSpec: { id: spec.specId, version: '1.0' },
    auth: { specName: spec.authSpecName, params },
  })) as Created;
  return created.id;
}

async function createDestination(h: Http, d: GenDestination, baseConnectionId: string, sourceConnectionId: string): Promise<string> {
  const spec = DESTINATION_TYPE_SPECS[d.type];
  const target = (await h.call('POST', '/targetConnections', d.sandbox, {
    name: d.name,
    description: d.description,
    baseConnectionId,
    connectionSpec: { id: spec.specId, version: '1.0' },
    data: { format: 'json' },
    params: d.target,
  })) as Created;
  const flow = (await h.call('POST', '/flows', d.sandbox, {
    name: d.name,
    description: d.description,
    flowSpec: { id: STREAMING_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [sourceConnectionId],
    targetConnectionIds: [target.id],
    transformations: [{ name: 'GeneralTransform', params: { profileSelectors: { selectors: [] }, segmentSelectors: { selectors: [] } } }],
  })) as Created;
  // The tutorial takes the etag from the create response; older docs return only the id, then a GET is needed.
  let etag = flow.etag;
  if (!etag) etag = ((await h.call('GET', `/flows/${flow.id}`, d.sandbox)) as { items: Created[] }).items[0]?.etag;
  const ifMatch = etag!.startsWith('"') ? etag! : `"${etag}"`;
  const ops = [
    ...d.segments.map((s) => ({
      op: 'add',
      path: '/transformations/0/params/segmentSelectors/selectors/-',
      value: { type: 'PLATFORM_SEGMENT', value: { id: s.id, name: s.name, description: '' } },
    })),
    ...d.profileAttributes.map((p) => ({
      op: 'add',
      path: '/transformations/0/params/profileSelectors/selectors/-',
      value: { type: 'JSON_PATH', value: { path: p, operator: 'EXISTS' } },
    })),
  ];
  await h.call('PATCH', `/flows/${flow.id}`, d.sandbox, ops, { 'if-match': ifMatch });
  const check = (await h.call('GET', `/flows/${flow.id}`, d.sandbox)) as {
    items: { transformations?: { params?: { segmentSelectors?: { selectors?: unknown[] }; profileSelectors?: { selectors?: unknown[] } } }[] }[];
  };
  const params = check.items[0]?.transformations?.[0]?.params;
  const segs = params?.segmentSelectors?.selectors?.length ?? 0;
  const attrs = params?.profileSelectors?.selectors?.length ?? 0;
  if (segs !== d.segments.length || attrs !== d.profileAttributes.length) {
    throw new Error(`validate the data flow ${d.name}: ${segs} segments and ${attrs} attributes, expected ${d.segments.length} and ${d.profileAttributes.length}`);
  }
  return flow.id;
}

/** Creates every destination of `repo` the tutorial's way, sequentially. */
export async function runTutorialWay(repo: GeneratedRepo, target: TutorialTarget, mode: TutorialMode = 'scripted'): Promise<TutorialRun> {
  const h = http(target, await token(target));
  const flowIds: string[] = [];
  const first = repo.sandboxes[0] ?? 'prod';
  if (mode === 'collection') {
    for (const d of repo.destinations) {
      await h.call('GET', '/connectionSpecs', d.sandbox);
      const source = await createProfileStore(h, d.sandbox);
      const base = await createAccount(h, repo, d);
      flowIds.push(await createDestination(h, d, base, source));
    }
    return { mode, requests: h.count(), flowIds };
  }
  await h.call('GET', '/connectionSpecs', first);
  const sources = new Map<string, string>();
  const bases = new Map<string, string>();
  for (const d of repo.destinations) {
    let source = sources.get(d.sandbox);
    if (!source) sources.set(d.sandbox, (source = await createProfileStore(h, d.sandbox)));
    let base = bases.get(`${d.sandbox}/${d.account}`);
    if (!base) bases.set(`${d.sandbox}/${d.account}`, (base = await createAccount(h, repo, d)));
    flowIds.push(await createDestination(h, d, base, source));
  }
  return { mode, requests: h.count(), flowIds };
}
