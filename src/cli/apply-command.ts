// `flowsync apply [PLANFILE]`: make the live state match the manifests. Without PLANFILE it plans
// first and asks for confirmation; with PLANFILE it applies exactly that saved plan or nothing.
import { applyPlan, findStaleEntities, type ApplyEvent, type ApplyResult } from '../apply/index.ts';
import { FlowsyncError } from '../domain/errors.ts';
import type { FlowServiceClient } from '../api/index.ts';
import type { LiveState } from '../domain/model.ts';
import type { Plan } from '../domain/plan.ts';
import type { LeaseEvent } from '../lease/index.ts';
import type { LoadedRepo } from '../manifest/index.ts';
import { connect } from '../reconcile/connect.ts';
import { planTarget, refuseOtherTarget } from '../reconcile/target.ts';
import { readLiveState } from '../state/index.ts';
import { refuseUnsafeDeletions } from '../reconcile/deletion-check.ts';
import { desiredDigest, makePlan, readLive, scanFor, unverifiedError, type PlanInput, type Verification } from '../reconcile/reconcile.ts';
import { sandboxesWritten, underWriteLeases, verifyOrExplain, writePass, type WriteLeaseSettings } from '../reconcile/writer.ts';
import { outcomeLine, renderApplySummary } from '../render/apply.ts';
import { formatError } from '../render/error.ts';
import { conflictText } from '../render/plan-common.ts';
import { readPlanFile } from './plan-file.ts';
import { renderPlanText } from '../render/text.ts';
import { intFlag, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, LOCK_TIMEOUT_USAGE, ROTATE_USAGE, connectFlags, loadRepoOrReport, lockTimeoutFlag, resolveOrReport, rotateFlag, SANDBOX_USAGE, scopeRepo, useColor } from './common.ts';
import { confirm, requireTerminal } from './confirm.ts';
import { planFileOrDir } from './paths.ts';

const USAGE = `Usage: flowsync apply [PLANFILE | DIR] [flags]

Without PLANFILE: plans against the live state (like \`flowsync plan\`), shows the plan, asks for
confirmation, then applies it. With PLANFILE (from \`flowsync plan --out\`): applies exactly that
plan, or nothing at all when any entity it touches changed since (etag moved), something it would
create appeared, or the manifests changed.

Creates run in dependency order, independent destinations in parallel; every PATCH carries
If-Match; a concurrent change (412) is re-read and that one action recomputed (not for saved
plans: they fail instead, as reviewed). One destination's failure never stops the others.
After apply the state is read again and verified.

Before its first write apply takes the writer lease of every sandbox it writes (another flowsync
run holding one: it fails at once naming the holder, or waits with --lock-timeout), reads those
sandboxes again and plans again: what it shows and applies is planned under the lease. A plan
with nothing to do takes no lease. See docs/several-writers.md.

Flags:
  --dir DIR            the config repo folder (default: the current folder; a folder given as
                       the argument is the same as --dir)
  --prune              also delete owned entities whose manifests are gone (live mode)
  --force-conflicts    take over entities another manager owns when a manifest names them
                       (without it they are conflicts: left alone, and apply exits 1)
  --auto-approve       do not ask for confirmation (required when stdin is not a terminal:
                       without it apply refuses at once, FS_APPLY_NOT_INTERACTIVE)
  --allow-mass-delete  apply a plan whose deletions exceed reconcile.maxDeleteRatio of the owned
                       entities or the rolling reconcile.deleteBudget (refused otherwise, exit 1)
  --concurrency N      actions in flight at once (default: reconcile.concurrency, 16)
${SANDBOX_USAGE}
                       (a saved plan made with --sandbox applies to the same sandboxes)
${LOCK_TIMEOUT_USAGE}
${ROTATE_USAGE}
${CONNECT_USAGE}

Exit code: 0 when everything applied and verified (or nothing to do), 1 otherwise (a failed or
skipped action, or a conflict with another manager: everything else is still applied).
`;

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Apply the manifests (or a saved plan) to the live org, etag-guarded',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('apply', argv, {
      dir: { type: 'string' },
      prune: { type: 'boolean' },
      'rotate-credentials': { type: 'string', multiple: true },
      'auto-approve': { type: 'boolean' },
      'allow-mass-delete': { type: 'boolean' },
      'lock-timeout': { type: 'string' },
      'force-conflicts': { type: 'boolean' },
      concurrency: { type: 'string' },
      sandbox: { type: 'string', multiple: true },
      ...CONNECT_OPTIONS,
    });
    if (!values['auto-approve']) requireTerminal(io, 'apply', '--auto-approve');
    if (positionals.length > 1) throw new FlowsyncError('FS_CLI_USAGE', `apply: expected at most one plan file or config folder, got ${positionals.join(' ')}`);
    const { planFile, dir } = await planFileOrDir(positionals[0], values.dir, io.cwd);
    let saved: Plan | undefined;
    if (planFile) {
      if (values.prune) throw new FlowsyncError('FS_CLI_USAGE', 'apply: --prune cannot be combined with a saved plan (the plan already says whether it prunes)');
      saved = await readPlanFile(planFile, io.cwd);
    }
    const loaded = await loadRepoOrReport(dir, io);
    if (!loaded) return 1;
    const scope = savedScope(saved, values.sandbox, planFile);
    const scoped = scopeRepo('apply', loaded, scope);
    const concurrency = intFlag('apply', 'concurrency', values.concurrency, scoped.config.reconcile.concurrency, 1, 32);
    const lockTimeoutMs = lockTimeoutFlag('apply', values['lock-timeout']);
    const allowMassDelete = values['allow-mass-delete'] === true;
    const color = useColor(io.stdout, io.env);
    const target = await planTarget(scoped.config, scoped.root, io.env, connectFlags(values));
    if (saved) refuseOtherTarget(saved, { ...target, manager: scoped.manager, sandboxes: scoped.desired.sandboxes }, planFile!);
    const client = await connect(scoped.config, { root: scoped.root, env: io.env, flags: connectFlags(values), concurrency });
    try {
      const repo = await resolveOrReport(client, scoped, io);
      if (!repo) return 1;
      const input: PlanInput = {
        desired: repo.desired,
        prune: saved ? saved.prune : (values.prune ?? repo.config.reconcile.prune),
        now: new Date(),
        rotateCredentials: rotateFlag('apply', values['rotate-credentials']),
        manager: repo.manager,
        ...(values['force-conflicts'] ? { forceConflicts: true } : {}),
        ...(scope ? { scope } : {}),
        ...target,
      };
      const lease: WriteLeaseSettings = { config: repo.config, manager: repo.manager, command: 'flowsync apply', lockTimeoutMs, onEvent: leaseNotes(io) };
      const approve = async (plan: Plan): Promise<boolean> => {
        io.stdout.write(renderPlanText(plan, { color }));
        if (!values['auto-approve'] && !(await confirm(io, '\nDo you want to perform these actions?'))) return false;
        io.stdout.write('\n');
        return true;
      };
      const onEvent = progress(io, color);
      if (saved) return await applySaved({ saved, file: planFile!, repo, client, input, lease, concurrency, allowMassDelete, approve, onEvent, io, color });

      const live = await readLive(client, repo.desired, concurrency, scanFor(repo));
      const first = makePlan(input, live);
      // Nothing to write: no lease is taken and nothing more is sent.
      const outcome = await writePass({ client, secrets: repo.secrets, input, live, plan: first, lease, concurrency, config: repo.config, allowMassDelete, verify: true, approve, onEvent });
      switch (outcome.status) {
        case 'nothing':
          io.stdout.write(renderPlanText(outcome.plan, { color }));
          return conflicted(io, outcome.plan);
        case 'cancelled':
          io.stderr.write('\nApply cancelled; nothing was written.\n');
          return 1;
        case 'refused':
          io.stdout.write(renderPlanText(outcome.plan, { color }));
          throw outcome.error;
        case 'applied':
          return Math.max(summarize(io, color, outcome.result, outcome.verification, outcome.verifyError), conflicted(io, outcome.plan));
      }
    } finally {
      client.close();
    }
  },
};

/** The sandboxes a run is limited to: a saved plan's own scope, which --sandbox may repeat but not change. */
function savedScope(saved: Plan | undefined, flag: string[] | undefined, file: string | undefined): string[] | undefined {
  if (!saved) return flag;
  const same = (a: readonly string[], b: readonly string[]) => [...new Set(a)].sort().join(',') === [...new Set(b)].sort().join(',');
  if (flag && !same(flag, saved.scope ?? saved.sandboxes)) {
    throw new FlowsyncError('FS_CLI_USAGE', `apply: ${file} was planned for ${saved.scope ? `--sandbox ${saved.scope.join(', ')}` : 'every sandbox'}; --sandbox ${flag.join(', ')} would apply something else (plan again with that --sandbox)`);
  }
  return saved.scope;
}

/** A conflict with another manager fails the run, whatever else applied. */
function conflicted(io: CommandIO, plan: Plan): number {
  const n = plan.conflicts.length;
  if (n === 0) return 0;
  const list = plan.conflicts.map(conflictText).join('; ');
  const err = new FlowsyncError('FS_PLAN_CONFLICT', `${n} entit${n === 1 ? 'y' : 'ies'} the manifests name ${n === 1 ? 'is' : 'are'} owned by another manager and left alone: ${list}`);
  io.stderr.write(formatError(err, { color: useColor(io.stderr, io.env) }));
  return 1;
}

/** The summary and the exit code: 0 only when every action applied and the re-read matches. */
function summarize(io: CommandIO, color: boolean, result: ApplyResult, verification: Verification | undefined, verifyError?: string): number {
  // an API gone during the apply must not hide the outcomes: the summary comes without verification
  if (verifyError !== undefined) io.stderr.write(`\nCould not verify after apply: ${verifyError}\n`);
  io.stdout.write(renderApplySummary(result, verification, { color }));
  const unverified = verification && unverifiedError(verification);
  if (unverified) io.stderr.write(formatError(unverified, { color: useColor(io.stderr, io.env) }));
  return result.counts.failed + result.counts.skipped + result.counts.unknown === 0 && verification?.unverified.length === 0 ? 0 : 1;
}

interface SavedRun {
  saved: Plan;
  file: string;
  repo: LoadedRepo;
  client: FlowServiceClient;
  input: PlanInput;
  lease: WriteLeaseSettings;
  concurrency: number;
  allowMassDelete: boolean;
  approve: (plan: Plan) => Promise<boolean>;
  onEvent: (e: ApplyEvent) => void;
  io: CommandIO;
  color: boolean;
}

/**
 * A saved plan: read the sandboxes it writes and check it (etags, appeared entities, manifests,
 * deletions); take their leases, read them again and check again; then exactly its actions.
 */
async function applySaved(run: SavedRun): Promise<number> {
  const { saved, repo, client, io, color } = run;
  const sandboxes = sandboxesWritten(saved);
  if (sandboxes.length === 0) {
    io.stdout.write(renderPlanText(saved, { color }));
    return conflicted(io, saved);
  }
  // Checked once before the lease (a refusal then writes nothing, not even the lease) and again on
  // the re-read under it, which is the state the plan's etags must still match.
  const before = await readLiveState(client, sandboxes, { concurrency: run.concurrency });
  refuseIfStale(saved, repo, before, run.file);
  refuseUnsafeDeletions(saved, before, repo.config, { allowMassDelete: run.allowMassDelete, now: Date.now(), manager: repo.manager });
  return underWriteLeases(client, sandboxes, before, { ...run.lease, concurrency: run.concurrency }, async (scope) => {
    refuseIfStale(saved, repo, scope.live, run.file);
    const deletions = refuseUnsafeDeletions(saved, scope.live, repo.config, { allowMassDelete: run.allowMassDelete, now: Date.now(), ledger: scope.ledger, manager: repo.manager });
    if (!(await run.approve(saved))) {
      io.stderr.write('\nApply cancelled; nothing was written.\n');
      return 1;
    }
    await scope.recordDeletions(deletions, Date.now());
    const result = await applyPlan(saved, { client, secrets: repo.secrets, concurrency: run.concurrency, onEvent: run.onEvent });
    const checked = await verifyOrExplain(client, run.input, result, run.concurrency);
    return Math.max(summarize(io, color, result, checked.verification, checked.verifyError), conflicted(io, saved));
  });
}

/** Tells a person at the terminal why apply pauses: another run holds a lease it needs. */
function leaseNotes(io: CommandIO): (e: LeaseEvent) => void {
  const told = new Set<string>();
  return (e) => {
    if (e.type === 'waiting' && !told.has(e.sandbox)) {
      told.add(e.sandbox);
      io.stderr.write(`Waiting for the writer lease of sandbox ${e.sandbox}: held by ${e.holder}.\n`);
    }
    if (e.type === 'acquired' && told.has(e.sandbox)) io.stderr.write(`Took the writer lease of sandbox ${e.sandbox} after ${Math.round(e.waitedMs / 100) / 10} s.\n`);
    if (e.type === 'lost') io.stderr.write(`Lost the writer lease of sandbox ${e.sandbox}: ${e.reason}; no further writes.\n`);
  };
}

function progress(io: CommandIO, color: boolean): (e: ApplyEvent) => void {
  return (e) => {
    if (e.type !== 'settled') return;
    const counter = io.stdout.isTTY ? `[${e.done}/${e.total}] ` : '';
    io.stdout.write(`${counter}${outcomeLine(e.outcome, { color })}`);
  };
}

/** A saved plan applies exactly as reviewed, or not at all. */
function refuseIfStale(plan: Plan, repo: LoadedRepo, live: LiveState, file: string): void {
  const problems: string[] = [];
  if (plan.desiredHash && plan.desiredHash !== desiredDigest(repo.desired)) {
    problems.push('the manifests changed since the plan was made');
  }
  for (const s of findStaleEntities(plan.actions, live)) problems.push(`${s.address}: ${s.problem}`);
  if (problems.length > 0) {
    throw new FlowsyncError('FS_APPLY_STALE_PLAN', `refusing to apply ${file}: it no longer matches what was reviewed; nothing was written:\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
}
