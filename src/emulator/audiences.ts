// The emulator's audiences: one store per (org, sandbox), shown through two views of the Segmentation
// Service (segmentation.ts): `/audiences` (every origin) and `/segment/definitions` (the PQL ones).
// In AEP the same audience has a different id in every sandbox; seeds without an id get one derived
// from sandbox and name, so the demo's sandboxes hold the same names under different, stable ids.
import { createHash, randomUUID } from 'node:crypto';
import { scopeKey } from './store.ts';

/** `SegmentDefinition`: built in Platform from PQL; `ExternalSegment`: uploaded or from another Adobe app. */
export type AudienceType = 'SegmentDefinition' | 'ExternalSegment';
export type LifecycleState = 'draft' | 'published' | 'inactive';

export interface Expression {
  type: string;
  format: string;
  value: string;
}

export interface Audience {
  id: string;
  name: string;
  description: string;
  type: AudienceType;
  /** REAL_TIME_CUSTOMER_PROFILE for segment definitions; CUSTOM_UPLOAD, AUDIENCE_ORCHESTRATION, ... otherwise. */
  originName: string;
  namespace: string;
  lifecycleState: LifecycleState;
  expression?: Expression;
  schemaName: string;
  createdBy: string;
  createdAt: number; // epoch ms
  updatedAt: number;
  seq: number; // creation order, the tie-breaker of every sort
}

/** What tests, demos and `--audiences FILE` give to create (or rename) an audience. */
export interface AudienceSeed {
  sandbox: string;
  name: string;
  /** Default: derived from sandbox and name (audienceUuid). */
  id?: string;
  /** Default: the demo org. */
  orgId?: string;
  description?: string;
  type?: AudienceType;
  originName?: string;
  lifecycleState?: LifecycleState;
  expression?: string;
}

export type PersistedAudiences = Record<string, Audience[]>;

/** A stable UUID (version 5 layout) for an audience name in a sandbox: the same in every run and org. */
export function audienceUuid(sandbox: string, name: string): string {
  const h = createHash('sha1').update(`flowsync-emulator/audience/${sandbox}/${name}`).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const SEED_USER = 'ui-user@AdobeID';
const PROFILE_SCHEMA = '_xdm.context.profile';

export class Audiences {
  private readonly scopes = new Map<string, Map<string, Audience>>();
  private seq = 0;
  /** Called after every change (persistence hooks in here). */
  onChange: () => void = () => {};

  private scope(org: string, sandbox: string): Map<string, Audience> {
    const key = scopeKey(org, sandbox);
    let map = this.scopes.get(key);
    if (!map) this.scopes.set(key, (map = new Map()));
    return map;
  }

  /** The sandbox's audiences in creation order. */
  list(org: string, sandbox: string): Audience[] {
    return [...(this.scopes.get(scopeKey(org, sandbox))?.values() ?? [])];
  }

  get(org: string, sandbox: string, id: string): Audience | undefined {
    return this.scopes.get(scopeKey(org, sandbox))?.get(id);
  }

  has(org: string, sandbox: string, id: string): boolean {
    return this.get(org, sandbox, id) !== undefined;
  }

  /** A new audience with a fresh id (POST /segment/definitions). */
  create(org: string, sandbox: string, fields: Omit<Audience, 'id' | 'seq' | 'createdAt' | 'updatedAt'>, now: number): Audience {
    const audience: Audience = { ...fields, id: randomUUID(), createdAt: now, updatedAt: now, seq: ++this.seq };
    this.scope(org, sandbox).set(audience.id, audience);
    this.onChange();
    return audience;
  }

  /** Creates the seed's audience, or renames/redescribes the one with its id (a change made in AEP). */
  seed(seed: AudienceSeed, defaultOrg: string, now: number): Audience {
    const org = seed.orgId ?? defaultOrg;
    const id = seed.id ?? audienceUuid(seed.sandbox, seed.name);
    const map = this.scope(org, seed.sandbox);
    const prev = map.get(id);
    const type = seed.type ?? prev?.type ?? 'SegmentDefinition';
    const external = type === 'ExternalSegment';
    const audience: Audience = {
      id,
      name: seed.name,
      description: seed.description ?? prev?.description ?? '',
      type,
      originName: seed.originName ?? prev?.originName ?? (external ? 'CUSTOM_UPLOAD' : 'REAL_TIME_CUSTOMER_PROFILE'),
      namespace: prev?.namespace ?? (external ? 'CustomerAudienceUpload' : 'AEPSegments'),
      lifecycleState: seed.lifecycleState ?? prev?.lifecycleState ?? 'published',
      ...(external ? {} : { expression: { type: 'PQL', format: 'pql/text', value: seed.expression ?? prev?.expression?.value ?? 'person.name.lastName.isNotNull()' } }),
      schemaName: PROFILE_SCHEMA,
      createdBy: prev?.createdBy ?? SEED_USER,
      createdAt: prev?.createdAt ?? now,
      updatedAt: now,
      seq: prev?.seq ?? ++this.seq,
    };
    map.set(id, audience);
    this.onChange();
    return audience;
  }

  remove(org: string, sandbox: string, id: string): boolean {
    const ok = this.scopes.get(scopeKey(org, sandbox))?.delete(id) ?? false;
    if (ok) this.onChange();
    return ok;
  }

  toPersisted(): PersistedAudiences {
    const out: PersistedAudiences = {};
    for (const [key, map] of this.scopes) if (map.size > 0) out[key] = [...map.values()];
    return out;
  }

  load(data: PersistedAudiences | undefined): void {
    for (const [key, list] of Object.entries(data ?? {})) {
      const map = new Map<string, Audience>();
      for (const a of [...list].sort((x, y) => x.seq - y.seq)) {
        map.set(a.id, a);
        this.seq = Math.max(this.seq, a.seq);
      }
      this.scopes.set(key, map);
    }
  }
}
