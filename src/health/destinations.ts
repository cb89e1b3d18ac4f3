// Sync and health of every destination the manifests name, side by side: sync from the plan (does
// live match git?), health from the dataflow's runs (is it delivering?). Pure: the plan, the live
// state and the runs come in; `flowsync status` and the daemon render what comes out.
import type { DesiredDestination, DesiredState, LiveFlow, LiveSandbox, LiveState } from '../domain/model.ts';
import type { Plan } from '../domain/plan.ts';
import { destinationAddress } from '../plan/index.ts';
import { buildInventory } from '../plan/inventory.ts';
import { assessHealth, thresholdsOf, type HealthVerdict, type RunSummary } from './rule.ts';

export const SYNC_STATES = ['Synced', 'OutOfSync', 'Missing', 'Conflict'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export interface DestinationStatus extends HealthVerdict {
  sandbox: string;
  name: string;
  sync: SyncState;
  /** What the plan would do, when not Synced. */
  syncMessage?: string;
  /** Whether the manifest wants the dataflow enabled (a disabled one is expected to be Disabled). */
  enabled: boolean;
  flowId?: string;
  windowMs: number;
}

/** Runs by sandbox, then by flow id (src/health/runs.ts). */
export type RunsBySandbox = ReadonlyMap<string, ReadonlyMap<string, readonly RunSummary[]>>;

function syncOf(plan: Plan, d: DesiredDestination): { sync: SyncState; syncMessage?: string } {
  const address = destinationAddress(d.sandbox, d.name);
  const conflict = plan.conflicts.find((c) => c.address === address);
  if (conflict) return { sync: 'Conflict', syncMessage: `${conflict.entity} ${conflict.name} is managed by ${conflict.manager}` };
  const actions = plan.actions.filter((a) => a.address === address);
  if (actions.length === 0) return { sync: 'Synced' };
  const syncMessage = actions.map((a) => a.summary).join('; ');
  return { sync: actions.some((a) => a.type === 'create-flow') ? 'Missing' : 'OutOfSync', syncMessage };
}

/** The sandboxes to read runs in and how far back: the longest window of their destinations. */
export function runWindows(desired: DesiredState, sandbox?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of desired.destinations) {
    if (sandbox !== undefined && d.sandbox !== sandbox) continue;
    out.set(d.sandbox, Math.max(out.get(d.sandbox) ?? 0, thresholdsOf(d.health).windowMs));
  }
  return out;
}

type Inventory = ReturnType<typeof buildInventory>;

// The daemon's live-state cache hands out the same object for a sandbox that did not change
// (src/state/live-cache.ts): its inventory is not built again every cycle.
const inventories = new WeakMap<LiveSandbox, { manager: string; inventory: Inventory }>();

function inventoryOf(sandbox: string, live: LiveSandbox | undefined, manager: string): Inventory {
  if (!live) return buildInventory(sandbox, live, manager);
  const known = inventories.get(live);
  if (known?.manager === manager) return known.inventory;
  const inventory = buildInventory(sandbox, live, manager);
  inventories.set(live, { manager, inventory });
  return inventory;
}

export function destinationStatuses(input: {
  desired: DesiredState;
  live: LiveState;
  plan: Plan;
  runs: RunsBySandbox;
  manager: string;
  now: number;
  sandbox?: string;
}): DestinationStatus[] {
  const inventories = new Map<string, Inventory>();
  const flowOf = (d: DesiredDestination): LiveFlow | undefined => {
    let inv = inventories.get(d.sandbox);
    if (!inv) inventories.set(d.sandbox, (inv = inventoryOf(d.sandbox, input.live.sandboxes[d.sandbox], input.manager)));
    // another manager's flow still says whether profiles flow (sync says Conflict)
    return inv.flows.ours.get(d.name)?.[0] ?? inv.flows.foreign.get(d.name)?.[0];
  };
  return input.desired.destinations
    .filter((d) => input.sandbox === undefined || d.sandbox === input.sandbox)
    .map((d) => {
      const flow = flowOf(d);
      const thresholds = thresholdsOf(d.health);
      const runs = flow ? (input.runs.get(d.sandbox)?.get(flow.id) ?? []) : [];
      const verdict = assessHealth({ flowState: flow?.state, runs, now: input.now, thresholds });
      return { sandbox: d.sandbox, name: d.name, ...syncOf(input.plan, d), enabled: d.enabled, ...(flow ? { flowId: flow.id } : {}), windowMs: thresholds.windowMs, ...verdict };
    });
}

/**
 * `flowsync status` exit codes, the worst that applies: 0 every destination Synced and Healthy (or
 * Disabled as its manifest asks), 2 one is not Synced, 3 one is Degraded or Unknown (or Disabled
 * though its manifest enables it), 4 one is Failed. 1 is an error (nothing could be assessed).
 */
export function statusExitCode(rows: readonly Pick<DestinationStatus, 'sync' | 'health' | 'enabled'>[]): 0 | 2 | 3 | 4 {
  let code: 0 | 2 | 3 | 4 = 0;
  for (const r of rows) {
    const expectedOff = r.health === 'Disabled' && !r.enabled;
    const c = r.health === 'Failed' ? 4 : r.health !== 'Healthy' && !expectedOff ? 3 : r.sync !== 'Synced' ? 2 : 0;
    if (c > code) code = c;
  }
  return code;
}
