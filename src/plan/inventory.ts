// Sorts one sandbox's live entities by owner: tagged by this manager or before managers existed
// (ours), tagged by another manager (foreign: never written unless --force-conflicts), untagged
// (adoption candidates or unowned) and the Profile Store pair. Pure; the planner claims from here.
import type { LiveBaseConnection, LiveFlow, LiveSandbox, LiveSourceConnection, LiveTargetConnection } from '../domain/model.ts';
import { ownerOf, tagOf, type Owner } from '../domain/owner-tag.ts';
import { PROFILE_STORE_SPEC_ID } from '../domain/specs.ts';

export { tagOf } from '../domain/owner-tag.ts';

/** Owned entities of one kind by manifest name, each list oldest first (createdAt, then id). */
export interface ByName<T> {
  ours: Map<string, T[]>;
  foreign: Map<string, T[]>;
}

export interface Inventory {
  sandbox: string;
  live: LiveSandbox;
  manager: string;
  accounts: ByName<LiveBaseConnection>;
  targets: ByName<LiveTargetConnection>;
  flows: ByName<LiveFlow>;
  /** Owner and tag manager of every tagged entity, by id (for takeover and conflict texts). */
  owners: Map<string, { owner: Owner; manager?: string }>;
  untaggedBases: LiveBaseConnection[];
  untaggedTargets: LiveTargetConnection[];
  untaggedFlows: LiveFlow[];
  profileBases: LiveBaseConnection[]; // Profile Store base connections, ours first, then by id
  profileSources: LiveSourceConnection[]; // Profile Store source connections, ours first, then by id
  /** Ids of untagged entities adopted by this plan. */
  adopted: Set<string>;
}

export const EMPTY_SANDBOX: LiveSandbox = { baseConnections: [], sourceConnections: [], targetConnections: [], flows: [] };

export function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Oldest first: the keep rule's tie-break among duplicates. */
export function byAge<T extends { id: string; createdAt: number }>(a: T, b: T): number {
  return a.createdAt - b.createdAt || byId(a, b);
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Profile Store entities: ours first, then another manager's, then untagged (any of them can be reused). */
function ownedFirst<T extends { id: string; description: string }>(list: T[], manager: string): T[] {
  const rank = (e: T) => { const tag = tagOf(e.description); return tag?.kind !== 'profile-store' ? 2 : ownerOf(tag, manager) === 'foreign' ? 1 : 0; };
  return [...list].sort((a, b) => rank(a) - rank(b) || byId(a, b));
}

export function buildInventory(sandbox: string, live: LiveSandbox | undefined, manager: string): Inventory {
  const sb = live ?? EMPTY_SANDBOX;
  const inv: Inventory = {
    sandbox,
    live: sb,
    manager,
    accounts: { ours: new Map(), foreign: new Map() },
    targets: { ours: new Map(), foreign: new Map() },
    flows: { ours: new Map(), foreign: new Map() },
    owners: new Map(),
    untaggedBases: [],
    untaggedTargets: [],
    untaggedFlows: [],
    profileBases: ownedFirst(sb.baseConnections.filter((b) => b.specId === PROFILE_STORE_SPEC_ID), manager),
    profileSources: ownedFirst(sb.sourceConnections.filter((s) => s.specId === PROFILE_STORE_SPEC_ID), manager),
    adopted: new Set(),
  };
  const sort = <T extends { id: string; description: string; createdAt: number }>(
    list: T[], kind: 'account' | 'destination', into: ByName<T>, untagged: T[],
  ) => {
    for (const e of [...list].sort(byAge)) {
      const tag = tagOf(e.description);
      if (!tag) { untagged.push(e); continue; }
      const owner = ownerOf(tag, manager);
      inv.owners.set(e.id, { owner, ...(tag.manager !== undefined ? { manager: tag.manager } : {}) });
      if (tag.kind === kind && tag.name) push(owner === 'foreign' ? into.foreign : into.ours, tag.name, e);
    }
  };
  sort(sb.baseConnections.filter((b) => b.specId !== PROFILE_STORE_SPEC_ID), 'account', inv.accounts, inv.untaggedBases);
  sort(sb.targetConnections, 'destination', inv.targets, inv.untaggedTargets);
  sort(sb.flows, 'destination', inv.flows, inv.untaggedFlows);
  return inv;
}

export const WRITABLE_STATES = new Set(['enabled', 'disabled']);
