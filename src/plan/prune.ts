// Owned entities that no manifest claims any more (or duplicates of one that is claimed): deleted
// only with --prune, in reverse dependency order, and never while something that stays uses them.
import type { DeleteAction } from '../domain/plan.ts';
import { byId, tagOf, WRITABLE_STATES } from './inventory.ts';
import { accountAddress } from './account.ts';
import { destinationAddress } from './destination.ts';
import { profileStoreAddress } from './profile-store.ts';
import type { SandboxCtx } from './context.ts';

function uniqueId(taken: Set<string>, base: string, entityId: string): string {
  const plain = `${base}/delete`;
  const id = taken.has(plain) ? `${base}/${entityId}/delete` : plain;
  taken.add(id);
  return id;
}

function remove(ctx: SandboxCtx, taken: Set<string>, fields: Omit<DeleteAction, 'id' | 'change' | 'origin' | 'sandbox' | 'dependsOn'> & { idBase: string; state: string }): void {
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
  ctx.actions.push({ ...rest, id: uniqueId(taken, idBase, rest.entityId), change: 'delete', origin: 'prune', sandbox: ctx.inv.sandbox, dependsOn: [] });
  ctx.deleted.add(rest.entityId);
}

function note(ctx: SandboxCtx, what: string, why: string): void {
  ctx.warnings.push(ctx.opts.prune ? `${what} is kept: ${why}.` : `${what} ${why}; run with --prune to delete it.`);
}

export function planPrune(ctx: SandboxCtx): void {
  const sb = ctx.inv.sandbox;
  const live = ctx.inv.live;
  const taken = new Set(ctx.actions.map((a) => a.id));
  const destinations = new Set(ctx.desired.destinations.filter((d) => d.sandbox === sb).map((d) => d.name));
  const stale = (id: string) => !ctx.claimed.has(id) && !ctx.deleted.has(id);
  const reason = (name: string, wanted: Set<string>) => (wanted.has(name) ? 'is a duplicate of the entity flowsync manages' : 'has no manifest any more');

  for (const [name, flows] of [...ctx.inv.flows].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const f of flows.filter((f) => stale(f.id))) {
      const addr = destinationAddress(sb, name);
      if (!ctx.opts.prune) { note(ctx, `${addr}: dataflow ${f.id}`, reason(name, destinations)); continue; }
      remove(ctx, taken, { type: 'delete-flow', address: addr, idBase: `${addr}/flow`, summary: `delete dataflow ${f.name}`, entityId: f.id, etag: f.etag, name: f.name, state: f.state });
    }
  }
  const flowsLeft = live.flows.filter((f) => !ctx.deleted.has(f.id)).sort(byId);
  for (const [name, tcs] of [...ctx.inv.targets].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const t of tcs.filter((t) => stale(t.id))) {
      const addr = destinationAddress(sb, name);
      if (!ctx.opts.prune) { note(ctx, `${addr}: target connection ${t.id}`, reason(name, destinations)); continue; }
      const user = flowsLeft.find((f) => f.targetConnectionIds.includes(t.id));
      if (user) { note(ctx, `${addr}: target connection ${t.id}`, `${reason(name, destinations)} but dataflow ${user.name} (${user.id}) still uses it`); continue; }
      remove(ctx, taken, { type: 'delete-target-connection', address: addr, idBase: `${addr}/target-connection`, summary: `delete target connection ${t.name}`, entityId: t.id, etag: t.etag, name: t.name, state: t.state });
    }
  }
  const tcsLeft = live.targetConnections.filter((t) => !ctx.deleted.has(t.id)).sort(byId);
  const accounts = new Set(ctx.desired.accounts.filter((a) => a.sandbox === sb).map((a) => a.name));
  for (const [name, bases] of [...ctx.inv.accounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const b of bases.filter((b) => stale(b.id))) {
      const addr = accountAddress(sb, name);
      if (!ctx.opts.prune) { note(ctx, `${addr}: base connection ${b.id}`, reason(name, accounts)); continue; }
      const user = tcsLeft.find((t) => t.baseConnectionId === b.id) ?? [...live.sourceConnections].sort(byId).find((s) => s.baseConnectionId === b.id);
      if (user) { note(ctx, `${addr}: base connection ${b.id}`, `${reason(name, accounts)} but ${user.name} (${user.id}) still uses it`); continue; }
      remove(ctx, taken, { type: 'delete-account', address: addr, idBase: `${addr}/base-connection`, summary: `delete account ${b.name}`, entityId: b.id, etag: b.etag, name: b.name, state: b.state });
    }
  }
  // The Profile Store pair goes only when the sandbox has no destinations left and nothing reads from it.
  if (!ctx.opts.prune || destinations.size > 0) return;
  const addr = profileStoreAddress(sb);
  const owned = (description: string) => tagOf(description)?.kind === 'profile-store';
  for (const s of ctx.inv.profileSources.filter((s) => owned(s.description))) {
    if (flowsLeft.some((f) => f.sourceConnectionIds.includes(s.id))) continue;
    remove(ctx, taken, { type: 'delete-profile-store', resource: 'source-connection', address: addr, idBase: `${addr}/source-connection`, summary: `delete Profile Store source connection ${s.name}`, entityId: s.id, etag: s.etag, name: s.name, state: s.state });
  }
  const sourcesLeft = live.sourceConnections.filter((s) => !ctx.deleted.has(s.id));
  for (const b of ctx.inv.profileBases.filter((b) => owned(b.description))) {
    if (sourcesLeft.some((s) => s.baseConnectionId === b.id) || tcsLeft.some((t) => t.baseConnectionId === b.id)) continue;
    remove(ctx, taken, { type: 'delete-profile-store', resource: 'base-connection', address: addr, idBase: `${addr}/base-connection`, summary: `delete Profile Store base connection ${b.name}`, entityId: b.id, etag: b.etag, name: b.name, state: b.state });
  }
}
