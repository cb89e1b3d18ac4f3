// `flowsync plan`: read live state, diff it against the manifests, print the ordered plan.
// Never writes to the API, whatever the flags.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';
import { connect } from '../reconcile/connect.ts';
import { makePlan, readLive } from '../reconcile/reconcile.ts';
import { renderPlanJson } from '../render/json.ts';
import { renderPlanMarkdown } from '../render/markdown.ts';
import { renderPlanText } from '../render/text.ts';
import { oneOf, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, connectFlags, loadRepoOrReport, useColor } from './common.ts';

const USAGE = `Usage: flowsync plan [DIR] [flags]

Reads the live Flow Service state of every sandbox the manifests name, compares it with the
manifests in DIR (default: the current folder) and prints what apply would do, in order.
plan only reads: it never writes to the API.

Flags:
  --output FORMAT       text (default), markdown (pull-request comment) or json (versioned plan)
  --out FILE            also save the plan as JSON; \`flowsync apply FILE\` applies exactly it
  --prune               include deletions of owned entities whose manifests are gone
  --detailed-exitcode   exit 0 when there are no changes, 2 when there are, 1 on error
                        (without it: 0 unless there is an error)
  --revision REV        record the manifests' git revision in the plan
${CONNECT_USAGE}
`;

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what apply would change (text, markdown or JSON); never writes',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('plan', argv, {
      output: { type: 'string' },
      out: { type: 'string' },
      prune: { type: 'boolean' },
      'detailed-exitcode': { type: 'boolean' },
      revision: { type: 'string' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length > 1) throw new FlowsyncError('FS_CLI_USAGE', `plan: expected at most one folder, got ${positionals.join(' ')}`);
    const output = oneOf('plan', 'output', values.output, ['text', 'markdown', 'json'] as const, 'text');
    const repo = await loadRepoOrReport(positionals[0] ?? '.', io);
    if (!repo) return 1;
    const client = await connect(repo.config, { root: repo.root, env: io.env, flags: connectFlags(values) });
    try {
      const input = {
        desired: repo.desired,
        prune: values.prune ?? repo.config.reconcile.prune,
        now: new Date(),
        ...(repo.config.org ? { org: repo.config.org } : {}),
        ...(values.revision ? { revision: values.revision } : {}),
      };
      const live = await readLive(client, repo.desired, repo.config.reconcile.concurrency);
      const plan = makePlan(input, live);
      if (output === 'json') io.stdout.write(renderPlanJson(plan));
      else if (output === 'markdown') io.stdout.write(renderPlanMarkdown(plan).join('\n\n<!-- flowsync: next part -->\n\n'));
      else io.stdout.write(renderPlanText(plan, { color: useColor(io.stdout, io.env) }));
      if (values.out) {
        const file = path.resolve(io.cwd, values.out);
        await writeFile(file, renderPlanJson(plan));
        io.stderr.write(`Saved the plan to ${values.out}. Apply exactly it with: flowsync apply ${values.out}\n`);
      }
      return values['detailed-exitcode'] && plan.actions.length > 0 ? 2 : 0;
    } finally {
      client.close();
    }
  },
};
