// `flowsync plan`: read live state, diff it against the manifests, print the ordered plan.
// Never writes to the API, whatever the flags.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';
import type { Plan } from '../domain/plan.ts';
import type { FlowServiceClient } from '../api/client.ts';
import type { LoadedRepo } from '../manifest/index.ts';
import { connect, type ConnectFlags } from '../reconcile/connect.ts';
import { makePlan, readLive, scanFor } from '../reconcile/reconcile.ts';
import { planTarget } from '../reconcile/target.ts';
import { renderDiagnosticsText } from '../render/diagnostics.ts';
import { renderPlanJson } from '../render/json.ts';
import { renderPlanMarkdown } from '../render/markdown.ts';
import { renderPlanText } from '../render/text.ts';
import { renderReviewMarkdown } from '../render/review-markdown.ts';
import { renderReviewText } from '../render/review-text.ts';
import { ciRunUrl, nowFromEnv } from '../review/ci.ts';
import { renderReviewJson, reviewExitCode } from '../review/document.ts';
import { runReview } from '../review/run.ts';
import { oneOf, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { applyCommandLine } from './paths.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, ROTATE_USAGE, connectFlags, loadRepoOrReport, resolveOrReport, rotateFlag, SANDBOX_USAGE, scopeRepo, useColor } from './common.ts';

const USAGE = `Usage: flowsync plan [DIR] [flags]

Reads the live Flow Service state of every sandbox the manifests name, compares it with the
manifests in DIR (default: the current folder) and prints what apply would do, in order.
plan only reads: it never writes to the API.

Flags:
  --dir DIR             the config repo folder (the same as the positional DIR)
  --output FORMAT       text (default), markdown (pull-request comment) or json (versioned plan)
  --out FILE            also save the plan as JSON; \`flowsync apply FILE\` applies exactly it
  --prune               include deletions of owned entities whose manifests are gone (orphans)
  --force-conflicts     plan to take over entities another manager owns when a manifest names them
  --detailed-exitcode   exit 0 when there is nothing to do, 2 with changes, duplicates or orphans,
                        1 with conflicts (another manager owns an entity a manifest names) or on
                        error (without it: 0 unless there is an error)
  --revision REV        record the manifests' git revision in the plan
${SANDBOX_USAGE}
${ROTATE_USAGE}

Pull-request review (see docs/guides/github.md):
  --base REF            also load the manifests at git REF (e.g. origin/main; same folder) and
                        report separately what the pull request changes (head planned against live
                        state as it would be after applying REF) and pre-existing drift (what
                        applying REF alone would change). Live state is read once. Exit codes with
                        --detailed-exitcode: 0 no pull-request changes, 2 changes, 1 invalid
                        manifests or error (markdown output still prints the comment then).
  --out-dir DIR         markdown: also write comment-1.md, comment-2.md, … (one per part, each under
                        GitHub's 65,536-character limit) and, with --base, review.json
  --run-url URL         link the run in the comment (default: from GITHUB_SERVER_URL,
                        GITHUB_REPOSITORY and GITHUB_RUN_ID, or CI_JOB_URL on GitLab)
  --comment-id ID       identifies the comment CI updates (default: the folder, or org/sandboxes
                        without --base)
  --health              with --base: add the activation health of the destinations the pull
                        request changes (docs/concepts/drift-and-health.md; one GET /runs per sandbox)

${CONNECT_USAGE}

FLOWSYNC_NOW=2026-03-01T12:00:00Z fixes the plan's time (reproducible output).
`;

/** Terraform's -detailed-exitcode, extended: conflicts need a person (1), anything to do is 2. */
export function detailedExitCode(plan: Pick<Plan, 'actions' | 'summary'>): 0 | 1 | 2 {
  if (plan.summary.conflict > 0) return 1;
  return plan.actions.length > 0 || plan.summary.orphan > 0 ? 2 : 0;
}

/**
 * The repo loaded, scoped to --sandbox and with its segments resolved, and the client that resolved
 * them (undefined after printing why the manifests are not valid; `repo` undefined after printing
 * the resolution's errors). The model as loaded is not kept past the resolution: at 10,000
 * destinations its 200,000 segment entries (10.7 MB in a heap snapshot) and the destinations that
 * hold them stayed alive through the read, and peak RSS was ~65 MB higher (bench/RESULTS.md).
 */
async function resolvedRepo(dir: string, io: CommandIO, sandboxes: string[] | undefined, flags: ConnectFlags): Promise<{ client: FlowServiceClient; repo: LoadedRepo | undefined } | undefined> {
  const loaded = await loadRepoOrReport(dir, io, { secretsOptional: true });
  if (!loaded) return undefined;
  const scoped = scopeRepo('plan', loaded, sandboxes);
  const client = await connect(scoped.config, { root: scoped.root, env: io.env, flags });
  try {
    return { client, repo: await resolveOrReport(client, scoped, io) };
  } catch (err) {
    client.close();
    throw err;
  }
}

/** Between comment parts on stdout (each part is also a whole comment of its own). */
const PART_SEPARATOR = '\n\n<!-- flowsync: next part -->\n\n';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what apply would change (text, markdown or JSON); never writes',
  usage: USAGE,
  exitCodes: [
    { code: 0, when: 'the plan was printed (with --detailed-exitcode: nothing to do)' },
    { code: 1, when: 'an error or invalid manifests (with --detailed-exitcode also: conflicts with another manager)' },
    { code: 2, when: 'with --detailed-exitcode: changes, duplicates or orphans (with --base: the pull request changes something)' },
  ],
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('plan', argv, {
      dir: { type: 'string' },
      output: { type: 'string' },
      out: { type: 'string' },
      prune: { type: 'boolean' },
      'force-conflicts': { type: 'boolean' },
      'rotate-credentials': { type: 'string', multiple: true },
      'detailed-exitcode': { type: 'boolean' },
      revision: { type: 'string' },
      base: { type: 'string' },
      'out-dir': { type: 'string' },
      'run-url': { type: 'string' },
      'comment-id': { type: 'string' },
      health: { type: 'boolean' },
      sandbox: { type: 'string', multiple: true },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length > 1 || (positionals.length === 1 && values.dir !== undefined)) {
      throw new FlowsyncError('FS_CLI_USAGE', `plan: expected at most one folder (DIR or --dir), got ${[...positionals, ...(values.dir !== undefined ? [values.dir] : [])].join(' ')}`);
    }
    const dir = values.dir ?? positionals[0] ?? '.';
    const output = oneOf('plan', 'output', values.output, ['text', 'markdown', 'json'] as const, 'text');
    if (values['out-dir'] !== undefined && output !== 'markdown') throw new FlowsyncError('FS_CLI_USAGE', 'plan: --out-dir writes the markdown comment parts; use it with --output markdown');
    if (values.health && values.base === undefined) throw new FlowsyncError('FS_CLI_USAGE', 'plan: --health adds a health column to the pull-request review; use it with --base REF (`flowsync status` shows health on its own)');
    const now = nowFromEnv(io.env);
    const runUrl = values['run-url'] ?? ciRunUrl(io.env);
    const writeParts = async (parts: string[], extra: Record<string, string> = {}) => {
      if (values['out-dir'] === undefined) return;
      const dir = path.resolve(io.cwd, values['out-dir']);
      await mkdir(dir, { recursive: true });
      // Parts left over from an earlier, longer comment would be posted again: remove them.
      for (const f of await readdir(dir)) if (/^comment-\d+\.md$/.test(f)) await rm(path.join(dir, f));
      for (const [i, part] of parts.entries()) await writeFile(path.join(dir, `comment-${i + 1}.md`), part);
      for (const [name, text] of Object.entries(extra)) await writeFile(path.join(dir, name), text);
      io.stderr.write(`Wrote ${parts.length} comment part${parts.length === 1 ? '' : 's'} to ${values['out-dir']}.\n`);
    };
    if (values.base !== undefined && values.sandbox !== undefined) throw new FlowsyncError('FS_CLI_USAGE', 'plan: --sandbox cannot be combined with --base (a pull-request review covers every sandbox)');
    if (values.base !== undefined) {
      const { doc, applyPlan } = await runReview({
        root: path.resolve(io.cwd, dir),
        base: values.base,
        env: io.env,
        flags: connectFlags(values),
        now,
        ...(values.prune !== undefined ? { prune: values.prune } : {}),
        ...(values.revision ? { revision: values.revision } : {}),
        ...(values['comment-id'] ? { commentId: values['comment-id'] } : {}),
        ...(values.health ? { health: true } : {}),
      });
      if (output === 'json') io.stdout.write(renderReviewJson(doc));
      else if (output === 'markdown') {
        const parts = renderReviewMarkdown(doc, runUrl ? { runUrl } : {});
        io.stdout.write(parts.join(PART_SEPARATOR));
        await writeParts(parts, { 'review.json': renderReviewJson(doc) });
      } else io.stdout.write(renderReviewText(doc, { color: useColor(io.stdout, io.env) }));
      if (!doc.pullRequest) {
        // The comment went to stdout for CI to post; the job log gets the diagnostics as text too.
        if (output !== 'text') io.stderr.write(renderDiagnosticsText(doc.head.diagnostics, { color: useColor(io.stderr, io.env), ...(doc.folder !== '.' ? { filePrefix: doc.folder } : {}) }));
        io.stderr.write('\nThe manifests are not valid; nothing was read from or written to the API.\n');
      }
      if (values.out && applyPlan) {
        await writeFile(path.resolve(io.cwd, values.out), renderPlanJson(applyPlan));
        io.stderr.write(`Saved the plan (this pull request's manifests against live state now) to ${values.out}. Apply exactly it with: ${applyCommandLine(values.out, dir, io.cwd)}\n`);
      }
      return reviewExitCode(doc, values['detailed-exitcode'] ?? false);
    }
    const session = await resolvedRepo(dir, io, values.sandbox, connectFlags(values));
    if (!session) return 1;
    const { client, repo } = session;
    try {
      if (!repo) return 1;
      const input = {
        desired: repo.desired,
        prune: values.prune ?? repo.config.reconcile.prune,
        now,
        rotateCredentials: rotateFlag('plan', values['rotate-credentials']),
        manager: repo.manager,
        ...(values['force-conflicts'] ? { forceConflicts: true } : {}),
        ...(await planTarget(repo.config, repo.root, io.env, connectFlags(values))),
        ...(values.revision ? { revision: values.revision } : {}),
        ...(values.sandbox ? { scope: values.sandbox } : {}),
      };
      const live = await readLive(client, repo.desired, repo.config.reconcile.concurrency, scanFor(repo));
      const plan = makePlan(input, live);
      if (output === 'json') io.stdout.write(renderPlanJson(plan));
      else if (output === 'markdown') {
        const parts = renderPlanMarkdown(plan, { ...(runUrl ? { runUrl } : {}), ...(values['comment-id'] ? { id: values['comment-id'] } : {}) });
        io.stdout.write(parts.join(PART_SEPARATOR));
        await writeParts(parts);
      }
      else io.stdout.write(renderPlanText(plan, { color: useColor(io.stdout, io.env) }));
      if (values.out) {
        const file = path.resolve(io.cwd, values.out);
        await writeFile(file, renderPlanJson(plan));
        io.stderr.write(`Saved the plan to ${values.out}. Apply exactly it with: ${applyCommandLine(values.out, dir, io.cwd)}\n`);
      }
      return values['detailed-exitcode'] ? detailedExitCode(plan) : 0;
    } finally {
      client.close();
    }
  },
};
