// Runs reconcile cycles one at a time. Triggers that arrive while a cycle runs coalesce into one
// follow-up cycle; between cycles a single timer waits for the (jittered) interval, or for the
// exponential back-off after a failure. A failing cycle never stops the loop.
import { nextDelay, type DelayPolicy } from './backoff.ts';
import { realTimers, type Timers } from './timers.ts';
import type { Trigger } from './types.ts';

/** 'retry' asks for back-off (transient failure); 'done' waits the normal interval. */
export type CycleVerdict = 'done' | 'retry';

export interface SchedulerOptions extends DelayPolicy {
  runCycle: (trigger: Trigger) => Promise<CycleVerdict>;
  timers?: Timers;
  random?: () => number;
  /** Called with each scheduled wait, for logs and tests. */
  onScheduled?: (info: { delayMs: number; trigger: Trigger; failures: number }) => void;
}

export class Scheduler {
  private readonly opts: SchedulerOptions;
  private readonly timers: Timers;
  private readonly random: () => number;
  private running: Promise<void> | null = null;
  private active = false; // set before the loop's first await, so a re-entrant trigger queues
  private pending: Trigger | null = null;
  private timer: unknown = null;
  private failures = 0;
  private stopped = false;
  private started = false;
  /** Triggers folded into a follow-up cycle instead of starting their own; for metrics and tests. */
  coalesced = 0;

  constructor(opts: SchedulerOptions) {
    this.opts = { ...opts };
    this.timers = opts.timers ?? realTimers;
    this.random = opts.random ?? Math.random;
  }

  /** Changes the interval from the next wait on (flowsync.yaml's daemon.interval moved). */
  setInterval(intervalMs: number): void {
    this.opts.intervalMs = intervalMs;
  }

  get intervalMs(): number {
    return this.opts.intervalMs;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  get busy(): boolean {
    return this.active;
  }

  /** Runs the startup cycle now; later cycles follow triggers and the timer. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.trigger('startup');
  }

  /** Asks for a cycle as soon as possible. During a cycle, at most one follow-up is queued. */
  trigger(trigger: Trigger): void {
    if (this.stopped) return;
    if (this.active) {
      if (this.pending === null) this.pending = trigger;
      else this.coalesced++;
      return;
    }
    this.clearTimer();
    this.active = true;
    this.running = this.loop(trigger);
  }

  /** Stops scheduling and resolves when the cycle in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = null;
    this.clearTimer();
    await this.running;
  }

  /** Resolves when no cycle is running (the timer may still be armed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(first: Trigger): Promise<void> {
    let trigger: Trigger | null = first;
    while (trigger !== null && !this.stopped) {
      let verdict: CycleVerdict;
      try {
        verdict = await this.opts.runCycle(trigger);
      } catch {
        verdict = 'retry'; // runCycle records its own errors; a throw here still must not end the loop
      }
      this.failures = verdict === 'retry' ? this.failures + 1 : 0;
      trigger = this.pending;
      this.pending = null;
    }
    this.active = false;
    this.running = null;
    if (!this.stopped) this.arm();
  }

  private arm(): void {
    const delayMs = nextDelay(this.failures, this.opts, this.random());
    const trigger: Trigger = this.failures > 0 ? 'retry' : 'interval';
    this.opts.onScheduled?.({ delayMs, trigger, failures: this.failures });
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.trigger(trigger);
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
