// `flowsync apply [PLANFILE]`: make the live state match the manifests. Without PLANFILE it plans
// first and asks for confirmation; with PLANFILE it applies exactly that saved plan or nothing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { applyPlan, findStaleEntities, type ApplyEvent, type ApplyResult } from '../apply/index.ts';
import { FlowsyncError } from '../domain/errors.ts';
import type { LiveState } from '../domain/model.ts';
import type { Plan } from '../domain/plan.ts';
import type { LoadedRepo } from '../manifest/index.ts';
import { connect } from '../reconcile/connect.ts';
import { refuseUnsafeDeletions } from '../reconcile/deletion-check.ts';
import { applyLive, desiredDigest, makePlan, readLive, verifyApplied, type PlanInput } from '../reconcile/reconcile.ts';
import { outcomeLine, renderApplySummary } from '../render/apply.ts';
import { parsePlanJson } from '../render/json.ts';
import { renderPlanText } from '../render/text.ts';
import { intFlag, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, ROTATE_USAGE, connectFlags, loadRepoOrReport, rotateFlag, useColor } from './common.ts';
import { confirm } from './confirm.ts';

const USAGE = `Usage: flowsync apply [PLANFILE] [flags]

Without PLANFILE: plans against the live state (like \`flowsync plan\`), shows the plan, asks for
confirmation, then applies it. With PLANFILE (from \`flowsync plan --out\`): applies exactly that
plan, or nothing at all when any entity it touches changed since (etag moved), something it would
create appeared, or the manifests changed.

Creates run in dependency order, independent destinations in parallel; every PATCH carries
If-Match; a concurrent change (412) is re-read and that one action recomputed (not for saved
plans: they fail instead, as reviewed). One destination's failure never stops the others.
After apply the state is read again and verified.

Flags:
  --dir DIR            the config repo folder (default: the current folder)
  --prune              also delete owned entities whose manifests are gone (live mode)
  --force-conflicts    take over entities another manager owns when a manifest names them
                       (without it they are conflicts: left alone, and apply exits 1)
  --auto-approve       do not ask for confirmation
  --allow-mass-delete  apply a plan whose deletions exceed reconcile.maxDeleteRatio of the owned
                       entities or the rolling reconcile.deleteBudget (refused otherwise, exit 1)
  --concurrency N      actions in flight at once (default: reconcile.concurrency, 16)
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
      'force-conflicts': { type: 'boolean' },
      concurrency: { type: 'string' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length > 1) throw new FlowsyncError('FS_CLI_USAGE', `apply: expected at most one plan file, got ${positionals.join(' ')}`);
    const planFile = positionals[0];
    let saved: Plan | undefined;
    if (planFile) {
      if (values.prune) throw new FlowsyncError('FS_CLI_USAGE', 'apply: --prune cannot be combined with a saved plan (the plan already says whether it prunes)');
      const text = await readFile(path.resolve(io.cwd, planFile), 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new FlowsyncError('FS_CLI_USAGE', `apply: cannot read plan file ${planFile}: ${err.code ?? err.message}`);
      });
      saved = parsePlanJson(text, planFile);
    }
    const repo = await loadRepoOrReport(values.dir ?? '.', io);
    if (!repo) return 1;
    const concurrency = intFlag('apply', 'concurrency', values.concurrency, repo.config.reconcile.concurrency, 1, 32);
    const color = useColor(io.stdout, io.env);
    const client = await connect(repo.config, { root: repo.root, env: io.env, flags: connectFlags(values), concurrency });
    try {
      const input: PlanInput = {
        desired: repo.desired,
        prune: saved ? saved.prune : (values.prune ?? repo.config.reconcile.prune),
        now: new Date(),
        rotateCredentials: rotateFlag('apply', values['rotate-credentials']),
        manager: repo.manager,
        ...(values['force-conflicts'] ? { forceConflicts: true } : {}),
        ...(repo.config.org ? { org: repo.config.org } : {}),
      };
      const live = await readLive(client, repo.desired, concurrency);
      let plan: Plan;
      if (saved) {
        refuseIfStale(saved, repo, live, planFile!);
        plan = saved;
      } else {
        plan = makePlan(input, live);
      }
      const conflicted = plan.conflicts.length > 0 ? 1 : 0;
      if (plan.actions.length === 0) {
        io.stdout.write(renderPlanText(plan, { color }));
        return conflicted;
      }
      io.stdout.write(renderPlanText(plan, { color }));
      refuseUnsafeDeletions(plan, live, repo.config, { allowMassDelete: values['allow-mass-delete'] === true, now: input.now.getTime() });
      if (!values['auto-approve']) {
        const approved = await confirm(io, '\nDo you want to perform these actions?');
        if (!approved) {
          io.stderr.write('\nApply cancelled; nothing was written.\n');
          return 1;
        }
      }
      io.stdout.write('\n');
      const onEvent = progress(io, color);
      const result: ApplyResult = saved
        ? await applyPlan(plan, { client, secrets: repo.secrets, concurrency, onEvent })
        : await applyLive(plan, { client, secrets: repo.secrets, input, live, concurrency, onEvent });
      // an API gone during the apply must not hide the outcomes: the summary comes without verification
      const verification = await verifyApplied(client, input, result, concurrency).catch((err: unknown) => {
        io.stderr.write(`\nCould not verify after apply: ${err instanceof Error ? err.message : String(err)}\n`);
        return undefined;
      });
      io.stdout.write(renderApplySummary(result, verification, { color }));
      return result.counts.failed + result.counts.skipped + result.counts.unknown === 0 && verification?.unverified.length === 0 ? conflicted : 1;
    } finally {
      client.close();
    }
  },
};

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
