// The emulator's data: entities per (org, sandbox) scope and collection. Each collection is a Map kept in
// write order (an updated entity is moved to the end), so "most recently created or updated first" is a
// reverse walk with no sort. Entities are stored with their secrets; views strip them on the way out.
import type { PersistedTenants } from './tenants.ts';
import type { PersistedAudiences } from './audiences.ts';
import { COLLECTIONS, type Collection, type Entity, type ListCache, type StoredRecord, type StoreSnapshot } from './types.ts';
import { clone } from './clone.ts';

export type Scope = Record<Collection, Map<string, StoredRecord>> & {
  /** Reverse references: entity id → ids of the entities that name it (baseConnectionId, source/targetConnectionIds). */
  refs: Map<string, Set<string>>;
  /** Bumped on every write in the scope; list caches compare it. */
  version: number;
  listCache: Record<Collection, ListCache>;
};

function referencedIds(doc: Entity): string[] {
  const out: string[] = [];
  if (typeof doc.baseConnectionId === 'string') out.push(doc.baseConnectionId);
  for (const key of ['sourceConnectionIds', 'targetConnectionIds']) {
    const ids = doc[key];
    if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') out.push(id);
  }
  return out;
}

function unindex(scope: Scope, doc: Entity | undefined): void {
  if (!doc) return;
  for (const ref of referencedIds(doc)) {
    const set = scope.refs.get(ref);
    set?.delete(doc.id);
    if (set?.size === 0) scope.refs.delete(ref);
  }
}

function index(scope: Scope, doc: Entity): void {
  for (const ref of referencedIds(doc)) {
    let set = scope.refs.get(ref);
    if (!set) scope.refs.set(ref, (set = new Set()));
    set.add(doc.id);
  }
}

/** Ids of the entities in this scope that reference `id`. */
export function referrers(scope: Scope, id: string): ReadonlySet<string> {
  return scope.refs.get(id) ?? new Set();
}

export interface PersistedStore {
  version: 1;
  seq: number;
  tokenKey: string;
  scopes: Record<string, Record<Collection, StoredRecord[]>>;
  /** Each org's sandboxes and each client's org (absent in files from before the registry). */
  tenants?: PersistedTenants;
  /** Audiences per `${org}/${sandbox}` (absent in files from before audiences). */
  audiences?: PersistedAudiences;
}

function emptyScope(): Scope {
  return { connections: new Map(), sourceConnections: new Map(), targetConnections: new Map(), flows: new Map(), refs: new Map(), version: 0,
    listCache: {
      connections: { version: -1, entries: new Map() }, sourceConnections: { version: -1, entries: new Map() },
      targetConnections: { version: -1, entries: new Map() }, flows: { version: -1, entries: new Map() },
    },
  };
}

export const scopeKey = (org: string, sandbox: string) => `${org}/${sandbox}`;

export class Store {
  private scopes = new Map<string, Scope>();
  private seq = 0;
  /** Called after every change (persistence hooks in here). */
  onChange: () => void = () => {};

  scope(org: string, sandbox: string): Scope {
    const key = scopeKey(org, sandbox);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = emptyScope();
      this.scopes.set(key, scope);
    }
    return scope;
  }

  /** Every (org, sandbox) that holds at least one entity. */
  scopesWithEntities(): { org: string; sandbox: string }[] {
    const out: { org: string; sandbox: string }[] = [];
    for (const [key, scope] of this.scopes) {
      const cut = key.lastIndexOf('/');
      if (COLLECTIONS.some((c) => scope[c].size > 0)) out.push({ org: key.slice(0, cut), sandbox: key.slice(cut + 1) });
    }
    return out;
  }

  allScopes(): Scope[] {
    return [...this.scopes.values()];
  }

  /** Read-only lookup that never creates a scope. */
  find(org: string, sandbox: string, collection: Collection, id: string): StoredRecord | undefined {
    return this.scopes.get(scopeKey(org, sandbox))?.[collection].get(id);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  put(scope: Scope, collection: Collection, doc: Entity, cseq?: number): StoredRecord {
    const map = scope[collection];
    const seq = this.nextSeq();
    const prev = map.get(doc.id);
    const rec: StoredRecord = { doc, seq, cseq: cseq ?? prev?.cseq ?? seq };
    unindex(scope, prev?.doc);
    index(scope, doc);
    scope.version++;
    map.delete(doc.id); // re-insert at the end: newest write last
    map.set(doc.id, rec);
    this.onChange();
    return rec;
  }

  remove(scope: Scope, collection: Collection, id: string): boolean {
    const prev = scope[collection].get(id);
    const ok = scope[collection].delete(id);
    if (ok) {
      unindex(scope, prev?.doc);
      scope.version++;
      this.seq++;
      this.onChange();
    }
    return ok;
  }

  clear(): void {
    this.scopes.clear();
    this.onChange();
  }

  snapshot(): StoreSnapshot {
    const scopes: StoreSnapshot['scopes'] = {};
    for (const [key, scope] of this.scopes) {
      scopes[key] = Object.fromEntries(COLLECTIONS.map((c) => [c, [...scope[c].values()].map((r) => clone(r.doc))])) as Record<Collection, Entity[]>;
    }
    return { scopes };
  }

  toPersisted(tokenKey: string): PersistedStore {
    const scopes: PersistedStore['scopes'] = {};
    for (const [key, scope] of this.scopes) {
      scopes[key] = Object.fromEntries(COLLECTIONS.map((c) => [c, [...scope[c].values()]])) as Record<Collection, StoredRecord[]>;
    }
    return { version: 1, seq: this.seq, tokenKey, scopes };
  }

  load(data: PersistedStore): void {
    this.scopes.clear();
    this.seq = data.seq;
    for (const [key, entry] of Object.entries(data.scopes)) {
      const scope = emptyScope();
      for (const c of COLLECTIONS) {
        const recs = [...(entry[c] ?? [])].sort((a, b) => a.seq - b.seq);
        for (const rec of recs) {
          scope[c].set(rec.doc.id, rec);
          index(scope, rec.doc);
        }
      }
      this.scopes.set(key, scope);
    }
  }
}
