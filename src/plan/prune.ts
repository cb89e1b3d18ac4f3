// Owned entities no manifest claims: second copies of a claimed one (duplicates) are deleted with
// or without --prune; those whose manifest is gone (orphans) are listed, and deleted only with
// --prune. Both in reverse dependency order, never while something that stays uses them, and
// never another manager's (the inventory holds those apart).
import type { DeleteAction, Orphan } from '../domain/plan.ts';
import { isOurs } from '../domain/owner-tag.ts';
import { byId, tagOf, WRITABLE_STATES } from './inventory.ts';
import { accountAddress } from './account.ts';
import { destinationAddress } from './destination.ts';
import { profileStoreAddress } from './profile-store.ts';
import type { SandboxCtx } from './context.ts';

type Removal = Omit<DeleteAction, 'id' | 'change' | 'origin' | 'sandbox' | 'dependsOn'> & { idBase: string; state: string };

function uniqueId(taken: Set<string>, base: string, entityId: string, perEntity: boolean): string {
  const plain = `${base}/delete`;
  const id = perEntity || taken.has(plain) ? `${base}/${entityId}/delete` : plain;
  taken.add(id);
  return id;
}

function remove(ctx: SandboxCtx, taken: Set<string>, origin: 'prune' | 'duplicate', fields: Removal): void {
  const { idBase, state: _state, ...rest } = fields;
  const held = ctx.blocked.get(rest.address);
  if (held) {
    ctx.warnings.push(held);
    return;
  }
  if (!WRITABLE_STATES.has(fields.state)) {
    ctx.warnings.push(`${rest.address}: ${rest.summary} waits: the entity is ${fields.state}.`);
    return;
  }
  const id = uniqueId(taken, idBase, rest.entityId, origin === 'duplicate');
  ctx.actions.push({ ...rest, id, change: 'delete', origin, sandbox: ctx.inv.sandbox, dependsOn: [] });
  ctx.deleted.add(rest.entityId);
}

interface Stale {
  resource: Orphan['resource'];
  entity: Orphan['entity'];
  address: string;
  /** Whether a manifest of that name exists here (then the entity is a duplicate). */
  wanted: boolean;
  live: { id: string; name: string };
  /** What still uses the entity, when something does. */
  user: string | undefined;
  removal: Removal;
}

function settle(ctx: SandboxCtx, taken: Set<string>, gone: Set<string>, s: Stale): void {
  const label = `${s.address}: ${s.entity.replace('-', ' ')} ${s.live.id}`;
  if (s.wanted) {
    if (s.user) ctx.warnings.push(`${label} is a duplicate of the entity flowsync manages, kept: ${s.user} still uses it.`);
    else remove(ctx, taken, 'duplicate', { ...s.removal, summary: s.removal.summary.replace(/^delete /, 'delete duplicate ') + ` (${s.live.id})` });
  } else if (!ctx.opts.prune) {
    const reason = ctx.desired.sandboxes.includes(ctx.inv.sandbox) ? 'no-manifest' : 'sandbox-not-in-config';
    ctx.orphans.push({ sandbox: ctx.inv.sandbox, address: s.address, resource: s.resource, entity: s.entity, id: s.live.id, name: s.live.name, reason });
    gone.add(s.live.id);
    return;
  } else if (s.user) ctx.warnings.push(`${label} has no manifest any more but is kept: ${s.user} still uses it.`);
  else remove(ctx, taken, 'prune', s.removal);
  if (ctx.deleted.has(s.live.id)) gone.add(s.live.id);
}

const byKey = <T>([a]: [string, T], [b]: [string, T]) => (a < b ? -1 : a > b ? 1 : 0);

export function planPrune(ctx: SandboxCtx): void {
  const sb = ctx.inv.sandbox;
  const live = ctx.inv.live;
  const taken = new Set(ctx.actions.map((a) => a.id));
  /** Deleted by this plan or listed as orphans. */
  const gone = new Set(ctx.deleted);
  const destinations = new Set(ctx.desired.destinations.filter((d) => d.sandbox === sb).map((d) => d.name));
  const accounts = new Set(ctx.desired.accounts.filter((a) => a.sandbox === sb).map((a) => a.name));
  const stale = (id: string) => !ctx.claimed.has(id) && !ctx.deleted.has(id);
  // What still uses an entity: anything this plan does not delete. The Profile Store pair is an
  // orphan once everything else is gone, orphans included (what `--prune` would delete).
  const left = <T extends { id: string }>(list: T[]) => list.filter((e) => !ctx.deleted.has(e.id)).sort(byId);
  const afterPrune = <T extends { id: string }>(list: T[]) => list.filter((e) => !gone.has(e.id));
  const uses = (e: { id: string; name: string } | undefined, what: string) => (e ? `${what} ${e.name} (${e.id})` : undefined);

  for (const [name, flows] of [...ctx.inv.flows.ours].sort(byKey)) {
    const address = destinationAddress(sb, name);
    for (const f of flows.filter((f) => stale(f.id))) {
      settle(ctx, taken, gone, {
        resource: 'destination', entity: 'flow', address, wanted: destinations.has(name), live: f, user: undefined,
        removal: { type: 'delete-flow', address, idBase: `${address}/flow`, summary: `delete dataflow ${f.name}`, entityId: f.id, etag: f.etag, name: f.name, state: f.state },
      });
    }
  }
  for (const [name, tcs] of [...ctx.inv.targets.ours].sort(byKey)) {
    const address = destinationAddress(sb, name);
    for (const t of tcs.filter((t) => stale(t.id))) {
      settle(ctx, taken, gone, {
        resource: 'destination', entity: 'target-connection', address, wanted: destinations.has(name), live: t,
        user: uses(left(live.flows).find((f) => f.targetConnectionIds.includes(t.id)), 'dataflow'),
        removal: { type: 'delete-target-connection', address, idBase: `${address}/target-connection`, summary: `delete target connection ${t.name}`, entityId: t.id, etag: t.etag, name: t.name, state: t.state },
      });
    }
  }
  for (const [name, bases] of [...ctx.inv.accounts.ours].sort(byKey)) {
    const address = accountAddress(sb, name);
    for (const b of bases.filter((b) => stale(b.id))) {
      const user = left(live.targetConnections).find((t) => t.baseConnectionId === b.id);
      const source = left(live.sourceConnections).find((s) => s.baseConnectionId === b.id);
      settle(ctx, taken, gone, {
        resource: 'account', entity: 'base-connection', address, wanted: accounts.has(name), live: b,
        user: uses(user, 'target connection') ?? uses(source, 'source connection'),
        removal: { type: 'delete-account', address, idBase: `${address}/base-connection`, summary: `delete account ${b.name}`, entityId: b.id, etag: b.etag, name: b.name, state: b.state },
      });
    }
  }
  // The Profile Store pair goes only when the sandbox has no destinations left and nothing reads from it.
  if (destinations.size > 0) return;
  const address = profileStoreAddress(sb);
  const ours = (description: string) => { const tag = tagOf(description); return tag?.kind === 'profile-store' && isOurs(tag, ctx.opts.manager); };
  for (const s of ctx.inv.profileSources.filter((s) => ours(s.description))) {
    if (afterPrune(live.flows).some((f) => f.sourceConnectionIds.includes(s.id))) continue;
    settle(ctx, taken, gone, {
      resource: 'profile-store', entity: 'source-connection', address, wanted: false, live: s, user: undefined,
      removal: { type: 'delete-profile-store', resource: 'source-connection', address, idBase: `${address}/source-connection`, summary: `delete Profile Store source connection ${s.name}`, entityId: s.id, etag: s.etag, name: s.name, state: s.state },
    });
  }
  for (const b of ctx.inv.profileBases.filter((b) => ours(b.description))) {
    if (afterPrune(live.sourceConnections).some((s) => s.baseConnectionId === b.id) || afterPrune(live.targetConnections).some((t) => t.baseConnectionId === b.id)) continue;
    settle(ctx, taken, gone, {
      resource: 'profile-store', entity: 'base-connection', address, wanted: false, live: b, user: undefined,
      removal: { type: 'delete-profile-store', resource: 'base-connection', address, idBase: `${address}/base-connection`, summary: `delete Profile Store base connection ${b.name}`, entityId: b.id, etag: b.etag, name: b.name, state: b.state },
    });
  }
}
