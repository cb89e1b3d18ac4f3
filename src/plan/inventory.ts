// Sorts one sandbox's live entities by owner: tagged for a manifest (owned), untagged (adoption
// candidates or unowned) and the Profile Store pair. Pure; the planner claims entities from here.
import type { LiveBaseConnection, LiveFlow, LiveSandbox, LiveSourceConnection, LiveTargetConnection } from '../domain/model.ts';
import { parseOwnerTag, type OwnerTag } from '../domain/ownership.ts';
import { PROFILE_STORE_SPEC_ID } from '../domain/specs.ts';

export interface Inventory {
  sandbox: string;
  live: LiveSandbox;
  /** Owned entities by manifest name, each list sorted by id. */
  accounts: Map<string, LiveBaseConnection[]>;
  targets: Map<string, LiveTargetConnection[]>;
  flows: Map<string, LiveFlow[]>;
  untaggedBases: LiveBaseConnection[];
  untaggedTargets: LiveTargetConnection[];
  untaggedFlows: LiveFlow[];
  profileBases: LiveBaseConnection[]; // Profile Store base connections, owned first, then by id
  profileSources: LiveSourceConnection[]; // Profile Store source connections, owned first, then by id
  /** Ids of untagged entities adopted by this plan. */
  adopted: Set<string>;
}

export const EMPTY_SANDBOX: LiveSandbox = { baseConnections: [], sourceConnections: [], targetConnections: [], flows: [] };

export function tagOf(description: string): OwnerTag | undefined {
  return parseOwnerTag(description).tag;
}

export function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function ownedFirst<T extends { id: string; description: string }>(list: T[]): T[] {
  const owned = (e: T) => (tagOf(e.description)?.kind === 'profile-store' ? 0 : 1);
  return [...list].sort((a, b) => owned(a) - owned(b) || byId(a, b));
}

export function buildInventory(sandbox: string, live: LiveSandbox | undefined): Inventory {
  const sb = live ?? EMPTY_SANDBOX;
  const inv: Inventory = {
    sandbox,
    live: sb,
    accounts: new Map(),
    targets: new Map(),
    flows: new Map(),
    untaggedBases: [],
    untaggedTargets: [],
    untaggedFlows: [],
    profileBases: ownedFirst(sb.baseConnections.filter((b) => b.specId === PROFILE_STORE_SPEC_ID)),
    profileSources: ownedFirst(sb.sourceConnections.filter((s) => s.specId === PROFILE_STORE_SPEC_ID)),
    adopted: new Set(),
  };
  for (const b of [...sb.baseConnections].sort(byId)) {
    if (b.specId === PROFILE_STORE_SPEC_ID) continue;
    const tag = tagOf(b.description);
    if (tag?.kind === 'account' && tag.name) push(inv.accounts, tag.name, b);
    else if (!tag) inv.untaggedBases.push(b);
  }
  for (const t of [...sb.targetConnections].sort(byId)) {
    const tag = tagOf(t.description);
    if (tag?.kind === 'destination' && tag.name) push(inv.targets, tag.name, t);
    else if (!tag) inv.untaggedTargets.push(t);
  }
  for (const f of [...sb.flows].sort(byId)) {
    const tag = tagOf(f.description);
    if (tag?.kind === 'destination' && tag.name) push(inv.flows, tag.name, f);
    else if (!tag) inv.untaggedFlows.push(f);
  }
  return inv;
}

/** Owned means: tagged for this kind/name. Anything else is left alone unless adopted. */
export function isOwnedEntity(description: string): boolean {
  return tagOf(description) !== undefined;
}

export const WRITABLE_STATES = new Set(['enabled', 'disabled']);
