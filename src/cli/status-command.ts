// `flowsync status`: sync and activation health of every destination, without a daemon. Reads live
// state (as plan does) and the runs of each sandbox (one paged GET /runs per sandbox), never writes.
import { FlowsyncError } from '../domain/errors.ts';
import { destinationStatuses, runWindows, statusExitCode } from '../health/destinations.ts';
import { readRunsBySandbox } from '../health/runs.ts';
import { parseDuration } from '../manifest/config.ts';
import { connect } from '../reconcile/connect.ts';
import { makePlan, readLive, scanFor } from '../reconcile/reconcile.ts';
import { planTarget } from '../reconcile/target.ts';
import { renderStatusJson, renderStatusText } from '../render/status.ts';
import { oneOf, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, connectFlags, loadRepoOrReport, resolveOrReport, scopeRepo } from './common.ts';

const USAGE = `Usage: flowsync status [DIR] [flags]

One line per destination the manifests in DIR name (default: the current folder): its sandbox,
name, sync state (does live match git?), activation health (is it delivering?), last dataflow run
and the records activated and failed in the health window. Reads only; needs no daemon.

Sync:    Synced, OutOfSync (apply would change it), Missing (no dataflow yet), Conflict (another
         manager's). Health: Healthy, Degraded, Failed, Disabled, Unknown (docs/concepts/drift-and-health.md).

Flags:
  --dir DIR             the config repo folder (the same as the positional DIR)
  --sandbox S           only the destinations of sandbox S
  --output FORMAT       text (default) or json (schemas/status.schema.json)
  --watch               print again every --interval until Ctrl-C
  --interval DURATION   time between prints with --watch (default 10s)

Exit codes (the worst that applies): 0 every destination Synced and Healthy (or Disabled as its
manifest asks), 2 one is not Synced, 3 one is Degraded or Unknown, 4 one is Failed, 1 error.

${CONNECT_USAGE}
`;

/**
 * For --watch: SIGINT/SIGTERM, from the first print on, end the loop after the print in progress
 * (the default handler would kill the process mid-read, without the exit code).
 */
class WatchStop {
  stopped = false;
  private wake: (() => void) | undefined;
  private readonly onSignal = () => {
    this.stopped = true;
    this.wake?.();
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Resolves after `ms`, or at once when a signal came. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show sync and activation health of every destination (no daemon needed)',
  usage: USAGE,
  exitCodes: [
    { code: 0, when: 'every destination Synced and Healthy (or Disabled as its manifest asks)' },
    { code: 1, when: 'an error or invalid manifests' },
    { code: 2, when: 'a destination is not Synced (the worst that applies wins: 4, then 3, then 2)' },
    { code: 3, when: 'a destination is Degraded or Unknown' },
    { code: 4, when: 'a destination is Failed' },
  ],
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('status', argv, {
      dir: { type: 'string' },
      sandbox: { type: 'string' },
      output: { type: 'string' },
      watch: { type: 'boolean' },
      interval: { type: 'string' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length > 1 || (positionals.length === 1 && values.dir !== undefined)) {
      throw new FlowsyncError('FS_CLI_USAGE', `status: expected at most one folder (DIR or --dir), got ${[...positionals, ...(values.dir !== undefined ? [values.dir] : [])].join(' ')}`);
    }
    const output = oneOf('status', 'output', values.output, ['text', 'json'] as const, 'text');
    const intervalMs = values.interval === undefined ? 10_000 : parseDuration(values.interval);
    if (intervalMs === undefined || intervalMs < 100) throw new FlowsyncError('FS_CLI_USAGE', `status: --interval must be a duration of at least 100ms, like 10s or 1m (got "${values.interval}")`);
    const loaded = await loadRepoOrReport(values.dir ?? positionals[0] ?? '.', io, { secretsOptional: true });
    if (!loaded) return 1;
    const sandbox = values.sandbox;
    // Limited to one sandbox, the others are neither resolved nor read, as for plan --sandbox.
    const repo = scopeRepo('status', loaded, sandbox === undefined ? undefined : [sandbox]);
    const client = await connect(repo.config, { root: repo.root, env: io.env, flags: connectFlags(values) });
    const watch = values.watch ? new WatchStop() : undefined;
    try {
      for (;;) {
        const now = Date.now();
        const target = await planTarget(repo.config, repo.root, io.env, connectFlags(values));
        // Audiences are looked up again on every --watch round: a rename or a deletion in AEP shows.
        const resolved = await resolveOrReport(client, repo, io);
        if (!resolved) return 1;
        const live = await readLive(client, resolved.desired, repo.config.reconcile.concurrency, scanFor(resolved));
        const plan = makePlan({ desired: resolved.desired, prune: repo.config.reconcile.prune, now: new Date(now), manager: repo.manager, ...target }, live);
        const runs = await readRunsBySandbox(client, runWindows(resolved.desired, sandbox), now);
        const rows = destinationStatuses({ desired: resolved.desired, live, plan, runs, manager: repo.manager, now, ...(sandbox !== undefined ? { sandbox } : {}) });
        if (watch && output === 'text' && io.stdout.isTTY) io.stdout.write('\x1b[2J\x1b[H');
        io.stdout.write(output === 'json' ? renderStatusJson(rows, now) : renderStatusText(rows, now));
        const code = statusExitCode(rows);
        if (!watch) return code;
        await watch.sleep(intervalMs);
        if (watch.stopped) return code;
        if (output === 'text') io.stdout.write('\n');
      }
    } finally {
      watch?.close();
      client.close();
    }
  },
};
