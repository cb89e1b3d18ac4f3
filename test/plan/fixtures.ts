// Builders for desired and live states used by the planner and view tests.
import type {
  DesiredAccount, DesiredDestination, DesiredState, LastWrite, LiveBaseConnection, LiveFlow, LiveSandbox,
  LiveSourceConnection, LiveState, LiveTargetConnection,
} from '../../src/domain/model.ts';
import { PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID, DESTINATION_TYPE_SPECS } from '../../src/domain/specs.ts';
import { accountTag, describeWithTag, flowTag, profileStoreTag, targetTag } from '../../src/domain/owner-tag.ts';

/** The manager the planner tests plan for (the `m=` of the tags liveFor writes). */
export const MANAGER = 'github.com/acme/aep';

export const WRITE: LastWrite = { updatedAt: 1_700_000_000_000, updatedBy: 'flowsync@AdobeID', updatedClient: 'flowsync' };
export const UI_WRITE: LastWrite = { updatedAt: 1_700_000_500_000, updatedBy: 'jane.doe@AdobeID', updatedClient: 'exc_app' };
export const SEG1 = '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02';
export const SEG2 = '9f1c3a55-0d44-4c7e-b1aa-2b7e0d5f6a11';
export const SEG3 = 'c4e2a1f0-5b6d-4c3e-9a8b-7d6e5f4a3b21';

export function account(over: Partial<DesiredAccount> = {}): DesiredAccount {
  return {
    name: 'kinesis-prod', sandbox: 'prod', type: 'amazon-kinesis', description: 'Kinesis account',
    authParams: { accessKeyId: 'AKIAEXAMPLE', region: 'us-east-1' }, secretParams: ['secretKey'],
    credentialFingerprint: '00112233aabbccdd', source: { file: 'manifests/account.yaml', line: 1, column: 1 }, ...over,
  };
}

export function destination(over: Partial<DesiredDestination> = {}): DesiredDestination {
  return {
    name: 'summer-campaign', sandbox: 'prod', account: 'kinesis-prod', type: 'amazon-kinesis', description: 'Summer campaign',
    target: { stream: 'summer', region: 'us-east-1' }, format: 'json', enabled: true, drift: 'heal',
    segments: [{ id: SEG1, name: 'Men over 50' }], profileAttributes: ['person.name.firstName'],
    source: { file: 'manifests/summer.yaml', line: 1, column: 1 }, ...over,
  };
}

export function desiredState(accounts: DesiredAccount[], destinations: DesiredDestination[]): DesiredState {
  const key = (x: { sandbox: string; name: string }) => `${x.sandbox}/${x.name}`;
  return {
    accounts: [...accounts].sort((a, b) => key(a).localeCompare(key(b))),
    destinations: [...destinations].sort((a, b) => key(a).localeCompare(key(b))),
    sandboxes: [...new Set([...accounts, ...destinations].map((x) => x.sandbox))].sort(),
  };
}

export function emptySandbox(): LiveSandbox {
  return { baseConnections: [], sourceConnections: [], targetConnections: [], flows: [] };
}

/** Live entities exactly as a previous apply of these manifests leaves them. */
export function liveFor(desired: DesiredState, ids = { prefix: 'e' }, manager = MANAGER): LiveState {
  const live: LiveState = { sandboxes: {} };
  let n = 0;
  const next = () => `${ids.prefix}${String(++n).padStart(4, '0')}`;
  const sb = (name: string) => (live.sandboxes[name] ??= emptySandbox());
  const bases = new Map<string, string>();
  for (const a of desired.accounts) {
    const b = liveBase({ id: next(), sandbox: a.sandbox, name: a.name, description: describeWithTag(a.description, accountTag(a, manager)), specId: DESTINATION_TYPE_SPECS[a.type].specId, authParams: { ...a.authParams } });
    bases.set(`${a.sandbox}/${a.name}`, b.id);
    sb(a.sandbox).baseConnections.push(b);
  }
  const sources = new Map<string, string>();
  for (const d of desired.destinations) {
    if (!sources.has(d.sandbox)) {
      const base = liveBase({ id: next(), sandbox: d.sandbox, name: 'flowsync Profile Store', description: describeWithTag('Profile Store connection for flowsync destinations', profileStoreTag(manager)), specId: PROFILE_STORE_SPEC_ID, authParams: {} });
      const src = liveSource({ id: next(), sandbox: d.sandbox, baseConnectionId: base.id, description: base.description });
      sb(d.sandbox).baseConnections.push(base);
      sb(d.sandbox).sourceConnections.push(src);
      sources.set(d.sandbox, src.id);
    }
    const tc = liveTarget({ id: next(), sandbox: d.sandbox, name: d.name, description: describeWithTag(d.description, targetTag(d, manager)), specId: DESTINATION_TYPE_SPECS[d.type].specId, baseConnectionId: bases.get(`${d.sandbox}/${d.account}`)!, params: { ...d.target } });
    sb(d.sandbox).targetConnections.push(tc);
    sb(d.sandbox).flows.push(liveFlow({
      id: next(), sandbox: d.sandbox, name: d.name, description: describeWithTag(d.description, flowTag(d, manager)), state: d.enabled ? 'enabled' : 'disabled',
      sourceConnectionIds: [sources.get(d.sandbox)!], targetConnectionIds: [tc.id],
      segments: d.segments.map((s, index) => ({ index, id: s.id, ...(s.name ? { name: s.name } : {}) })),
      profileAttributes: d.profileAttributes.map((path, index) => ({ index, path })),
    }));
  }
  return live;
}

export function liveBase(over: Partial<LiveBaseConnection> & { id: string }): LiveBaseConnection {
  return { etag: `"etag-${over.id}"`, sandbox: 'prod', name: 'base', description: '', specId: DESTINATION_TYPE_SPECS['amazon-kinesis'].specId, authSpecName: 'Aws Kinesis authentication credentials', authParams: {}, state: 'enabled', lastWrite: WRITE, createdAt: 0, ...over };
}

export function liveSource(over: Partial<LiveSourceConnection> & { id: string; baseConnectionId: string }): LiveSourceConnection {
  return { etag: `"etag-${over.id}"`, sandbox: 'prod', name: 'flowsync Profile Store source', description: '', specId: PROFILE_STORE_SPEC_ID, state: 'enabled', lastWrite: WRITE, createdAt: 0, ...over };
}

export function liveTarget(over: Partial<LiveTargetConnection> & { id: string; baseConnectionId: string }): LiveTargetConnection {
  return { etag: `"etag-${over.id}"`, sandbox: 'prod', name: 'target', description: '', specId: DESTINATION_TYPE_SPECS['amazon-kinesis'].specId, format: 'json', params: {}, state: 'enabled', lastWrite: WRITE, createdAt: 0, ...over };
}

export function liveFlow(over: Partial<LiveFlow> & { id: string }): LiveFlow {
  return { etag: `"etag-${over.id}"`, sandbox: 'prod', name: 'flow', description: '', flowSpecId: STREAMING_FLOW_SPEC_ID, state: 'enabled', sourceConnectionIds: [], targetConnectionIds: [], segments: [], profileAttributes: [], lastWrite: WRITE, createdAt: 0, ...over };
}

export const OPTS = { prune: false, createdAt: '2026-01-01T00:00:00.000Z', manager: MANAGER };
