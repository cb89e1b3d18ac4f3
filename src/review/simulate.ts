// Pure stand-in for the Flow Service: applies a plan's actions to a copy of the live model the way
// apply plus the API would, so a pull request can be planned against "live state after the base
// branch was applied" without writing anything. Refusals the API would give (stale etag, deleting
// something still in use, a dependency not done, a JSON Patch that does not apply) are collected,
// and the refused action plus everything depending on it is skipped.
import fjp from 'fast-json-patch';
import type { LiveFlow, LiveSandbox, LiveState } from '../domain/model.ts';
import type { Action, PatchOp } from '../domain/plan.ts';
import { PROFILE_STORE_SPEC_ID } from '../domain/specs.ts';

/** Who "wrote" a simulated entity; a fixed time keeps plans made against it deterministic. */
const SIM_WRITE = { updatedAt: 0, updatedBy: 'flowsync (simulated)', updatedClient: 'flowsync' } as const;
/** Entities a simulated plan creates are newer than anything live. */
const SIM_CREATED = Number.MAX_SAFE_INTEGER;

export interface SimulationResult {
  live: LiveState;
  applied: string[]; // action ids, in order
  refused: { action: string; reason: string }[];
}

const emptySandbox = (): LiveSandbox => ({ baseConnections: [], sourceConnections: [], targetConnections: [], flows: [] });

function applyOps<T extends object>(doc: T, ops: PatchOp[]): T {
  return fjp.applyPatch(structuredClone(doc), ops as fjp.Operation[], true, false).newDocument;
}

/** The part of a flow its JSON Patch paths address (name, description, the selector lists). */
function flowDoc(f: LiveFlow) {
  return {
    name: f.name,
    description: f.description,
    transformations: [
      {
        name: 'GeneralTransform',
        params: {
          segmentSelectors: { selectors: f.segments.map((s) => ({ type: 'PLATFORM_SEGMENT', value: { id: s.id, ...(s.name ? { name: s.name } : {}) } })) },
          profileSelectors: { selectors: f.profileAttributes.map((a) => ({ type: 'JSON_PATH', value: { path: a.path, operator: 'EXISTS' } })) },
        },
      },
    ],
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

class Refusal extends Error {}

class Simulation {
  readonly live: LiveState;
  private n = 0;
  private readonly written = new Set<string>();
  private readonly created = new Map<string, string>();

  constructor(live: LiveState) {
    this.live = structuredClone(live);
  }

  private sb(name: string): LiveSandbox {
    return (this.live.sandboxes[name] ??= emptySandbox());
  }

  /** Ids that cannot collide with real ones and say where they came from. */
  private newId(): string {
    return `planned-${String(++this.n).padStart(4, '0')}`;
  }

  private find<K extends keyof LiveSandbox>(sandbox: string, kind: K, id: string, etag?: string): LiveSandbox[K][number] {
    const entity = (this.sb(sandbox)[kind] as { id: string; etag: string }[]).find((e) => e.id === id);
    if (!entity) throw new Refusal(`404: ${kind} ${id} does not exist`);
    // Only the first write is guarded by the plan's etag; apply chains later writes to the new one.
    if (etag !== undefined && !this.written.has(id) && entity.etag !== etag) throw new Refusal(`412: ${kind} ${id} changed since it was read`);
    return entity as LiveSandbox[K][number];
  }

  private touch(e: { id: string; etag: string; lastWrite: unknown }): void {
    this.written.add(e.id);
    e.etag = `"${this.newId()}"`;
    e.lastWrite = { ...SIM_WRITE };
  }

  private remove(sandbox: string, kind: keyof LiveSandbox, id: string): void {
    const sb = this.sb(sandbox);
    const inUse =
      sb.flows.some((f) => f.targetConnectionIds.includes(id) || f.sourceConnectionIds.includes(id)) ||
      sb.targetConnections.some((t) => t.baseConnectionId === id) ||
      sb.sourceConnections.some((s) => s.baseConnectionId === id);
    if (inUse) throw new Refusal(`400: ${kind} ${id} is still in use`);
    (sb[kind] as { id: string }[]) = (sb[kind] as { id: string }[]).filter((e) => e.id !== id);
  }

  private createdId(key: string, known: string | undefined, what: string): string {
    const id = known ?? this.created.get(key);
    if (!id) throw new Refusal(`no ${what} to attach to`);
    return id;
  }

  step(a: Action): void {
    const sb = this.sb(a.sandbox);
    switch (a.type) {
      case 'create-account': {
        const id = this.newId();
        sb.baseConnections.push({ id, etag: `"${id}"`, sandbox: a.sandbox, name: a.name, description: a.description, specId: a.specId, authSpecName: a.authSpecName, authParams: { ...a.authParams }, state: 'enabled', lastWrite: { ...SIM_WRITE }, createdAt: SIM_CREATED });
        this.created.set(`${a.sandbox}/account/${a.account}`, id);
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
        if (baseId) this.find(a.sandbox, 'baseConnections', baseId);
        else {
          baseId = this.newId();
          sb.baseConnections.push({ id: baseId, etag: `"${baseId}"`, sandbox: a.sandbox, name: a.baseName, description: a.description, specId: PROFILE_STORE_SPEC_ID, authParams: {}, state: 'enabled', lastWrite: { ...SIM_WRITE }, createdAt: SIM_CREATED });
        }
        const id = this.newId();
        sb.sourceConnections.push({ id, etag: `"${id}"`, sandbox: a.sandbox, name: a.sourceName, description: a.description, specId: PROFILE_STORE_SPEC_ID, baseConnectionId: baseId, state: 'enabled', lastWrite: { ...SIM_WRITE }, createdAt: SIM_CREATED });
        this.created.set(`${a.sandbox}/profile-store`, id);
        return;
      }
      case 'create-target-connection': {
        const baseId = this.createdId(`${a.sandbox}/account/${a.account}`, a.baseConnectionId, `base connection for account ${a.account}`);
        this.find(a.sandbox, 'baseConnections', baseId);
        const id = this.newId();
        sb.targetConnections.push({ id, etag: `"${id}"`, sandbox: a.sandbox, name: a.name, description: a.description, specId: a.specId, baseConnectionId: baseId, format: a.format, params: { ...a.params }, state: 'enabled', lastWrite: { ...SIM_WRITE }, createdAt: SIM_CREATED });
        this.created.set(`${a.sandbox}/target/${a.destination}`, id);
        return;
      }
      case 'update-target-connection': {
        const t = this.find(a.sandbox, 'targetConnections', a.entityId, a.etag);
        Object.assign(t, applyOps({ name: t.name, description: t.description, params: t.params }, a.patch));
        this.touch(t);
        return;
      }
      case 'create-flow': {
        const tcId = this.createdId(`${a.sandbox}/target/${a.destination}`, a.targetConnectionId, `target connection for ${a.destination}`);
        const srcId = this.createdId(`${a.sandbox}/profile-store`, a.sourceConnectionId, 'Profile Store source connection');
        this.find(a.sandbox, 'targetConnections', tcId);
        this.find(a.sandbox, 'sourceConnections', srcId);
        const id = this.newId();
        sb.flows.push({
          id, etag: `"${id}"`, sandbox: a.sandbox, name: a.name, description: a.description, flowSpecId: a.flowSpecId,
          state: a.enabled ? 'enabled' : 'disabled', sourceConnectionIds: [srcId], targetConnectionIds: [tcId],
          segments: a.segments.map((s, index) => ({ index, id: s.id, ...(s.name ? { name: s.name } : {}) })),
          profileAttributes: a.profileAttributes.map((path, index) => ({ index, path })),
          lastWrite: { ...SIM_WRITE },
          createdAt: SIM_CREATED,
        });
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
        if (f.state === a.to) throw new Refusal(`400: flow ${f.id} is already ${a.to}`);
        f.state = a.to;
        this.touch(f);
        return;
      }
      case 'delete-flow':
      case 'delete-target-connection':
      case 'delete-account':
      case 'delete-profile-store': {
        const kind = a.type === 'delete-flow' ? 'flows' : a.type === 'delete-target-connection' ? 'targetConnections' : a.type === 'delete-account' || a.resource === 'base-connection' ? 'baseConnections' : 'sourceConnections';
        this.find(a.sandbox, kind, a.entityId, a.etag);
        this.remove(a.sandbox, kind, a.entityId);
        return;
      }
    }
  }
}

/**
 * Live state as it would be after `actions` ran in order. Never throws for an API refusal: the
 * action is listed in `refused` and actions depending on it are skipped (as apply does).
 */
export function simulatePlan(live: LiveState, actions: readonly Action[]): SimulationResult {
  const sim = new Simulation(live);
  const done = new Set<string>();
  const applied: string[] = [];
  const refused: SimulationResult['refused'] = [];
  for (const a of actions) {
    const missing = a.dependsOn.find((d) => !done.has(d));
    if (missing) {
      refused.push({ action: a.id, reason: `depends on ${missing}, which did not run` });
      continue;
    }
    try {
      sim.step(a);
    } catch (err) {
      if (!(err instanceof Refusal) && !(err instanceof fjp.JsonPatchError)) throw err;
      refused.push({ action: a.id, reason: err.message.split('\n')[0] ?? String(err) });
      continue;
    }
    done.add(a.id);
    applied.push(a.id);
  }
  return { live: sim.live, applied, refused };
}
