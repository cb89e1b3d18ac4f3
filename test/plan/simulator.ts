// A small pure Flow Service stand-in for property tests: applies a plan's actions to a LiveState
// the way apply + the API would, and fails loudly on what the API would refuse (stale etag,
// deleting something still in use, a dependency not done yet, a JSON Patch that does not apply).
import fjp from 'fast-json-patch';
import type { LiveFlow, LiveSandbox, LiveState } from '../../src/domain/model.ts';
import type { Action, PatchOp } from '../../src/domain/plan.ts';
import { PROFILE_STORE_SPEC_ID } from '../../src/domain/specs.ts';
import { emptySandbox } from './fixtures.ts';

const SIM_WRITE = { updatedAt: 1_800_000_000_000, updatedBy: 'flowsync@AdobeID', updatedClient: 'flowsync' };

function clone<T>(v: T): T {
  return structuredClone(v);
}

function applyOps<T extends object>(doc: T, ops: PatchOp[]): T {
  return fjp.applyPatch(clone(doc), ops as fjp.Operation[], true, false).newDocument;
}

function flowDoc(f: LiveFlow) {
  return {
    name: f.name,
    description: f.description,
    transformations: [{
      name: 'GeneralTransform',
      params: {
        segmentSelectors: { selectors: f.segments.map((s) => ({ type: 'PLATFORM_SEGMENT', value: { id: s.id, ...(s.name ? { name: s.name } : {}), createTime: '1658344069' } })) },
        profileSelectors: { selectors: f.profileAttributes.map((a) => ({ type: 'JSON_PATH', value: { path: a.path, operator: 'EXISTS' } })) },
      },
    }],
  };
}

function fromFlowDoc(f: LiveFlow, doc: ReturnType<typeof flowDoc>): LiveFlow {
  const p = doc.transformations[0]!.params;
  return {
    ...f,
    name: doc.name,
    description: doc.description,
    segments: p.segmentSelectors.selectors.map((s, index) => ({ index, id: s.value.id, ...(s.value.name ? { name: s.value.name } : {}) })),
    profileAttributes: p.profileSelectors.selectors.map((a, index) => ({ index, path: a.value.path })),
  };
}

export class Simulator {
  readonly live: LiveState;
  private n = 0;
  private done = new Set<string>();
  private written = new Set<string>();
  private created = new Map<string, string>();
  writes = 0;

  constructor(live: LiveState) {
    this.live = clone(live);
  }

  private sb(name: string): LiveSandbox {
    return (this.live.sandboxes[name] ??= emptySandbox());
  }

  private id(): string {
    return `sim${String(++this.n).padStart(4, '0')}`;
  }

  private find<K extends keyof LiveSandbox>(sandbox: string, kind: K, id: string, etag?: string): LiveSandbox[K][number] {
    const entity = (this.sb(sandbox)[kind] as { id: string; etag: string }[]).find((e) => e.id === id);
    if (!entity) throw new Error(`404 ${kind} ${id}`);
    // Only the first write to an entity is guarded by the plan's etag; apply chains later ones.
    if (etag !== undefined && !this.written.has(id) && entity.etag !== etag) throw new Error(`412 ${kind} ${id}`);
    const state = (entity as { state?: string }).state;
    if (etag !== undefined && state !== 'enabled' && state !== 'disabled') throw new Error(`400 (1416) ${kind} ${id} is ${state}`);
    return entity as LiveSandbox[K][number];
  }

  private touch(e: { id: string; etag: string; lastWrite: unknown }): void {
    this.written.add(e.id);
    e.etag = `"${this.id()}"`;
    e.lastWrite = { ...SIM_WRITE };
    this.writes++;
  }

  private remove<K extends keyof LiveSandbox>(sandbox: string, kind: K, id: string): void {
    const sb = this.sb(sandbox);
    const inUse =
      sb.flows.some((f) => f.targetConnectionIds.includes(id) || f.sourceConnectionIds.includes(id)) ||
      sb.targetConnections.some((t) => t.baseConnectionId === id) ||
      sb.sourceConnections.some((s) => s.baseConnectionId === id);
    if (inUse) throw new Error(`400 ${kind} ${id} is still in use`);
    (sb[kind] as { id: string }[]) = (sb[kind] as { id: string }[]).filter((e) => e.id !== id);
    this.writes++;
  }

  apply(actions: Action[]): void {
    for (const a of actions) {
      for (const dep of a.dependsOn) if (!this.done.has(dep)) throw new Error(`${a.id} runs before its dependency ${dep}`);
      this.step(a);
      this.done.add(a.id);
    }
  }

  private step(a: Action): void {
    const sb = this.sb(a.sandbox);
    switch (a.type) {
      case 'create-account': {
        const id = this.id();
        sb.baseConnections.push({ id, etag: `"${id}"`, sandbox: a.sandbox, name: a.name, description: a.description, specId: a.specId, authSpecName: a.authSpecName, authParams: { ...a.authParams }, state: 'enabled', lastWrite: { ...SIM_WRITE } });
        this.created.set(`${a.sandbox}/account/${a.account}`, id);
        this.writes++;
        return;
      }
      case 'update-account': {
        const b = this.find(a.sandbox, 'baseConnections', a.entityId, a.etag);
        Object.assign(b, applyOps({ name: b.name, description: b.description }, a.patch));
        if (a.rotateCredentials) b.authParams = { ...a.authParams };
        this.touch(b);
        return;
      }
      case 'create-profile-store': {
        let baseId = a.baseConnectionId;
        if (!baseId) {
          baseId = this.id();
          sb.baseConnections.push({ id: baseId, etag: `"${baseId}"`, sandbox: a.sandbox, name: a.baseName, description: a.description, specId: PROFILE_STORE_SPEC_ID, authParams: {}, state: 'enabled', lastWrite: { ...SIM_WRITE } });
        } else this.find(a.sandbox, 'baseConnections', baseId);
        const id = this.id();
        sb.sourceConnections.push({ id, etag: `"${id}"`, sandbox: a.sandbox, name: a.sourceName, description: a.description, specId: PROFILE_STORE_SPEC_ID, baseConnectionId: baseId, state: 'enabled', lastWrite: { ...SIM_WRITE } });
        this.created.set(`${a.sandbox}/profile-store`, id);
        this.writes++;
        return;
      }
      case 'create-target-connection': {
        const baseId = a.baseConnectionId ?? this.created.get(`${a.sandbox}/account/${a.account}`);
        if (!baseId) throw new Error(`${a.id}: no base connection for account ${a.account}`);
        this.find(a.sandbox, 'baseConnections', baseId);
        const id = this.id();
        sb.targetConnections.push({ id, etag: `"${id}"`, sandbox: a.sandbox, name: a.name, description: a.description, specId: a.specId, baseConnectionId: baseId, format: a.format, params: { ...a.params }, state: 'enabled', lastWrite: { ...SIM_WRITE } });
        this.created.set(`${a.sandbox}/target/${a.destination}`, id);
        this.writes++;
        return;
      }
      case 'update-target-connection': {
        const t = this.find(a.sandbox, 'targetConnections', a.entityId, a.etag);
        Object.assign(t, applyOps({ name: t.name, description: t.description, params: t.params }, a.patch));
        this.touch(t);
        return;
      }
      case 'create-flow': {
        const tcId = a.targetConnectionId ?? this.created.get(`${a.sandbox}/target/${a.destination}`);
        const srcId = a.sourceConnectionId ?? this.created.get(`${a.sandbox}/profile-store`);
        if (!tcId || !srcId) throw new Error(`${a.id}: missing target (${tcId}) or source (${srcId}) connection`);
        this.find(a.sandbox, 'targetConnections', tcId);
        this.find(a.sandbox, 'sourceConnections', srcId);
        const id = this.id();
        sb.flows.push({
          id, etag: `"${id}"`, sandbox: a.sandbox, name: a.name, description: a.description, flowSpecId: a.flowSpecId, state: a.enabled ? 'enabled' : 'disabled',
          sourceConnectionIds: [srcId], targetConnectionIds: [tcId],
          segments: a.segments.map((s, index) => ({ index, id: s.id, ...(s.name ? { name: s.name } : {}) })),
          profileAttributes: a.profileAttributes.map((path, index) => ({ index, path })), lastWrite: { ...SIM_WRITE },
        });
        this.writes += a.enabled ? 2 : 3; // create, selectors PATCH, disable
        return;
      }
      case 'update-flow': {
        const f = this.find(a.sandbox, 'flows', a.entityId, a.etag);
        Object.assign(f, fromFlowDoc(f, applyOps(flowDoc(f), a.patch)));
        this.touch(f);
        return;
      }
      case 'set-flow-state': {
        const f = this.find(a.sandbox, 'flows', a.entityId, a.etag);
        if (f.state === a.to) throw new Error(`400 action ${a.to} cannot be applied on state ${f.state}`);
        f.state = a.to;
        this.touch(f);
        return;
      }
      case 'delete-flow':
        this.find(a.sandbox, 'flows', a.entityId, a.etag);
        this.remove(a.sandbox, 'flows', a.entityId);
        return;
      case 'delete-target-connection':
        this.find(a.sandbox, 'targetConnections', a.entityId, a.etag);
        this.remove(a.sandbox, 'targetConnections', a.entityId);
        return;
      case 'delete-account':
        this.find(a.sandbox, 'baseConnections', a.entityId, a.etag);
        this.remove(a.sandbox, 'baseConnections', a.entityId);
        return;
      case 'delete-profile-store': {
        const kind = a.resource === 'source-connection' ? 'sourceConnections' : 'baseConnections';
        this.find(a.sandbox, kind, a.entityId, a.etag);
        this.remove(a.sandbox, kind, a.entityId);
        return;
      }
    }
  }
}
