// EmulatorAdmin (in-process) and the same operations over HTTP under /__emulator/, a prefix the real
// API never uses. No auth: the admin API is for tests, benchmarks and demos on a local emulator.
import { ApiError, notFound } from './api-error.ts';
import { view, type WriteContext } from './entity-common.ts';
import type { Faults } from './faults.ts';
import { patchEntity } from './flow-service.ts';
import { EDIT_OPS, parsePatch } from './json-patch.ts';
import type { RequestLog } from './request-log.ts';
import type { Store } from './store.ts';
import { SANDBOX_NAME, ORG_ID, type TokenIssuer } from './auth.ts';
import type { Tenants } from './tenants.ts';
import type { Audiences, AudienceSeed } from './audiences.ts';
import { audienceView } from './segmentation.ts';
import { COLLECTIONS, type EmulatorAdmin, type Entity, type FaultsInput, type OutOfBandEdit, type StoreSnapshot } from './types.ts';
import { clone } from './clone.ts';
import { produceRuns } from './runs.ts';

export const ADMIN_PREFIX = '/__emulator';
export const UI_USER = 'ui-user@AdobeID';
export const UI_CLIENT = 'exc_app';

export interface AdminDeps {
  store: Store;
  faults: Faults;
  log: RequestLog;
  issuer: TokenIssuer;
  tenants: Tenants;
  audiences: Audiences;
  now: () => number;
  defaultOrg: string;
  defaultClientId: string;
}

export interface FullAdmin extends EmulatorAdmin {
  /** The store as tests may need it, secrets included (in-process only; the HTTP route never shows secrets). */
  snapshot(opts?: { includeSecrets?: boolean }): StoreSnapshot;
}

function redacted(snapshot: StoreSnapshot): StoreSnapshot {
  for (const scope of Object.values(snapshot.scopes)) for (const c of COLLECTIONS) scope[c] = scope[c].map((e) => clone(view(e)));
  return snapshot;
}

export function createAdmin(deps: AdminDeps): FullAdmin {
  const { store, faults, log, issuer, tenants, audiences } = deps;
  return {
    requests: () => log.list(),
    counters: () => log.counters(),
    resetRequests: () => log.reset(),
    faults: () => clone(faults.config),
    setFaults: (partial: FaultsInput) => clone(faults.set(partial)),
    outOfBandEdit(edit: OutOfBandEdit): Entity {
      const org = edit.orgId ?? deps.defaultOrg;
      if (!COLLECTIONS.includes(edit.collection)) throw new RangeError(`outOfBandEdit: unknown collection "${String(edit.collection)}"`);
      const current = store.find(org, edit.sandbox, edit.collection, edit.id)?.doc;
      if (!current) throw notFound(edit.collection, edit.id);
      const ctx: WriteContext = {
        store,
        scope: store.scope(org, edit.sandbox),
        org,
        sandbox: edit.sandbox,
        user: edit.user ?? UI_USER,
        client: edit.client ?? UI_CLIENT,
        now: deps.now(),
      };
      produceRuns(ctx.scope, org, edit.sandbox, ctx.now, faults.config); // runs due before a UI disable still happen
      return clone(view(patchEntity(ctx, edit.collection, current, parsePatch(edit.ops, { ops: EDIT_OPS, removeNeedsValue: false }), { allowState: true, strictSelectors: false })));
    },
    issueToken: (opts = {}) => issuer.issue(opts.clientId ?? deps.defaultClientId, opts.ttlSeconds).token,
    addSandbox(name: string, orgId = deps.defaultOrg) {
      if (typeof name !== 'string' || !SANDBOX_NAME.test(name)) throw new RangeError(`addSandbox: "${String(name)}" is not a sandbox name (lowercase letters, digits and "-", starting with a letter)`);
      if (!ORG_ID.test(orgId)) throw new RangeError(`addSandbox: "${orgId}" is not an org id (<letters/digits>@AdobeOrg)`);
      const created = tenants.addSandbox(orgId, name);
      if (created) store.onChange(); // persisted with the state file
      return created;
    },
    sandboxes: (orgId = deps.defaultOrg) => tenants.sandboxesOf(orgId),
    addClient(clientId: string, orgId: string) {
      if (typeof clientId !== 'string' || clientId === '') throw new RangeError('addClient: clientId is required');
      if (typeof orgId !== 'string' || !ORG_ID.test(orgId)) throw new RangeError(`addClient: "${String(orgId)}" is not an org id (<letters/digits>@AdobeOrg)`);
      tenants.addClient(clientId, orgId);
      store.onChange();
    },
    addAudience(seed: AudienceSeed) {
      const org = seed?.orgId ?? deps.defaultOrg;
      if (typeof seed?.name !== 'string' || seed.name.trim() === '') throw new RangeError('addAudience: "name" must be a non-empty string');
      if (typeof seed.sandbox !== 'string' || !tenants.hasSandbox(org, seed.sandbox)) {
        throw new RangeError(`addAudience: org ${org} has no sandbox "${String(seed.sandbox)}" (add it with POST ${ADMIN_PREFIX}/sandboxes)`);
      }
      if (seed.id !== undefined && (typeof seed.id !== 'string' || seed.id === '')) throw new RangeError('addAudience: "id" must be a non-empty string when given');
      if (seed.type !== undefined && seed.type !== 'SegmentDefinition' && seed.type !== 'ExternalSegment') throw new RangeError('addAudience: "type" is SegmentDefinition or ExternalSegment');
      return audienceView(audiences.seed({ ...seed, name: seed.name.trim() }, deps.defaultOrg, deps.now()), { org, sandbox: seed.sandbox });
    },
    audiences: (sandbox: string, orgId = deps.defaultOrg) => audiences.list(orgId, sandbox).map((a) => audienceView(a, { org: orgId, sandbox })),
    snapshot: (opts = {}) => (opts.includeSecrets ? store.snapshot() : redacted(store.snapshot())),
    reset() {
      store.clear();
      log.reset();
      faults.reset();
    },
  };
}

export interface AdminResponse {
  status: number;
  body?: unknown;
}

function bad(message: string): ApiError {
  return new ApiError(400, { error: 'bad_request', message });
}

/** Routes `/__emulator/<what>`; `body` is parsed JSON. */
export function handleAdmin(admin: FullAdmin, method: string, what: string, body: unknown): AdminResponse {
  const route = `${method} ${what}`;
  try {
    switch (route) {
      case 'GET requests':
        return { status: 200, body: { items: admin.requests(), counters: admin.counters() } };
      case 'GET counters':
        return { status: 200, body: admin.counters() };
      case 'DELETE requests':
        admin.resetRequests();
        return { status: 204 };
      case 'GET faults':
        return { status: 200, body: admin.faults() };
      case 'PUT faults':
      case 'PATCH faults':
        return { status: 200, body: admin.setFaults((body ?? {}) as FaultsInput) };
      case 'POST edit':
        return { status: 200, body: admin.outOfBandEdit(body as OutOfBandEdit) };
      case 'POST tokens': {
        const opts = (body ?? {}) as { clientId?: string; ttlSeconds?: number };
        const ttl = opts.ttlSeconds ?? undefined;
        return { status: 200, body: { access_token: admin.issueToken(opts), token_type: 'bearer', ...(ttl !== undefined ? { expires_in: ttl } : {}) } };
      }
      case 'POST sandboxes': {
        const b = (body ?? {}) as { name?: string; orgId?: string };
        const created = admin.addSandbox(b.name as string, b.orgId);
        return { status: created ? 201 : 200, body: { name: b.name, created, sandboxes: admin.sandboxes(b.orgId) } };
      }
      case 'POST clients': {
        const b = (body ?? {}) as { clientId?: string; orgId?: string };
        admin.addClient(b.clientId as string, b.orgId as string);
        return { status: 201, body: { clientId: b.clientId, orgId: b.orgId } };
      }
      case 'POST audiences': {
        const seeds = (Array.isArray(body) ? body : [body]) as AudienceSeed[];
        return { status: 201, body: { audiences: seeds.map((s) => admin.addAudience(s)) } };
      }
      case 'GET state':
        return { status: 200, body: admin.snapshot() };
      case 'POST reset':
        admin.reset();
        return { status: 204 };
      default:
        return { status: 404, body: { error: 'not_found', message: `No admin route ${method} ${ADMIN_PREFIX}/${what}` } };
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof RangeError || err instanceof TypeError) throw bad(err.message);
    throw err;
  }
}

