// The daemon: a source, a scheduler, the reconcile, and the places a cycle is recorded (status,
// metrics, logs, notifications), plus the HTTP server. One cycle = sync the source, reconcile,
// record. Errors of either step become a 'failed' outcome; nothing here throws out of a cycle.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { ERRORS, isFlowsyncError } from '../domain/errors.ts';
import { createHandler, listen, type Listening } from './http-server.ts';
import { DaemonMetrics } from './metrics.ts';
import { Notifier } from './notifier.ts';
import { stripUrlCredentials } from './redact-url.ts';
import { Scheduler, type CycleVerdict } from './scheduler.ts';
import type { ReadRepoSettings } from './repo-settings.ts';
import { StatusStore } from './status-store.ts';
import { realTimers, type Timers } from './timers.ts';
import type { BuildInfo, CycleOutcome, Mode, Reconcile, Snapshot, Source, Trigger } from './types.ts';
import type { WebhookConfig } from './webhook.ts';

export interface DaemonOptions {
  source: Source;
  reconcile: Reconcile;
  mode: Mode;
  logger: Logger;
  intervalMs: number; // default in the CLI: 5 minutes
  jitter?: number; // share of the interval randomised, default 0.1
  backoffBaseMs?: number; // first retry after a failure, default 1 s
  /** Where the HTTP server listens; null for no server. */
  listen?: { host: string; port: number } | null;
  webhook?: WebhookConfig;
  /** Fixed notification URL (--notify-url-env); otherwise flowsync.yaml's daemon.notify, if any. */
  notifyUrl?: string;
  /** Reads daemon.interval / daemon.notify from the synced folder; flags given explicitly win. */
  repoSettings?: ReadRepoSettings;
  /** True when --interval was given, so flowsync.yaml's daemon.interval does not override it. */
  intervalFixed?: boolean;
  metrics?: DaemonMetrics;
  /** Which flowsync runs: shown in /status and the flowsync_build_info metric. */
  build?: BuildInfo;
  timers?: Timers;
  random?: () => number;
  /** How long stop() waits for the cycle in flight, default 4 s (SIGTERM must exit within 5 s). */
  stopTimeoutMs?: number;
}

export interface CycleReport {
  trigger: Trigger;
  revision: string | null;
  outcome: CycleOutcome;
  startedAt: number;
  durationMs: number;
}

export class Daemon extends EventEmitter {
  readonly status: StatusStore;
  readonly metrics: DaemonMetrics;
  notifier: Notifier | null;
  server: Listening | null = null;
  private readonly opts: DaemonOptions;
  private readonly log: Logger;
  private readonly timers: Timers;
  private readonly scheduler: Scheduler;
  private readonly abort = new AbortController();
  private readonly onChange = (why: string) => {
    this.log.info({ event: 'source-changed', why }, 'source changed');
    this.scheduler.trigger('change');
  };
  private stopping: Promise<void> | null = null;

  constructor(opts: DaemonOptions) {
    super();
    this.opts = opts;
    this.log = opts.logger;
    this.timers = opts.timers ?? realTimers;
    this.metrics = opts.metrics ?? new DaemonMetrics();
    this.status = new StatusStore({ mode: opts.mode, source: opts.source.describe(), ...(opts.build ? { build: opts.build } : {}) });
    if (opts.build) this.metrics.setBuildInfo(opts.build);
    this.notifier = opts.notifyUrl ? this.makeNotifier(opts.notifyUrl) : null;
    this.scheduler = new Scheduler({
      intervalMs: opts.intervalMs,
      jitter: opts.jitter ?? 0.1,
      backoffBaseMs: opts.backoffBaseMs ?? 1_000,
      timers: this.timers,
      ...(opts.random ? { random: opts.random } : {}),
      runCycle: (trigger) => this.runCycle(trigger),
      onScheduled: ({ delayMs, trigger, failures }) => this.log.debug({ event: 'scheduled', delayMs, trigger, failures }, 'next cycle scheduled'),
    });
    this.metrics.setReady(false);
  }

  /** Starts the server, the source watcher and the first cycle. Resolves once all are listening. */
  async start(): Promise<void> {
    if (this.opts.listen) {
      const handler = createHandler({
        status: () => this.status.snapshot(),
        ready: () => this.status.ready,
        metrics: this.metrics,
        webhook: this.opts.webhook ?? {},
        logger: this.log,
        onWebhook: () => this.scheduler.trigger('webhook'),
      });
      this.server = await listen(handler, this.opts.listen.host, this.opts.listen.port);
    }
    this.opts.source.on('changed', this.onChange);
    await this.opts.source.start();
    this.log.info(
      { event: 'started', source: this.opts.source.describe(), mode: this.opts.mode, intervalMs: this.opts.intervalMs, url: this.server?.url, ...(this.opts.build ? { build: this.opts.build } : {}) },
      `flowsync ${this.opts.build ? `${this.opts.build.version} ` : ''}daemon started${this.server ? `; status ${this.server.url}/status, metrics ${this.server.url}/metrics` : ''}`,
    );
    this.scheduler.start();
  }

  /** The wait between cycles now in use (flag, flowsync.yaml or default). */
  get intervalMs(): number {
    return this.scheduler.intervalMs;
  }

  /** Asks for a cycle now (coalesced with any running one). */
  trigger(trigger: Trigger): void {
    this.scheduler.trigger(trigger);
  }

  /** Resolves when no cycle is running. */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /** One cycle without the scheduler or server (`flowsync run --once`). */
  async runOnce(trigger: Trigger = 'startup'): Promise<CycleReport> {
    return this.cycle(trigger);
  }

  /** Graceful stop: no new cycles, the cycle in flight is asked to stop after its current request. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.log.info({ event: 'stopping' }, 'stopping: finishing the cycle in flight');
    this.opts.source.off('changed', this.onChange);
    const scheduler = this.scheduler.stop();
    this.abort.abort();
    let timer: unknown;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = this.timers.setTimeout(() => resolve('timeout'), this.opts.stopTimeoutMs ?? 4_000);
    });
    const finished = await Promise.race([scheduler.then(() => 'done' as const), timeout]);
    this.timers.clearTimeout(timer);
    if (finished === 'timeout') this.log.warn({ event: 'stop-timeout' }, 'the cycle in flight did not finish in time; stopping anyway');
    await Promise.all([this.opts.source.close(), this.server?.close(), this.notifier?.flush()]);
    this.log.info({ event: 'stopped' }, 'stopped');
  }

  private async runCycle(trigger: Trigger): Promise<CycleVerdict> {
    const report = await this.cycle(trigger);
    return report.outcome.result === 'failed' ? 'retry' : 'done';
  }

  private async cycle(trigger: Trigger): Promise<CycleReport> {
    const startedAt = Date.now();
    const t0 = this.timers.now();
    const { revision, outcome, sourceReachable } = await this.syncAndReconcile(trigger);
    const report: CycleReport = { trigger, revision, outcome, startedAt, durationMs: Math.max(0, this.timers.now() - t0) };
    this.record(report, sourceReachable);
    return report;
  }

  /** Fetch, then reconcile what was fetched; either step's error becomes a 'failed' outcome. */
  private async syncAndReconcile(trigger: Trigger): Promise<{ revision: string | null; outcome: CycleOutcome; sourceReachable: boolean }> {
    let snapshot: Snapshot;
    try {
      snapshot = await this.opts.source.sync();
    } catch (err) {
      const sourceReachable = !isFlowsyncError(err, 'FS_SOURCE_GIT');
      return { revision: null, outcome: failedOutcome(err, this.status.apiReachable), sourceReachable };
    }
    await this.applyRepoSettings(snapshot.dir);
    try {
      const input = { dir: snapshot.dir, revision: snapshot.revision, trigger, mode: this.opts.mode };
      return { revision: snapshot.revision, outcome: await this.opts.reconcile(input, this.abort.signal), sourceReachable: true };
    } catch (err) {
      return { revision: snapshot.revision, outcome: failedOutcome(err, !isFlowsyncError(err, 'FS_API_UNAVAILABLE')), sourceReachable: true };
    }
  }

  private async applyRepoSettings(dir: string): Promise<void> {
    if (!this.opts.repoSettings) return;
    try {
      const settings = await this.opts.repoSettings(dir);
      const intervalMs = this.opts.intervalFixed ? this.opts.intervalMs : (settings.intervalMs ?? this.opts.intervalMs);
      if (intervalMs !== this.scheduler.intervalMs) {
        this.log.info({ event: 'interval-changed', intervalMs }, 'interval changed by flowsync.yaml');
        this.scheduler.setInterval(intervalMs);
      }
      if (settings.notifyUrl && !this.opts.notifyUrl) {
        if (this.notifier) this.notifier.setUrl(settings.notifyUrl);
        else this.notifier = this.makeNotifier(settings.notifyUrl);
      }
    } catch (err) {
      // An unresolvable notify reference must not stop reconciling; the log says why.
      this.log.warn({ event: 'repo-settings', reason: err instanceof Error ? err.message : String(err) }, 'daemon settings in flowsync.yaml could not be read');
    }
  }

  private makeNotifier(url: string): Notifier {
    return new Notifier({ url, logger: this.log, onSent: (o) => this.metrics.notification(o) });
  }

  /** Status, metrics, logs and notifications of one cycle, all in one place. */
  private record(report: CycleReport, sourceReachable: boolean): void {
    const { outcome, revision, trigger } = report;
    this.status.record({ trigger, revision, startedAt: report.startedAt, durationMs: report.durationMs, outcome, sourceReachable });
    this.metrics.recordCycle(trigger, outcome, report.durationMs, report.startedAt + report.durationMs);
    this.metrics.setEntities(this.status.conditions());
    this.metrics.setHealth(this.status.conditions().filter((e) => e.kind === 'destination'));
    this.metrics.countRuns(outcome.entities);
    const inForce = this.status.revisionInForce;
    if (inForce) this.metrics.setRevisionInForce(inForce);
    this.metrics.setReady(this.status.ready);

    for (const c of outcome.changes) {
      this.log.info({ event: 'change', revision, sandbox: c.sandbox, destination: c.name, action: c.action, summary: c.summary }, `${c.action} ${c.sandbox}/${c.name}: ${c.summary}`);
    }
    for (const d of outcome.drift) {
      const line = { event: 'drift', revision, sandbox: d.sandbox, destination: d.name, policy: d.policy, healed: d.healed, fields: d.fields, changedBy: d.changedBy };
      this.log.warn(line, `drift on ${d.sandbox}/${d.name} (${d.fields.join(', ')})${d.healed ? ': healed' : ': left alone'}`);
    }
    for (const diag of outcome.diagnostics ?? []) {
      this.log.warn({ event: 'diagnostic', revision, file: diag.file, line: diag.line }, diag.summary);
    }
    const summary = { event: 'cycle', trigger, revision, result: outcome.result, durationMs: report.durationMs, changes: outcome.changes.length, drifted: outcome.drift.filter((d) => !d.healed).length, ...(outcome.read ? { read: outcome.read } : {}) };
    if (outcome.error) this.log.error({ ...summary, code: outcome.error.code, reason: outcome.error.message, hint: outcome.error.hint }, `cycle ${outcome.result}: ${outcome.error.message}`);
    else if (outcome.result === 'success' || outcome.result === 'suspended') this.log.info(summary, `cycle ${outcome.result}`);
    else this.log.warn(summary, `cycle ${outcome.result}`);

    this.notifier?.observe(outcome, { revision, mode: this.opts.mode });
    this.emit('cycle', report);
  }
}

function failedOutcome(err: unknown, apiReachable: boolean): CycleOutcome {
  const error = isFlowsyncError(err)
    ? { code: err.code, message: err.message, hint: err.hint }
    : { code: 'FS_DAEMON_CYCLE', message: stripUrlCredentials(err instanceof Error ? err.message : String(err)), hint: ERRORS.FS_DAEMON_CYCLE };
  return { result: 'failed', entities: [], changes: [], drift: [], error, apiReachable };
}
