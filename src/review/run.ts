// `flowsync plan --base REF` end to end: validate the head manifests, load the base manifests out of
// git, read live state ONCE for the sandboxes either side names, and compare (pure, compare.ts);
// with --health, then the runs of the destinations the pull request changes, for a health column.
// Only reads: the API client is used for GETs and the IMS token, never for a write.
import { hasErrors, type Diagnostic } from '../domain/diagnostics.ts';
import type { Plan } from '../domain/plan.ts';
import type { FlowServiceClient } from '../api/index.ts';
import type { LiveState } from '../domain/model.ts';
import { destinationStatuses, runWindows } from '../health/destinations.ts';
import { readRunsBySandbox } from '../health/runs.ts';
import type { LoadedRepo } from '../manifest/index.ts';
import { loadRepoSecretsOptional } from '../manifest/secrets-optional.ts';
import { destinationAddress } from '../plan/index.ts';
import { statusEntry, type StatusEntry } from '../health/status-entry.ts';
import { resolveAudiences, type AudienceCache } from '../reconcile/audiences.ts';
import { connect, type ConnectFlags } from '../reconcile/connect.ts';
import { makePlan, readLive } from '../reconcile/reconcile.ts';
import { planTarget } from '../reconcile/target.ts';
import { loadBaseRepo, type LoadedBase } from './base.ts';
import { comparePlans, reviewSandboxes } from './compare.ts';
import { invalidHeadDocument, REVIEW_FORMAT_VERSION, type ReviewDocument } from './document.ts';
import { headCommit, locate } from './git-tree.ts';

export interface ReviewOptions {
  /** The config repo folder (absolute) in the work tree: the head side. */
  root: string;
  base: string;
  env: NodeJS.ProcessEnv;
  flags?: ConnectFlags;
  now: Date;
  /** --prune: overrides both sides' reconcile.prune. */
  prune?: boolean;
  revision?: string;
  commentId?: string;
  /** --health: add the activation health of the destinations the pull request changes. */
  health?: boolean;
}

export interface ReviewResult {
  doc: ReviewDocument;
  /** plan(head) against live as it is now: what `flowsync apply` would do; saved by --out. Absent when invalid. */
  applyPlan?: Plan;
}

/**
 * Activation health of the destinations the pull request changes, for the comment's health column:
 * one GET /runs per sandbox they are in. Runs that cannot be read leave the column out.
 */
async function touchedHealth(client: FlowServiceClient, head: LoadedRepo, live: LiveState, applyPlan: Plan, pullRequest: Plan, now: number): Promise<StatusEntry[]> {
  const touched = new Set(pullRequest.actions.map((a) => a.address));
  const destinations = head.desired.destinations.filter((d) => touched.has(destinationAddress(d.sandbox, d.name)));
  if (destinations.length === 0) return [];
  const desired = { ...head.desired, destinations };
  try {
    const runs = await readRunsBySandbox(client, runWindows(desired), now);
    return destinationStatuses({ desired, live, plan: applyPlan, runs, manager: head.manager, now }).map(statusEntry);
  } catch {
    return [];
  }
}

export async function runReview(opts: ReviewOptions): Promise<ReviewResult> {
  const loc = await locate(opts.root);
  const folder = loc.rel || '.';
  const commentId = opts.commentId ?? folder;
  const createdAt = opts.now.toISOString();
  const revision = opts.revision ?? (await headCommit(loc.top));
  const { repo: head, secretsSkipped } = await loadRepoSecretsOptional(opts.root, opts.env);
  if (hasErrors(head.diagnostics)) {
    return { doc: invalidHeadDocument({ createdAt, commentId, folder, ...(revision ? { revision } : {}) }, head.diagnostics) };
  }
  const loadedBase = await loadBaseRepo(opts.root, opts.base, opts.env);
  const target = await planTarget(head.config, head.root, opts.env, opts.flags);
  const org = target.org;
  const client = await connect(head.config, { root: head.root, env: opts.env, ...(opts.flags ? { flags: opts.flags } : {}) });
  try {
    // Both sides' segments resolve against the same audience lists (one walk per sandbox).
    const audiences: AudienceCache = new Map();
    const resolvedHead = await resolveAudiences(client, head.desired, audiences);
    if (hasErrors(resolvedHead.diagnostics)) {
      return { doc: invalidHeadDocument({ createdAt, commentId, folder, ...(revision ? { revision } : {}) }, [...head.diagnostics, ...resolvedHead.diagnostics]) };
    }
    head.desired = resolvedHead.desired;
    const base = await resolveBase(client, loadedBase, audiences);
    const baseDesired = base.status === 'valid' ? base.repo!.desired : base.status === 'missing' ? { accounts: [], destinations: [], sandboxes: [] } : undefined;
    const sandboxes = reviewSandboxes(baseDesired, head.desired);
    const live = await readLive(client, { ...head.desired, sandboxes }, head.config.reconcile.concurrency);
    const headPrune = opts.prune ?? head.config.reconcile.prune;
    const compared = comparePlans({
      base: baseDesired,
      head: head.desired,
      live,
      headPrune,
      // A folder new in the pull request has nothing to prune at the base.
      basePrune: base.repo ? (opts.prune ?? base.repo.config.reconcile.prune) : false,
      createdAt,
      manager: head.manager,
      ...(org ? { org } : {}),
      baseRevision: base.commit,
      ...(revision ? { headRevision: revision } : {}),
    });
    const applyPlan = makePlan({ desired: head.desired, prune: headPrune, now: opts.now, manager: head.manager, ...target, ...(revision ? { revision } : {}) }, live);
    const headDiagnostics: Diagnostic[] = [...head.diagnostics, ...resolvedHead.diagnostics];
    const pullRequest = secretsSkipped
      ? { ...compared.pullRequest, warnings: [...compared.pullRequest.warnings, 'secret references in this pull request could not be resolved here, so credential changes are not compared (give the job the secrets to see rotations)'] }
      : compared.pullRequest;
    const doc: ReviewDocument = {
      formatVersion: REVIEW_FORMAT_VERSION,
      kind: 'flowsync-review',
      createdAt,
      commentId,
      folder,
      base: { ref: base.ref, commit: base.commit, status: base.status, secretsSkipped: base.secretsSkipped, diagnostics: base.diagnostics },
      head: { ...(revision ? { revision } : {}), valid: true, diagnostics: headDiagnostics },
      pullRequest,
      drift: compared.drift ?? null,
    };
    // health is about now, not the plan's (possibly fixed, FLOWSYNC_NOW) time
    const health = opts.health ? await touchedHealth(client, head, live, applyPlan, pullRequest, Date.now()) : [];
    return { doc: health.length > 0 ? { ...doc, health } : doc, applyPlan };
  } finally {
    client.close();
  }
}

/** The base with its segments resolved; one that names no audience is an invalid base (its diagnostics say why). */
async function resolveBase(client: FlowServiceClient, base: LoadedBase, audiences: AudienceCache): Promise<LoadedBase> {
  if (base.status !== 'valid' || !base.repo) return base;
  const resolved = await resolveAudiences(client, base.repo.desired, audiences);
  if (hasErrors(resolved.diagnostics)) return { ...base, status: 'invalid', diagnostics: [...base.diagnostics, ...resolved.diagnostics] };
  return { ...base, repo: { ...base.repo, desired: resolved.desired } };
}
