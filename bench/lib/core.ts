// flowsync's reconcile core called in-process (no CLI): load + validate, read live state, plan,
// apply. Used to seed the emulator with real flowsync entities (ownership tags and all) and by the
// scenarios that measure the core itself.
import { FlowServiceClient, type FlowServiceClientOptions } from '../../src/api/index.ts';
import { applyPlan, type ApplyResult } from '../../src/apply/index.ts';
import type { Plan } from '../../src/domain/plan.ts';
import { loadRepo, type LoadedRepo } from '../../src/manifest/index.ts';
import { planChanges } from '../../src/plan/index.ts';
import { resolveAudiences } from '../../src/reconcile/audiences.ts';
import { readLiveState } from '../../src/state/index.ts';

export interface ClientTarget {
  endpoint: string;
  imsEndpoint: string;
  orgId: string;
  clientId: string;
  clientSecret: string;
}

/** The target from the FLOWSYNC_* variables a bench step receives (see bench/lib/emulator.ts). */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): ClientTarget {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`bench step: ${name} is not set`);
    return v;
  };
  return {
    endpoint: need('FLOWSYNC_ENDPOINT'),
    imsEndpoint: need('FLOWSYNC_IMS_ENDPOINT'),
    orgId: need('FLOWSYNC_ORG_ID'),
    clientId: need('FLOWSYNC_CLIENT_ID'),
    clientSecret: need('FLOWSYNC_CLIENT_SECRET'),
  };
}

export function newClient(t: ClientTarget, concurrency?: number, extra: Partial<FlowServiceClientOptions> = {}): FlowServiceClient {
  return new FlowServiceClient({ ...t, ...(concurrency ? { concurrency } : {}), ...extra });
}

/** Loads and validates a repo; throws with the first errors when it is not valid. */
export async function loadValid(dir: string, env: NodeJS.ProcessEnv): Promise<LoadedRepo> {
  const loaded = await loadRepo(dir, { env });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const shown = errors.slice(0, 5).map((d) => `${d.file ?? ''}:${d.line ?? ''} ${d.code} ${d.summary}`);
    throw new Error(`the repo at ${dir} does not validate (${errors.length} errors):\n${shown.join('\n')}`);
  }
  return loaded;
}

export async function planFor(loaded: LoadedRepo, client: FlowServiceClient, forceConflicts = false): Promise<Plan> {
  // Segments named by audience name become ids first, as every CLI and daemon path does before planning.
  const { desired, diagnostics } = await resolveAudiences(client, loaded.desired);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`audiences: ${errors.map((d) => `${d.file ?? ''}:${d.line ?? ''} ${d.summary}`).slice(0, 5).join('; ')}`);
  const live = await readLiveState(client, desired.sandboxes);
  return planChanges(desired, live, { prune: false, createdAt: new Date().toISOString(), manager: loaded.manager, ...(forceConflicts ? { forceConflicts } : {}) });
}

/** One reconcile: plan against live, apply it, and fail loudly when any action did not succeed. */
export async function reconcile(loaded: LoadedRepo, client: FlowServiceClient, concurrency = 4, forceConflicts = false): Promise<{ plan: Plan; result: ApplyResult }> {
  const plan = await planFor(loaded, client, forceConflicts);
  const result = await applyPlan(plan, { client, secrets: loaded.secrets, concurrency });
  const bad = result.outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped');
  if (bad.length) throw new Error(`apply: ${bad.length} actions did not succeed, e.g. ${bad[0]!.address}: ${bad[0]!.error?.message ?? bad[0]!.status}`);
  return { plan, result };
}

/** Loads `dir` and reconciles the target with it (in-process); returns how many actions it took. */
export async function applyDir(dir: string, env: NodeJS.ProcessEnv, target: ClientTarget, concurrency = 4, extra: Partial<FlowServiceClientOptions> = {}, forceConflicts = false): Promise<number> {
  const client = newClient(target, concurrency, extra);
  try {
    const { plan } = await reconcile(await loadValid(dir, env), client, concurrency, forceConflicts);
    return plan.actions.length;
  } finally {
    client.close();
  }
}
