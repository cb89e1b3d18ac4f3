// One daemon cycle: load the revision, stop on invalid manifests or suspend, read live state,
// plan, refuse a mass deletion, apply (unless observing), read the runs, and report every entity's
// condition and every destination's activation health.
// Level-based: what is kept from earlier cycles (the API client and its token, parsed manifests, and
// for steady interval cycles the org's entities and unchanged sandboxes' plans, see steady.ts) only
// saves work; a full read at least every daemon.resync, and before any write, sees the org afresh.
import { createHash } from 'node:crypto';
import { FlowServiceClient, type ClientEvent } from '../api/index.ts';
import type { BreakerState } from '../api/limits.ts';
import type { ApplyResult } from '../apply/index.ts';
import type { ActivationStatus, CycleDrift, CycleInput, CycleOutcome, CycleRead, EntityStatus, Reconcile } from './contract.ts';
import { hasErrors, type Diagnostic } from '../domain/diagnostics.ts';
import { FlowsyncError, isFlowsyncError } from '../domain/errors.ts';
import type { LiveState } from '../domain/model.ts';
import type { Plan } from '../domain/plan.ts';
import type { LeaseEvent } from '../lease/index.ts';
import { destinationStatuses, runWindows } from '../health/destinations.ts';
import { readRunsBySandbox } from '../health/runs.ts';
import { loadRepo, ParseCache, type LoadedRepo } from '../manifest/index.ts';
import { loadRepoSecretsOptional } from '../manifest/secrets-optional.ts';
import { accountAddress, destinationAddress } from '../plan/index.ts';
import { clientOptions, type ConnectFlags } from './connect.ts';
import { checkDeletions } from './deletion-check.ts';
import { resolveAudiences, type AudienceCache } from './audiences.ts';
import { makePlan, readLive, scanFor, type PlanInput } from './reconcile.ts';
import { writePass, type WritePassOutcome } from './writer.ts';
import { effectiveTarget, orgOf } from './target.ts';
import { SteadyCycles } from './steady.ts';

export interface CycleDeps {
  env: NodeJS.ProcessEnv;
  connect: ConnectFlags;
  allowMassDelete: boolean;
  onClientEvent?: (e: ClientEvent) => void;
  /** Lease taken, waited for, renewed, lost, released: for the log. */
  onLeaseEvent?: (e: LeaseEvent) => void;
  now?: () => Date;
}

/** A revision whose manifests are invalid (or name segments that are no audiences) is not in force. */
function invalid(diagnostics: readonly Diagnostic[], revision: string, hint: string): CycleOutcome {
  return {
    result: 'invalid',
    entities: [],
    changes: [],
    drift: [],
    diagnostics: diagnostics.filter((d) => d.severity === 'error').map((d) => ({ summary: `${d.code} ${d.summary}`, ...(d.file ? { file: d.file } : {}), ...(d.line ? { line: d.line } : {}) })),
    error: { code: 'FS_MANIFEST_INVALID', message: `revision ${revision} has invalid manifests; the last good revision stays in force`, hint },
    apiReachable: true,
  };
}

export function createCycle(deps: CycleDeps): Reconcile {
  const clients = new ClientCache(deps);
  // Across cycles, a manifest file whose bytes did not change is not parsed or validated again.
  const parseCache = new ParseCache();
  // Across interval cycles, live entities that did not change are not read or planned again (steady.ts).
  const steady = new SteadyCycles();
  const clock = deps.now ?? (() => new Date());
  /** Audiences, live state and the plan; light: segment ids checked only where names are resolved, live state read light. */
  const planPass = async (loaded: LoadedRepo, client: FlowServiceClient, light: boolean, revision: string, audiences: AudienceCache, signal: AbortSignal): Promise<Planned | { outcome: CycleOutcome }> => {
    const reads = steady.pass(!light, revision, () => clock().getTime());
    // Audience lists are read afresh every cycle (a cache per cycle): renames and new audiences count
    // at once, and a light pass that starts over in full does not walk the same sandboxes again.
    let resolved: Awaited<ReturnType<typeof resolveAudiences>>;
    try {
      resolved = await resolveAudiences(client, loaded.desired, audiences, { checkIds: !light });
    } catch (err) {
      return { outcome: failed(loaded, err) };
    }
    if (hasErrors(resolved.diagnostics)) return { outcome: invalid(resolved.diagnostics, revision, 'Run `flowsync plan` on that revision: it names each segment that is no audience of its sandbox.') };
    const repo: LoadedRepo = { ...loaded, desired: resolved.desired };
    const planInput: PlanInput = { desired: repo.desired, prune: repo.config.reconcile.prune, now: clock(), revision, manager: repo.manager, ...orgOf(effectiveTarget(repo.config, deps.env, deps.connect)) };
    const read = () => readLive(client, repo.desired, repo.config.reconcile.concurrency, scanFor(repo), { readState: reads.readState });
    let live: LiveState;
    const breakerWasClosed = clients.breaker === 'closed';
    try {
      live = await read();
    } catch (err) {
      // A half-open circuit breaker lets one probe through and refuses the reads sent beside it.
      // When that probe closes the breaker, the API is back: read again rather than fail the cycle
      // and wait a whole back-off (up to the interval) for the next one.
      if (breakerWasClosed || !isFlowsyncError(err, 'FS_API_BUDGET') || (await clients.breakerSettled(signal)) !== 'closed') return { outcome: failed(repo, err) };
      try {
        live = await read();
      } catch (again) {
        return { outcome: failed(repo, again) };
      }
    }
    return { repo, planInput, live, plan: makePlan(planInput, live, reads.memo) };
  };
  /** The plan of a cycle checked, reported or applied. */
  const afterPlan = async (pass: Planned, input: CycleInput, client: FlowServiceClient, signal: AbortSignal): Promise<CycleOutcome> => {
    const { repo, planInput, live, plan } = pass;
    const { refusals } = checkDeletions(plan, live, repo.config, { allowMassDelete: deps.allowMassDelete, now: planInput.now.getTime(), manager: repo.manager });
    if (refusals.length > 0) {
      // Like an invalid one, a refused revision is not in force: its view of the entities (and of
      // drift against it) would hide the live entities it meant to delete, so it reports none.
      return refused(refusals[0]!.code, `${refusals.map((r) => r.message).join('; ')}; nothing was applied`);
    }
    const now = planInput.now.getTime();
    if (input.mode === 'observe' || plan.actions.length === 0) return report(repo, plan, undefined, input.mode, await activationOf(client, repo, live, plan, now));
    // Something to write: under the writer lease (waiting up to one lease duration for another
    // writer), with the sandboxes read again and planned again, the deletion budget checked.
    let outcome: WritePassOutcome;
    try {
      outcome = await writePass({
        client,
        secrets: repo.secrets,
        input: planInput,
        live,
        plan,
        lease: { config: repo.config, manager: repo.manager, command: 'flowsync run', lockTimeoutMs: repo.config.lease.durationMs, ...(deps.onLeaseEvent ? { onEvent: deps.onLeaseEvent } : {}) },
        concurrency: repo.config.reconcile.concurrency,
        config: repo.config,
        allowMassDelete: deps.allowMassDelete,
        signal,
      });
    } catch (err) {
      steady.distrust();
      return failed(repo, err);
    }
    steady.distrust();
    if (outcome.status === 'refused') return refused(outcome.error.code, outcome.error.message);
    return report(repo, outcome.plan, outcome.status === 'applied' ? outcome.result : undefined, input.mode, await activationOf(client, repo, live, outcome.plan, now));
  };
  return async (input, signal) => {
    // Observing writes nothing, so it works without the destinations' secrets (no rotation check).
    const loaded = input.mode === 'observe' ? (await loadRepoSecretsOptional(input.dir, deps.env, { parseCache })).repo : await loadRepo(input.dir, { env: deps.env, parseCache });
    if (hasErrors(loaded.diagnostics)) return invalid(loaded.diagnostics, input.revision, 'Run `flowsync validate` on that revision.');
    if (loaded.config.daemon.suspend) {
      return { result: 'suspended', entities: allEntities(loaded, 'Suspended', 'Suspended', 'daemon.suspend is true in flowsync.yaml'), changes: [], drift: [], apiReachable: true };
    }
    const client = await clients.get(loaded);
    const light = steady.mayBeLight(input, loaded.config.daemon.resyncMs, clock().getTime());
    const audiences: AudienceCache = new Map();
    let pass = await planPass(loaded, client, light, input.revision, audiences, signal);
    let read: CycleRead = light ? 'light' : 'full';
    // A light pass that finds anything to do starts over in full: a cycle that writes (or reports
    // something to write) plans on a full, fresh read with every segment id checked.
    if ('plan' in pass && light && pass.plan.actions.length > 0) {
      pass = await planPass(loaded, client, false, input.revision, audiences, signal);
      read = 'full';
    }
    if (!('plan' in pass)) {
      steady.distrust();
      return pass.outcome;
    }
    return { ...(await afterPlan(pass, input, client, signal)), read };
  };
}

interface Planned {
  repo: LoadedRepo;
  planInput: PlanInput;
  live: LiveState;
  plan: Plan;
}

/**
 * Like an invalid one, a refused revision is not in force: its view of the entities (and of drift
 * against it) would hide the live entities it meant to delete, so it reports none.
 */
function refused(code: string, message: string): CycleOutcome {
  return {
    result: 'refused',
    entities: [],
    changes: [],
    drift: [],
    apiReachable: true,
    error: { code: 'FS_DAEMON_MASS_DELETE', message: `${code}: ${message}`, hint: 'If the deletions are intended, run `flowsync apply --prune --allow-mass-delete` by hand or start the daemon with --allow-mass-delete.' },
  };
}

/** How long a cycle waits for a half-open breaker's probe before giving up on a re-read. */
const BREAKER_PROBE_WAIT_MS = 30_000;

/** One client per connection settings, kept across cycles so its IMS token is reused. */
class ClientCache {
  private key = '';
  private client: FlowServiceClient | undefined;
  /** The client's circuit breaker state, as its events report it. */
  breaker: BreakerState = 'closed';
  private waiters: (() => void)[] = [];
  constructor(private readonly deps: CycleDeps) {}

  private readonly onEvent = (e: ClientEvent): void => {
    if (e.type === 'breaker') {
      this.breaker = e.state;
      if (e.state !== 'half-open') for (const wake of this.waiters.splice(0)) wake();
    }
    this.deps.onClientEvent?.(e);
  };

  /** The breaker state once a probe in flight has been answered (at most `BREAKER_PROBE_WAIT_MS`). */
  async breakerSettled(signal: AbortSignal): Promise<BreakerState> {
    if (this.breaker === 'half-open' && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.waiters = this.waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, BREAKER_PROBE_WAIT_MS);
        signal.addEventListener('abort', done);
        this.waiters.push(done);
      });
    }
    return this.breaker;
  }

  async get(repo: LoadedRepo): Promise<FlowServiceClient> {
    const options = await clientOptions(repo.config, { root: repo.root, env: this.deps.env, flags: this.deps.connect });
    const key = createHash('sha256').update(JSON.stringify(options)).digest('hex');
    if (this.client && key === this.key) return this.client;
    this.client?.close();
    this.key = key;
    this.breaker = 'closed';
    this.client = new FlowServiceClient({ ...options, onEvent: this.onEvent });
    return this.client;
  }
}

function allEntities(repo: LoadedRepo, condition: EntityStatus['condition'], reason: string, message?: string): EntityStatus[] {
  return [
    ...repo.desired.accounts.map((a) => ({ sandbox: a.sandbox, kind: 'account' as const, name: a.name, condition, reason, ...(message ? { message } : {}) })),
    ...repo.desired.destinations.map((d) => ({ sandbox: d.sandbox, kind: 'destination' as const, name: d.name, condition, reason, ...(message ? { message } : {}) })),
  ];
}

function failed(repo: LoadedRepo, err: unknown): CycleOutcome {
  const error = err instanceof FlowsyncError ? { code: err.code, message: err.message, hint: err.hint } : { code: 'FS_DAEMON_CYCLE', message: err instanceof Error ? err.message : String(err) };
  const apiReachable = !(isFlowsyncError(err, 'FS_API_UNAVAILABLE') || isFlowsyncError(err, 'FS_API_BUDGET') || isFlowsyncError(err, 'FS_API_AUTH'));
  return { result: 'failed', entities: allEntities(repo, 'Failed', apiReachable ? 'ReconcileFailed' : 'ApiUnreachable', error.message), changes: [], drift: [], error, apiReachable };
}

/**
 * Activation health of every destination by plan address: one paged GET /runs per sandbox (never one
 * per flow). Runs that cannot be read leave health out of this cycle; reconciling goes on.
 */
async function activationOf(client: FlowServiceClient, repo: LoadedRepo, live: LiveState, plan: Plan, now: number): Promise<Map<string, ActivationStatus>> {
  let runs: Awaited<ReturnType<typeof readRunsBySandbox>>;
  try {
    runs = await readRunsBySandbox(client, runWindows(repo.desired), now);
  } catch {
    return new Map();
  }
  const rows = destinationStatuses({ desired: repo.desired, live, plan, runs, manager: repo.manager, now });
  return new Map(rows.map((r) => {
    const inWindow = (r.flowId ? (runs.get(r.sandbox)?.get(r.flowId) ?? []) : []).filter((x) => x.status !== 'processing' && x.createdAt > now - r.windowMs);
    const last = r.lastRun;
    const activation: ActivationStatus = {
      health: r.health,
      reason: r.reason,
      message: r.message,
      ...(last ? { lastRun: { id: last.id, createdAt: last.createdAt, status: last.status, input: last.input, activated: last.activated, failed: last.failed } } : {}),
      runs: inWindow.map((x) => ({ id: x.id, activated: x.activated, failed: x.failed })),
    };
    return [destinationAddress(r.sandbox, r.name), activation];
  }));
}

/** Conditions, changes and drift of a cycle, from the plan and (when applied) the apply outcomes. */
function report(repo: LoadedRepo, plan: Plan, result: ApplyResult | undefined, mode: CycleInput['mode'], activation: ReadonlyMap<string, ActivationStatus>): CycleOutcome {
  const outcomesByAddress = new Map<string, ApplyResult['outcomes']>();
  for (const o of result?.outcomes ?? []) outcomesByAddress.set(o.address, [...(outcomesByAddress.get(o.address) ?? []), o]);
  const pendingByAddress = new Map<string, Plan['actions']>();
  for (const a of plan.actions) pendingByAddress.set(a.address, [...(pendingByAddress.get(a.address) ?? []), a]);
  const driftByAddress = new Map(plan.drift.map((d) => [d.resource === 'account' ? accountAddress(d.sandbox, d.destination) : destinationAddress(d.sandbox, d.destination), d]));

  const conflictByAddress = new Map(plan.conflicts.map((c) => [c.address, c]));

  const status = (address: string): Pick<EntityStatus, 'condition' | 'reason' | 'message'> => {
    const conflict = conflictByAddress.get(address);
    if (conflict) {
      const entity = conflict.entity.replace('-', ' ');
      return { condition: 'Failed', reason: 'Conflict', message: `${entity} ${conflict.name} (${conflict.id}) is managed by ${conflict.manager}; flowsync leaves it alone (apply --force-conflicts takes it over)` };
    }
    const outcomes = outcomesByAddress.get(address) ?? [];
    const bad = outcomes.find((o) => o.status === 'failed' || o.status === 'skipped' || o.status === 'unknown');
    if (bad) return { condition: 'Failed', reason: 'ApplyFailed', message: `${bad.summary}: ${bad.error?.message ?? bad.status}` };
    const drift = driftByAddress.get(address);
    const pending = pendingByAddress.get(address) ?? [];
    if (!result && pending.length > 0) {
      return { condition: 'Drifted', reason: drift ? 'DriftDetected' : 'OutOfSync', message: `${mode === 'observe' ? 'observe mode: ' : ''}${pending.map((a) => a.summary).join('; ')}` };
    }
    if (drift && drift.drift !== 'heal') return { condition: 'Drifted', reason: 'DriftDetected', message: `${drift.changes.map((c) => c.field).join(', ')} (drift: ${drift.drift})` };
    if (outcomes.length > 0) return { condition: 'Ready', reason: drift ? 'DriftHealed' : 'Applied' };
    return { condition: 'Ready', reason: 'InSync' };
  };
  const entities: EntityStatus[] = [
    ...repo.desired.accounts.map((a) => ({ sandbox: a.sandbox, kind: 'account' as const, name: a.name, ...status(accountAddress(a.sandbox, a.name)) })),
    ...repo.desired.destinations.map((d) => {
      const address = destinationAddress(d.sandbox, d.name);
      const act = activation.get(address);
      return { sandbox: d.sandbox, kind: 'destination' as const, name: d.name, ...status(address), ...(act ? { activation: act } : {}) };
    }),
  ];
  const drift: CycleDrift[] = plan.drift.map((d) => {
    const address = d.resource === 'account' ? accountAddress(d.sandbox, d.destination) : destinationAddress(d.sandbox, d.destination);
    const outcomes = outcomesByAddress.get(address) ?? [];
    const healed = d.drift === 'heal' && outcomes.length > 0 && outcomes.every((o) => o.status === 'applied' || o.status === 'unneeded');
    return { sandbox: d.sandbox, name: d.destination, policy: d.drift, healed, fields: d.changes.map((c) => c.field), ...(d.lastWrite ? { changedBy: d.lastWrite.updatedBy } : {}) };
  });
  const changes = (result?.outcomes ?? [])
    .filter((o) => o.status === 'applied')
    .map((o) => {
      // Addresses are "sandbox/kind/name", or "sandbox/profile-store".
      const [sandbox = '', ...rest] = o.address.split('/');
      return { sandbox, name: (rest.length > 1 ? rest.slice(1) : rest).join('/'), action: o.type, summary: o.summary };
    });
  const failedCount = (result?.counts.failed ?? 0) + (result?.counts.skipped ?? 0) + (result?.counts.unknown ?? 0);
  return {
    result: failedCount > 0 ? 'failed' : 'success',
    entities,
    changes,
    drift,
    ...(failedCount > 0 ? { error: { code: 'FS_APPLY_FAILED', message: `${failedCount} action(s) did not apply`, hint: 'See /status for each destination.' } } : {}),
    apiReachable: true,
  };
}
