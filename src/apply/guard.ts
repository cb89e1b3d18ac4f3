// A saved plan applies exactly as reviewed or not at all: before any write, every entity the plan
// touches must still carry the etag the plan was computed from, and nothing the plan would create
// may have appeared since. Pure: it compares the plan with freshly read live state.
import { isOurs, parseOwnerTag } from '../domain/owner-tag.ts';
import type { LiveSandbox, LiveState } from '../domain/model.ts';
import type { Action } from '../domain/plan.ts';

export interface StaleEntity {
  address: string;
  entityId?: string;
  problem: string; // one line naming the entity and what moved
}

export function findStaleEntities(actions: readonly Action[], live: LiveState): StaleEntity[] {
  const stale: StaleEntity[] = [];
  // A replace deletes the old entity before creating the new one: the old one is expected.
  const deleting = new Set(actions.flatMap((a) => (a.type.startsWith('delete-') && 'entityId' in a ? [a.entityId] : [])));
  for (const action of actions) {
    const sandbox = live.sandboxes[action.sandbox] ?? emptySandbox();
    if ('entityId' in action) {
      const current = findById(sandbox, action.entityId);
      if (!current) stale.push({ address: action.address, entityId: action.entityId, problem: `entity ${action.entityId} no longer exists` });
      else if (current.etag !== action.etag) {
        stale.push({ address: action.address, entityId: action.entityId, problem: `${current.kind} ${action.entityId} changed since the plan (etag ${action.etag} → ${current.etag})` });
      }
      continue;
    }
    const appeared = appearedSince(action, sandbox, deleting);
    if (appeared) stale.push({ address: action.address, entityId: appeared, problem: `an entity this plan would create already exists now (${appeared})` });
  }
  return stale;
}

function findById(sandbox: LiveSandbox, id: string): { etag: string; kind: string } | undefined {
  const flow = sandbox.flows.find((e) => e.id === id);
  if (flow) return { etag: flow.etag, kind: 'flow' };
  const target = sandbox.targetConnections.find((e) => e.id === id);
  if (target) return { etag: target.etag, kind: 'target connection' };
  const source = sandbox.sourceConnections.find((e) => e.id === id);
  if (source) return { etag: source.etag, kind: 'source connection' };
  const base = sandbox.baseConnections.find((e) => e.id === id);
  if (base) return { etag: base.etag, kind: 'base connection' };
  return undefined;
}

function appearedSince(action: Action, sandbox: LiveSandbox, deleting: Set<string>): string | undefined {
  // Only this manager's (or a pre-manager) entity counts: another manager's is a conflict, not ours.
  const manager = 'description' in action ? parseOwnerTag(action.description).tag?.manager ?? '' : '';
  const owned = (list: { id: string; description: string }[], kind: string, name: string) =>
    list.find((e) => {
      if (deleting.has(e.id)) return false;
      const tag = parseOwnerTag(e.description).tag;
      return tag?.kind === kind && tag.name === name && isOurs(tag, manager);
    })?.id;
  switch (action.type) {
    case 'create-account':
      return owned(sandbox.baseConnections, 'account', action.account);
    case 'create-target-connection':
      return owned(sandbox.targetConnections, 'destination', action.destination);
    case 'create-flow':
      return owned(sandbox.flows, 'destination', action.destination);
    case 'create-profile-store':
      return sandbox.sourceConnections.find((e) => !deleting.has(e.id))?.id;
    default:
      return undefined;
  }
}

function emptySandbox(): LiveSandbox {
  return { baseConnections: [], sourceConnections: [], targetConnections: [], flows: [] };
}
