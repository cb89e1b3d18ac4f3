// The reconcile verbs shared by the CLI (plan, apply, import) and the daemon: read live state,
// plan, apply with 412 recompute, verify by reading again. Effects come in as parameters.
import type { FlowServiceClient } from '../api/index.ts';
import { applyPlan, type ApplyEvent, type ApplyResult } from '../apply/index.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { specHash } from '../domain/fingerprint.ts';
import type { DesiredState, LiveSandbox, LiveState } from '../domain/model.ts';
import type { Action, Plan } from '../domain/plan.ts';
import type { Secrets } from '../manifest/index.ts';
import { planAccount, planChanges, planDestination, withLiveEntity, type PlanOptions } from '../plan/index.ts';
import type { PlanningMemo } from './plan-memo.ts';
import { recomputedOver } from '../plan/overwrites.ts';
import { parseBaseConnection, parseFlow, parseTargetConnection, readLiveState } from '../state/index.ts';
import { sandboxesManagedElsewhere } from './discover.ts';
import { checkNamedSandboxes, readOrgSandboxes } from './org-sandboxes.ts';

export interface PlanInput {
  desired: DesiredState;
  prune: boolean;
  now: Date;
  org?: string;
  /** Recorded in the plan (see target.ts): a saved plan applies only to the same endpoint and config folder. */
  endpoint?: string;
  configDir?: string;
  revision?: string;
  /** Accounts ("sandbox/name") whose credentials are sent even though nothing shows they changed. */
  rotateCredentials?: string[];
  /** This config's manager (`LoadedRepo.manager`): the `m=` of every tag the plan writes. */
  manager: string;
  /** Take over entities of other managers that a manifest names (a visible `takeover`). */
  forceConflicts?: boolean;
  /** The sandboxes `--sandbox` limited the run to (desired is already scoped); recorded in the plan. */
  scope?: string[];
}

/** Digest of the desired state a plan was made from; a saved plan refuses to apply when it moved. */
export function desiredDigest(desired: DesiredState): string {
  // Segments by id only: an audience renamed in AEP between plan and apply is a label, not a manifest change.
  const destinations = desired.destinations.map(({ source: _s, segmentRefs: _r, ...d }) => ({ ...d, segments: d.segments.map((s) => s.id) }));
  return specHash({ accounts: desired.accounts.map(({ source: _s, ...a }) => a), destinations });
}

/**
 * Live state of the sandboxes the manifests name; with `scan`, also of the org's other sandboxes
 * where this manager wrote before (their owned entities are orphans; see discover.ts). First, one
 * read of the org's sandbox list: a sandbox the config names that the org lacks is
 * FS_PLAN_SANDBOX_UNKNOWN (org-sandboxes.ts). `checkSandboxes: false` skips both (a re-read in the
 * same run, e.g. verification after apply).
 */
export async function readLive(client: FlowServiceClient, desired: DesiredState, concurrency = 4, scan?: { manager: string }, opts: { checkSandboxes?: boolean; readState?: LiveStateReader } = {}): Promise<LiveState> {
  const check = opts.checkSandboxes ?? true;
  const org = check || scan ? await readOrgSandboxes(client) : undefined;
  const notes = org && check ? checkNamedSandboxes(desired, org, client.orgId) : [];
  const found = scan && org ? await sandboxesManagedElsewhere(client, org, desired.sandboxes, scan.manager) : { sandboxes: [], warnings: [] };
  notes.push(...found.warnings);
  const live = await (opts.readState ?? readLiveState)(client, [...desired.sandboxes, ...found.sandboxes], { concurrency });
  return notes.length > 0 ? { ...live, notes } : live;
}

/** How readLive reads the sandboxes' entities: readLiveState, or the daemon's cache of them (src/state/live-cache.ts). */
export type LiveStateReader = (client: FlowServiceClient, sandboxes: string[], opts: { concurrency: number }) => Promise<LiveState>;

/** The scan option of readLive as the config asks for it. */
export function scanFor(repo: { manager: string; config: { reconcile: { scanSandboxes: boolean } } }): { manager: string } | undefined {
  return repo.config.reconcile.scanSandboxes ? { manager: repo.manager } : undefined;
}

/** The daemon's memo for one planning (see plan-memo.ts). */
export type PlanMemoFactory = (desired: DesiredState, opts: PlanOptions) => PlanningMemo;

export function makePlan(input: PlanInput, live: LiveState, memo?: PlanMemoFactory): Plan {
  const opts = planOptions(input);
  const memoized = memo?.(input.desired, opts);
  const plan = planChanges(input.desired, live, opts, memoized?.sandboxes);
  const warnings = live.notes?.length ? [...plan.warnings, ...live.notes] : plan.warnings;
  return {
    ...plan,
    ...(input.endpoint ? { endpoint: input.endpoint } : {}),
    ...(input.configDir ? { configDir: input.configDir } : {}),
    warnings,
    ...(input.scope ? { scope: [...new Set(input.scope)].sort() } : {}),
    desiredHash: memoized ? memoized.desiredDigest(() => desiredDigest(input.desired)) : desiredDigest(input.desired),
  };
}

function planOptions(input: PlanInput): PlanOptions {
  return {
    prune: input.prune,
    createdAt: input.now.toISOString(),
    manager: input.manager,
    ...(input.forceConflicts ? { forceConflicts: true } : {}),
    ...(input.org ? { org: input.org } : {}),
    ...(input.revision ? { revision: input.revision } : {}),
    ...(input.rotateCredentials?.length ? { rotateCredentials: input.rotateCredentials } : {}),
  };
}

type LiveKind = keyof LiveSandbox;

const COLLECTION: Record<LiveKind, 'connections' | 'sourceConnections' | 'targetConnections' | 'flows'> = {
  baseConnections: 'connections',
  sourceConnections: 'sourceConnections',
  targetConnections: 'targetConnections',
  flows: 'flows',
};

function entityKind(action: Action): LiveKind | undefined {
  switch (action.type) {
    case 'update-account':
    case 'delete-account':
      return 'baseConnections';
    case 'update-target-connection':
    case 'delete-target-connection':
      return 'targetConnections';
    case 'update-flow':
    case 'set-flow-state':
    case 'delete-flow':
      return 'flows';
    case 'delete-profile-store':
      return action.resource === 'base-connection' ? 'baseConnections' : 'sourceConnections';
    default:
      return undefined;
  }
}

export interface ApplyLiveOptions {
  client: FlowServiceClient;
  secrets: Secrets;
  input: PlanInput;
  live: LiveState;
  concurrency?: number;
  onEvent?: (e: ApplyEvent) => void;
  signal?: AbortSignal;
}

/**
 * Applies a fresh plan. On a 412 the entity is read again (one GET), that one destination or
 * account is planned again against it, and the matching action replaces the stale one.
 */
export async function applyLive(plan: Pick<Plan, 'actions'>, opts: ApplyLiveOptions): Promise<ApplyResult> {
  let live = opts.live;
  const planOpts = planOptions(opts.input);
  const recompute = async (action: Action): Promise<Action | null> => {
    const kind = entityKind(action);
    if (!kind || !('entityId' in action)) return null;
    const raw = await opts.client.get<unknown>(action.sandbox, COLLECTION[kind], action.entityId);
    const parsed =
      raw === undefined
        ? null
        : kind === 'flows'
          ? parseFlow(raw, action.sandbox)
          : kind === 'targetConnections'
            ? parseTargetConnection(raw, action.sandbox)
            : kind === 'baseConnections'
              ? parseBaseConnection(raw, action.sandbox)
              : null;
    live = withLiveEntity(live, action.sandbox, kind, action.entityId, parsed as never);
    const fresh =
      action.type === 'update-account'
        ? planAccount(opts.input.desired, live, { sandbox: action.sandbox, account: action.account }, planOpts)
        : 'destination' in action
          ? planDestination(opts.input.desired, live, { sandbox: action.sandbox, destination: action.destination }, planOpts)
          : [];
    const next = fresh.find((a) => a.id === action.id) ?? fresh.find((a) => a.type === action.type && 'entityId' in a && a.entityId === action.entityId);
    // What the concurrent change did that this update now undoes, and who made it
    return next ? recomputedOver(action, next, parsed && 'lastWrite' in parsed ? parsed.lastWrite : undefined) : null;
  };
  return applyPlan(plan, {
    client: opts.client,
    secrets: opts.secrets,
    concurrency: opts.concurrency ?? 4,
    recompute,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

export interface Verification {
  /** Addresses the apply changed that still differ after a fresh read, with what is left. */
  unverified: { address: string; remaining: string[] }[];
  live: LiveState;
}

/** The tutorial's "verify the dataflow" step: read again and plan again; what apply touched must now be clean. */
export async function verifyApplied(client: FlowServiceClient, input: PlanInput, result: ApplyResult, concurrency = 4): Promise<Verification> {
  const live = await readLive(client, input.desired, concurrency, undefined, { checkSandboxes: false });
  // A forced rotation (--rotate-credentials) is planned whatever the live state says; planned again
  // it would always come back. It is verified like any update: nothing else left to change.
  const { rotateCredentials: _forced, ...unforced } = input;
  const again = makePlan(unforced, live);
  const touched = new Set(result.outcomes.filter((o) => o.status === 'applied').map((o) => o.address));
  const unverified = new Map<string, string[]>();
  for (const action of again.actions) {
    if (!touched.has(action.address)) continue;
    unverified.set(action.address, [...(unverified.get(action.address) ?? []), action.summary]);
  }
  return { unverified: [...unverified].map(([address, remaining]) => ({ address, remaining })), live };
}

/** What verification left as the error the run fails with; undefined when everything apply changed matches. */
export function unverifiedError(verification: Verification): FlowsyncError | undefined {
  const n = verification.unverified.length;
  if (n === 0) return undefined;
  const list = verification.unverified.map((u) => `${u.address} (${u.remaining.join('; ')})`).join(', ');
  return new FlowsyncError('FS_APPLY_UNVERIFIED', `${n} changed address${n === 1 ? '' : 'es'} still differ${n === 1 ? 's' : ''} from the manifests after apply: ${list}`);
}
