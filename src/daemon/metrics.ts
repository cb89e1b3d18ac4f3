// Prometheus metrics of one daemon, in a registry of its own (never prom-client's global one, so
// two daemons in one process, or a test, never share counters). Prefix `flowsync_` on ours; the
// default Node.js process metrics keep their standard names (process_*, nodejs_*), as Prometheus
// naming asks. States are labels with one series per state (1 for the current one), not numbers.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClientEvent } from '../api/options.ts';
import type { BreakerState } from '../api/limits.ts';
import { HEALTHS } from '../health/rule.ts';
import { CONDITIONS, type BuildInfo, type CycleOutcome, type EntityStatus, type Trigger } from './types.ts';

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half-open', 'open'];

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly cycleDuration: Histogram<'result'>;
  private readonly cycles: Counter<'result' | 'trigger'>;
  private readonly cycleReads: Counter<'read'>;
  private readonly entities: Gauge<'kind' | 'condition'>;
  private readonly changes: Counter<'action'>;
  private readonly driftEvents: Counter<'policy' | 'healed'>;
  private readonly apiRequests: Counter<'method' | 'status'>;
  private readonly apiRequestDuration: Histogram<'method'>;
  private readonly apiRetries: Counter<'reason'>;
  private readonly budget: Gauge;
  private budgetShown = false;
  private readonly breaker: Gauge<'state'>;
  private readonly destinationHealth: Gauge<'sandbox' | 'destination' | 'health'>;
  private readonly destinationRecords: Counter<'sandbox' | 'destination' | 'result'>;
  /** Per destination, the ids of the runs already counted (the runs of the last health window). */
  private countedRuns = new Map<string, Set<string>>();
  private readonly lastSuccess: Gauge;
  private readonly revisionInfo: Gauge<'revision'>;
  private readonly suspended: Gauge;
  private readonly ready: Gauge;
  private readonly webhooks: Counter<'outcome'>;
  private readonly notifications: Counter<'outcome'>;
  private readonly buildInfo: Gauge<'version' | 'revision' | 'node'>;
  private shownRevision: string | null = null;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.cycleDuration = new Histogram({
      name: 'flowsync_cycle_duration_seconds',
      help: 'Duration of reconcile cycles (source sync included), by result.',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.cycles = new Counter({ name: 'flowsync_cycles_total', help: 'Reconcile cycles, by result and trigger.', labelNames: ['result', 'trigger'], registers });
    // A light read asks only what changed since the last read; a full one lists the whole org (daemon.resync).
    this.cycleReads = new Counter({ name: 'flowsync_cycle_reads_total', help: 'How cycles read the org: light (only what changed since the last read) or full (every entity listed).', labelNames: ['read'], registers });
    for (const read of ['light', 'full']) this.cycleReads.inc({ read }, 0);
    this.entities = new Gauge({ name: 'flowsync_entities', help: 'Owned accounts and destinations, by kind and condition, as of the last cycle.', labelNames: ['kind', 'condition'], registers });
    this.changes = new Counter({ name: 'flowsync_changes_total', help: 'Writes made to the Flow Service API by cycles, by action.', labelNames: ['action'], registers });
    this.driftEvents = new Counter({ name: 'flowsync_drift_detected_total', help: 'Drifted destinations found by cycles, by drift policy and whether they were healed.', labelNames: ['policy', 'healed'], registers });
    this.apiRequests = new Counter({ name: 'flowsync_api_requests_total', help: 'Flow Service API requests, by method and HTTP status (0 = no response).', labelNames: ['method', 'status'], registers });
    this.apiRequestDuration = new Histogram({ name: 'flowsync_api_request_duration_seconds', help: 'Flow Service API request duration, by method.', labelNames: ['method'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
    this.apiRetries = new Counter({ name: 'flowsync_api_retries_total', help: 'Flow Service API retries, by reason.', labelNames: ['reason'], registers });
    // registered on the first budget report: without a budget the series is absent, not 0
    this.budget = new Gauge({ name: 'flowsync_api_request_budget_remaining', help: 'Requests left in the client request budget (absent when no budget is configured).', registers: [] });
    this.breaker = new Gauge({ name: 'flowsync_api_circuit_breaker_state', help: 'API circuit breaker: 1 for the current state (closed, half-open, open), 0 for the others.', labelNames: ['state'], registers });
    this.setBreaker('closed');
    this.destinationHealth = new Gauge({
      name: 'flowsync_destination_health',
      help: 'Activation health of each destination: 1 for its current health (Healthy, Degraded, Failed, Disabled, Unknown), 0 for the others.',
      labelNames: ['sandbox', 'destination', 'health'],
      registers,
    });
    this.destinationRecords = new Counter({
      name: 'flowsync_destination_records_total',
      help: 'Records of finished dataflow runs, by destination and result (activated, failed); each run counted once.',
      labelNames: ['sandbox', 'destination', 'result'],
      registers,
    });
    this.lastSuccess = new Gauge({ name: 'flowsync_last_success_timestamp_seconds', help: 'Unix time of the last successful cycle.', registers });
    this.revisionInfo = new Gauge({ name: 'flowsync_revision_info', help: 'Always 1; the label is the revision in force (last successfully applied).', labelNames: ['revision'], registers });
    this.suspended = new Gauge({ name: 'flowsync_suspended', help: '1 while reconciliation is suspended in flowsync.yaml.', registers });
    this.ready = new Gauge({ name: 'flowsync_ready', help: '1 when /readyz answers 200.', registers });
    this.webhooks = new Counter({ name: 'flowsync_webhook_requests_total', help: 'Incoming webhook requests, by outcome.', labelNames: ['outcome'], registers });
    this.notifications = new Counter({ name: 'flowsync_notifications_total', help: 'Outgoing notifications, by outcome (sent, failed).', labelNames: ['outcome'], registers });
    this.buildInfo = new Gauge({ name: 'flowsync_build_info', help: 'Always 1; the labels say which flowsync runs: version, git revision it was built from, Node.js version.', labelNames: ['version', 'revision', 'node'], registers });
  }

  recordCycle(trigger: Trigger, outcome: CycleOutcome, durationMs: number, now: number): void {
    this.cycleDuration.observe({ result: outcome.result }, durationMs / 1000);
    this.cycles.inc({ result: outcome.result, trigger });
    if (outcome.read) this.cycleReads.inc({ read: outcome.read });
    for (const change of outcome.changes) this.changes.inc({ action: change.action });
    for (const d of outcome.drift) this.driftEvents.inc({ policy: d.policy, healed: String(d.healed) });
    if (outcome.result === 'success' || outcome.result === 'suspended') this.lastSuccess.set(now / 1000);
    this.suspended.set(outcome.result === 'suspended' ? 1 : 0);
  }

  /** Sets the entity gauges from the conditions currently held in the status store. */
  setEntities(entities: readonly { kind: string; condition: string }[]): void {
    this.entities.reset();
    for (const kind of ['account', 'destination']) for (const condition of CONDITIONS) this.entities.set({ kind, condition }, 0);
    for (const e of entities) this.entities.inc({ kind: e.kind, condition: e.condition });
  }

  /** Sets the health gauge from the status store's destinations (their last known health). */
  setHealth(destinations: readonly { sandbox: string; name: string; health?: { health: string } }[]): void {
    this.destinationHealth.reset();
    for (const d of destinations) {
      if (!d.health) continue;
      for (const health of HEALTHS) this.destinationHealth.set({ sandbox: d.sandbox, destination: d.name, health }, health === d.health.health ? 1 : 0);
    }
  }

  /** Counts the records of runs this daemon has not counted yet (a cycle sees the whole health window). */
  countRuns(entities: readonly EntityStatus[]): void {
    for (const e of entities) {
      if (!e.activation) continue;
      const key = `${e.sandbox}\0${e.name}`;
      const seen = this.countedRuns.get(key) ?? new Set<string>();
      const labels = { sandbox: e.sandbox, destination: e.name };
      let activated = 0;
      let failed = 0;
      for (const r of e.activation.runs) {
        if (seen.has(r.id)) continue;
        activated += r.activated;
        failed += r.failed;
      }
      this.destinationRecords.inc({ ...labels, result: 'activated' }, activated);
      this.destinationRecords.inc({ ...labels, result: 'failed' }, failed);
      // only the window's runs are remembered: an older run never comes back in a later read
      this.countedRuns.set(key, new Set(e.activation.runs.map((r) => r.id)));
    }
  }

  private setBreaker(state: BreakerState): void {
    for (const s of BREAKER_STATES) this.breaker.set({ state: s }, s === state ? 1 : 0);
  }

  setRevisionInForce(revision: string): void {
    if (revision === this.shownRevision) return;
    this.revisionInfo.reset();
    this.revisionInfo.set({ revision }, 1);
    this.shownRevision = revision;
  }

  setBuildInfo(build: BuildInfo): void {
    this.buildInfo.reset();
    this.buildInfo.set({ version: build.version, revision: build.revision, node: build.node }, 1);
  }

  setReady(ready: boolean): void {
    this.ready.set(ready ? 1 : 0);
  }

  webhook(outcome: 'accepted' | 'ignored' | 'ping' | 'unauthorized' | 'too-large' | 'bad-request'): void {
    this.webhooks.inc({ outcome });
  }

  notification(outcome: 'sent' | 'failed'): void {
    this.notifications.inc({ outcome });
  }

  /** Feed for the API client's `onEvent` option. */
  onClientEvent = (e: ClientEvent): void => {
    switch (e.type) {
      case 'request':
        this.apiRequests.inc({ method: e.method.toUpperCase(), status: String(e.status) });
        this.apiRequestDuration.observe({ method: e.method.toUpperCase() }, e.durationMs / 1000);
        return;
      case 'retry':
        this.apiRetries.inc({ reason: e.reason });
        return;
      case 'budget':
        if (!this.budgetShown) {
          this.registry.registerMetric(this.budget);
          this.budgetShown = true;
        }
        this.budget.set(e.remaining);
        return;
      case 'breaker':
        this.setBreaker(e.state);
        return;
      case 'token':
        return;
    }
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
