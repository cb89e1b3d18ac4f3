// Managers in the plan: entities another manager owns are never written. A manifest whose name
// such an entity holds is a conflict (no create, no writes at that address) unless
// --force-conflicts, which takes the entity over visibly. Tags from before managers are ours and
// taken over once. See docs/concepts/several-writers.md "Managers".
import type { DesiredState } from '../domain/model.ts';
import type { Conflict } from '../domain/plan.ts';
import type { ByName } from './inventory.ts';
import type { SandboxCtx } from './context.ts';

/** The candidates a manifest may keep: ours first, then (with --force-conflicts) another manager's. */
export function candidates<T>(ctx: SandboxCtx, byName: ByName<T>, name: string): T[] {
  const ours = byName.ours.get(name) ?? [];
  return ctx.opts.forceConflicts ? [...ours, ...(byName.foreign.get(name) ?? [])] : ours;
}

/** Whether another manager holds this name and the manifest must not be written this time. */
export function inConflict<T>(ctx: SandboxCtx, byName: ByName<T>, name: string): boolean {
  return !ctx.opts.forceConflicts && (byName.foreign.get(name)?.length ?? 0) > 0;
}

/** The summary verb of a write that rewrites someone else's (or a pre-manager) tag, else undefined. */
export function takeover(ctx: SandboxCtx, entityId: string, what: string): string | undefined {
  const o = ctx.inv.owners.get(entityId);
  if (!o || o.owner === 'mine') return undefined;
  return o.owner === 'foreign' ? `take over ${what} from manager ${o.manager}` : `take over ${what} (tag written before managers)`;
}

/** Every entity of another manager that a manifest of this sandbox names and this plan does not take over. */
export function conflictsIn(ctx: SandboxCtx, desired: DesiredState): Conflict[] {
  const sb = ctx.inv.sandbox;
  const out: Conflict[] = [];
  const add = <T extends { id: string; name: string }>(byName: ByName<T>, names: string[], resource: 'account' | 'destination', entity: Conflict['entity']) => {
    for (const name of names) {
      for (const e of byName.foreign.get(name) ?? []) {
        if (ctx.claimed.has(e.id)) continue;
        out.push({ sandbox: sb, address: `${sb}/${resource}/${name}`, resource, entity, id: e.id, name: e.name, manager: ctx.inv.owners.get(e.id)?.manager ?? '' });
      }
    }
  };
  const accounts = desired.accounts.filter((a) => a.sandbox === sb).map((a) => a.name);
  const destinations = desired.destinations.filter((d) => d.sandbox === sb).map((d) => d.name);
  add(ctx.inv.accounts, accounts, 'account', 'base-connection');
  add(ctx.inv.targets, destinations, 'destination', 'target-connection');
  add(ctx.inv.flows, destinations, 'destination', 'flow');
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.id < b.id ? -1 : 1));
}
