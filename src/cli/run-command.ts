// `flowsync run`: the daemon. Follows a git branch (or watches a folder), reconciles on changes,
// webhooks and an interval, serves health, readiness, metrics and status, and stops cleanly on
// SIGTERM/SIGINT.
import { CACHE_DIR_ENV, DEFAULT_CACHE_DIR, DEFAULT_INTERVAL, DEFAULT_LISTEN, DEFAULT_POLL, LISTEN_ENV, runSettings, type RunSettings } from '../daemon/run-options.ts';
import type { Source } from '../daemon/types.ts';
import { parseFlags } from './args.ts';
import { buildInfo } from './build-info.ts';
import type { Command, CommandIO } from './command.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, connectFlags } from './common.ts';

const USAGE = `Usage: flowsync run (--repo URL|PATH [--branch B] [--path SUBDIR] | --dir FOLDER) [flags]

Keeps AEP in line with git: reconciles at start, on every new commit or folder change, on a
webhook, and every --interval to catch drift. Runs until SIGTERM or Ctrl-C.

Source (exactly one):
  --repo URL|PATH          git repository to follow (https, ssh, file URL or local path)
  --branch NAME            branch to follow (default main)
  --path SUBDIR            folder inside the repository holding flowsync.yaml and the manifests
  --cache-dir DIR          where the repository is cloned (default $${CACHE_DIR_ENV}, else
                           ${DEFAULT_CACHE_DIR})
  --git-token-env VAR      HTTPS token for the repository, read from this variable (sent as a
                           per-command git header; never in argv or the clone's .git/config)
  --git-token-file FILE    ... or from this file (trailing newline ignored)
  --poll DURATION          how often to ask the remote for new commits (default ${DEFAULT_POLL}; 0 = off)
  --dir FOLDER             a local folder to watch instead (changes apply within a second)

Reconciling:
  --mode apply|observe     observe reports drift and pending changes and writes nothing (default apply)
  --interval DURATION      drift check interval, jittered ±10% (default: daemon.interval in
                           flowsync.yaml, else ${DEFAULT_INTERVAL}); e.g. 30s, 5m, 1h
  --allow-mass-delete      allow a plan that deletes more than reconcile.maxDeleteRatio of owned entities
  --once                   run one cycle and exit (0 success or suspended, 1 otherwise)

HTTP (/healthz, /readyz, /metrics, /status, POST /webhook):
  --listen HOST:PORT       address to serve on (default $${LISTEN_ENV}, else ${DEFAULT_LISTEN};
                           "off" for none)
  --webhook-secret-env VAR shared secret for X-Hub-Signature-256, read from this variable
  --webhook-secret-file F  ... or from this file (trailing newline ignored)
  --webhook-insecure       accept unsigned webhooks when no secret is set (trusted networks only)

Notifications and logs:
  --notify-url-env VAR     post Slack-compatible messages to the URL in this variable
                           (default: daemon.notify.webhookUrl in flowsync.yaml, if set)
  --log-level LEVEL        trace, debug, info (default), warn, error

${CONNECT_USAGE}
`;

const OPTIONS = {
  ...CONNECT_OPTIONS,
  repo: { type: 'string' },
  branch: { type: 'string' },
  path: { type: 'string' },
  dir: { type: 'string' },
  'cache-dir': { type: 'string' },
  'git-token-env': { type: 'string' },
  'git-token-file': { type: 'string' },
  poll: { type: 'string' },
  mode: { type: 'string' },
  interval: { type: 'string' },
  'allow-mass-delete': { type: 'boolean' },
  once: { type: 'boolean' },
  listen: { type: 'string' },
  'webhook-secret-env': { type: 'string' },
  'webhook-secret-file': { type: 'string' },
  'webhook-insecure': { type: 'boolean' },
  'notify-url-env': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

async function makeSource(settings: RunSettings, cwd: string): Promise<Source> {
  const s = settings.source;
  if (s.kind === 'git') return new (await import('../daemon/git-source.ts')).GitSource({ ...s, cwd });
  return new (await import('../daemon/folder-source.ts')).FolderSource({ dir: s.dir, cwd });
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      process.once(sig, () => process.exit(130));
      resolve(sig);
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the daemon: follow git, heal or report drift, serve status and metrics',
  usage: USAGE,
  exitCodes: [
    { code: 0, when: 'stopped by SIGTERM or SIGINT after a clean shutdown; with --once: the cycle succeeded or reconciliation is suspended' },
    { code: 1, when: 'an error at start; with --once: the cycle failed, was invalid or was refused' },
    { code: 130, when: 'a second SIGTERM or SIGINT during shutdown' },
  ],
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values } = parseFlags('run', argv, OPTIONS, false);
    const settings = await runSettings(values, io);
    // The daemon's modules (pino, prom-client, simple-git, chokidar) load here, for \`run\` only: the
    // bundle evaluates them lazily, so every other command starts without them.
    const [{ Daemon }, { createLogger }, { DaemonMetrics }, { createReconcile }, { repoSettingsReader }] = await Promise.all([
      import('../daemon/daemon.ts'),
      import('../daemon/logger.ts'),
      import('../daemon/metrics.ts'),
      import('../daemon/reconcile-factory.ts'),
      import('../daemon/repo-settings.ts'),
    ]);
    const logger = createLogger({ level: settings.logLevel, stream: io.stdout, env: io.env });
    for (const warning of settings.warnings) logger.warn({ event: 'repo-credentials' }, warning);
    const metrics = new DaemonMetrics();
    const reconcile = createReconcile({ env: io.env, connect: connectFlags(values), allowMassDelete: settings.allowMassDelete, logger, onClientEvent: metrics.onClientEvent });
    const daemon = new Daemon({
      source: await makeSource(settings, io.cwd),
      reconcile,
      mode: settings.mode,
      logger,
      metrics,
      build: buildInfo(),
      intervalMs: settings.intervalMs,
      intervalFixed: settings.intervalFixed,
      repoSettings: repoSettingsReader(io.env),
      listen: settings.once ? null : settings.listen,
      webhook: settings.webhook,
      ...(settings.notifyUrl ? { notifyUrl: settings.notifyUrl } : {}),
    });
    if (settings.once) {
      const report = await daemon.runOnce('startup');
      await daemon.stop();
      return report.outcome.result === 'success' || report.outcome.result === 'suspended' ? 0 : 1;
    }
    const signal = untilSignal();
    await daemon.start();
    logger.info({ event: 'signal', signal: await signal }, 'shutting down');
    await daemon.stop();
    return 0;
  },
};
