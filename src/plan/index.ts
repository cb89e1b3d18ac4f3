// The planner: desired state (manifests) + live state (API) -> Plan. Pure: no I/O, no clock, no
// logger, no randomness; equal inputs give equal plans. See docs/concepts/plans-and-exit-codes.md.
import type { DesiredState, LiveSandbox, LiveState } from '../domain/model.ts';
import type { Action, Conflict, LabelChange, Orphan, Plan, UnownedEntity } from '../domain/plan.ts';
import { PLAN_FORMAT_VERSION } from '../domain/plan.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { hasUnresolvedNames } from './audiences.ts';
import { PROFILE_STORE_SPEC_ID } from '../domain/specs.ts';
import { buildInventory, byId, tagOf } from './inventory.ts';
import { conflictsIn } from './owners.ts';
import { newCtx, type Ctx, type PlanOptions, type SandboxCtx } from './context.ts';
import { accountAddress, planAccountInSandbox } from './account.ts';
import { destinationAddress, planDestinationInSandbox } from './destination.ts';
import { planProfileStore } from './profile-store.ts';
import { planPrune } from './prune.ts';
import { linkDeletions, orderActions, summarize } from './order.ts';

export type { PlanOptions } from './context.ts';
export { accountAddress } from './account.ts';
export { destinationAddress } from './destination.ts';
export { profileStoreAddress } from './profile-store.ts';
export { accountHash, targetHash, flowHash } from '../domain/owner-tag.ts';

function sandboxesOf(desired: DesiredState, live: LiveState): string[] {
  const all = new Set([...desired.sandboxes, ...desired.accounts.map((a) => a.sandbox), ...desired.destinations.map((d) => d.sandbox), ...Object.keys(live.sandboxes)]);
  return [...all].sort();
}

function unownedIn(sandbox: string, live: LiveSandbox, ctx: Ctx): UnownedEntity[] {
  const out: UnownedEntity[] = [];
  const free = (id: string) => !ctx.claimed.has(id);
  for (const b of [...live.baseConnections].sort(byId)) {
    const tag = tagOf(b.description);
    const owned = b.specId === PROFILE_STORE_SPEC_ID ? tag?.kind === 'profile-store' : tag?.kind === 'account' && !!tag.name;
    if (!owned && free(b.id)) out.push({ sandbox, resource: 'base-connection', id: b.id, name: b.name });
  }
  for (const t of [...live.targetConnections].sort(byId)) {
    const tag = tagOf(t.description);
    if (!(tag?.kind === 'destination' && tag.name) && free(t.id)) out.push({ sandbox, resource: 'target-connection', id: t.id, name: t.name });
  }
  for (const f of [...live.flows].sort(byId)) {
    const tag = tagOf(f.description);
    if (!(tag?.kind === 'destination' && tag.name) && free(f.id)) out.push({ sandbox, resource: 'flow', id: f.id, name: f.name });
  }
  return out;
}

/**
 * The desired state cut by sandbox, each part keeping the full sandbox list: the planner and its
 * checks look at one sandbox at a time, and filtering the whole state per sandbox (and per
 * account) made planning quadratic in the number of sandboxes.
 */
function bySandbox(desired: DesiredState): (sandbox: string) => DesiredState {
  const parts = new Map<string, DesiredState>();
  const part = (sandbox: string): DesiredState => {
    let p = parts.get(sandbox);
    if (!p) parts.set(sandbox, (p = { ...desired, accounts: [], destinations: [] }));
    return p;
  };
  for (const a of desired.accounts) part(a.sandbox).accounts.push(a);
  for (const d of desired.destinations) part(d.sandbox).destinations.push(d);
  return part;
}

/** `desired` holds this sandbox's accounts and destinations only (see bySandbox). */
function planSandbox(desired: DesiredState, opts: PlanOptions, sandbox: string, live: LiveSandbox | undefined, blocked: Map<string, string>): SandboxCtx {
  const inv = buildInventory(sandbox, live, opts.manager);
  const sctx: SandboxCtx = { ...newCtx(desired, opts), inv, accounts: new Map(), blocked, needsProfileStore: [] };
  for (const a of desired.accounts) sctx.accounts.set(a.name, planAccountInSandbox(sctx, a));
  for (const d of desired.destinations) planDestinationInSandbox(sctx, d);
  planProfileStore(sctx);
  planPrune(sctx);
  linkDeletions(sctx.actions, inv.live);
  sctx.conflicts.push(...conflictsIn(sctx, desired));
  return sctx;
}

/**
 * Deletions the API would refuse because something this plan keeps still uses the entity (a
 * replace next to a dataflow flowsync does not own, say). Their addresses are held back and the
 * sandbox is planned again, so a plan never takes a destination down half-way.
 */
function refusedDeletes(sctx: SandboxCtx): Map<string, string> {
  const refused = new Map<string, string>();
  // Usually nothing is deleted: then there is no need to index who uses what.
  if (!sctx.actions.some((a) => a.type.startsWith('delete-'))) return refused;
  const live = sctx.inv.live;
  const kept = <T extends { id: string }>(list: T[]) => list.filter((e) => !sctx.deleted.has(e.id)).sort(byId);
  const users: { id: string; name: string; refs: string[] }[] = [
    ...kept(live.flows).map((f) => ({ id: f.id, name: `dataflow ${f.name}`, refs: [...f.targetConnectionIds, ...f.sourceConnectionIds] })),
    ...kept(live.targetConnections).map((t) => ({ id: t.id, name: `target connection ${t.name}`, refs: [t.baseConnectionId] })),
    ...kept(live.sourceConnections).map((c) => ({ id: c.id, name: `source connection ${c.name}`, refs: [c.baseConnectionId] })),
  ];
  const firstUser = new Map<string, (typeof users)[number]>();
  for (const u of users) for (const ref of u.refs) if (!firstUser.has(ref)) firstUser.set(ref, u);
  for (const a of sctx.actions) {
    if (!a.type.startsWith('delete-') || !('entityId' in a)) continue;
    const user = firstUser.get(a.entityId);
    if (user && !refused.has(a.address)) refused.set(a.address, `${a.address}: ${a.summary} is held back: ${user.name} (${user.id}) still uses it; remove or re-point it first.`);
  }
  return refused;
}

/** One sandbox's share of a plan, as planChanges gathers it. */
export interface SandboxPlan {
  actions: Action[];
  drift: Plan['drift'];
  labels: LabelChange[];
  warnings: string[];
  unowned: UnownedEntity[];
  conflicts: Conflict[];
  orphans: Orphan[];
}

/**
 * Sandboxes planned before from the same inputs (the daemon's steady cycles; see
 * src/reconcile/plan-memo.ts). `get` must answer only what planning the sandbox again would give.
 */
export interface SandboxPlanMemo {
  get(sandbox: string): SandboxPlan | undefined;
  set(sandbox: string, part: SandboxPlan): void;
}

/** `desired` holds this sandbox's accounts and destinations only (see bySandbox). */
function planSandboxPart(desired: DesiredState, opts: PlanOptions, sandbox: string, live: LiveSandbox | undefined): SandboxPlan {
  const blocked = new Map<string, string>();
  let sctx = planSandbox(desired, opts, sandbox, live, blocked);
  // Each round holds back at least one more address (there are finitely many), so this ends.
  for (;;) {
    const fresh = [...refusedDeletes(sctx)].filter(([address]) => !blocked.has(address));
    if (fresh.length === 0) break;
    for (const [address, reason] of fresh) blocked.set(address, reason);
    sctx = planSandbox(desired, opts, sandbox, live, blocked);
  }
  return { actions: orderActions(sctx.actions), drift: sctx.drift, labels: sctx.labels, warnings: sctx.warnings, unowned: unownedIn(sandbox, sctx.inv.live, sctx), conflicts: sctx.conflicts, orphans: sctx.orphans };
}

/** Every action needed to make live match desired, in execution order. */
export function planChanges(desired: DesiredState, live: LiveState, opts: PlanOptions, memo?: SandboxPlanMemo): Plan {
  // A segment known only by name would look absent and its live selector would be removed.
  if (hasUnresolvedNames(desired)) throw new FlowsyncError('FS_INTERNAL', 'segments named by audience name reached the planner unresolved (resolveAudiences was not called)');
  const ctx = newCtx(desired, opts);
  const sandboxes = sandboxesOf(desired, live);
  const unowned: UnownedEntity[] = [];
  const conflicts: Conflict[] = [];
  const orphans: Orphan[] = [];
  const ordered: Action[] = [];
  const desiredIn = bySandbox(desired);
  for (const sandbox of sandboxes) {
    let part = memo?.get(sandbox);
    if (!part) {
      part = planSandboxPart(desiredIn(sandbox), opts, sandbox, live.sandboxes[sandbox]);
      memo?.set(sandbox, part);
    }
    for (const a of part.actions) ordered.push(a);
    ctx.drift.push(...part.drift);
    ctx.labels.push(...part.labels);
    ctx.warnings.push(...part.warnings);
    unowned.push(...part.unowned);
    conflicts.push(...part.conflicts);
    orphans.push(...part.orphans);
  }
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: opts.createdAt,
    ...(opts.org !== undefined ? { org: opts.org } : {}),
    ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
    prune: opts.prune,
    manager: opts.manager,
    sandboxes,
    actions: ordered,
    drift: ctx.drift,
    ...(ctx.labels.length > 0 ? { labels: ctx.labels } : {}),
    unowned,
    conflicts,
    orphans,
    warnings: ctx.warnings,
    summary: summarize(ordered, { orphan: orphans.length, conflict: conflicts.length }),
  };
}

/**
 * The actions for ONE destination (its target connection and dataflow, including prune deletions
 * of that name), recomputed against fresh live data. Apply calls it after a 412: it puts the
 * re-read entity into `live` (see `withLiveEntity`) and swaps the destination's remaining actions
 * for these. Ids are the ones `planChanges` gives, so `dependsOn` on actions of other addresses
 * (e.g. a create-account already done) can be matched or treated as satisfied.
 */
export function planDestination(desired: DesiredState, live: LiveState, target: { sandbox: string; destination: string }, opts: PlanOptions): Action[] {
  const address = destinationAddress(target.sandbox, target.destination);
  return planChanges(desired, live, opts).actions.filter((a) => a.address === address);
}

/** The actions for ONE account's base connection, recomputed against fresh live data (see planDestination). */
export function planAccount(desired: DesiredState, live: LiveState, target: { sandbox: string; account: string }, opts: PlanOptions): Action[] {
  const address = accountAddress(target.sandbox, target.account);
  return planChanges(desired, live, opts).actions.filter((a) => a.address === address);
}

type EntityKind = 'baseConnections' | 'sourceConnections' | 'targetConnections' | 'flows';

/** A copy of `live` with one entity replaced (or added, or removed when `entity` is null). Pure. */
export function withLiveEntity<K extends EntityKind>(live: LiveState, sandbox: string, kind: K, id: string, entity: LiveSandbox[K][number] | null): LiveState {
  const sb = live.sandboxes[sandbox] ?? { baseConnections: [], sourceConnections: [], targetConnections: [], flows: [] };
  const list = (sb[kind] as { id: string }[]).filter((e) => e.id !== id);
  if (entity) list.push(entity);
  return { sandboxes: { ...live.sandboxes, [sandbox]: { ...sb, [kind]: list } } };
}
