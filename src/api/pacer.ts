// Learning the API's rate limit from its 429s, shared by every request of one client:
// - a gate: a 429 with Retry-After pauses every new request until then, instead of each request in
//   flight discovering the limit on its own and retrying on its own schedule;
// - a pace: after a 429 the client sends at a fraction of the rate the API accepted just before
//   (multiplicative decrease), and creeps back up while no 429 comes (additive increase), so the
//   steady state sends just under the limit instead of bursting into it every window.
// The clock is passed in; nothing here sleeps.

export interface PacerOptions {
  /** Window over which the accepted rate is observed (ms, default 1000: limits are per second). */
  windowMs?: number;
  /** After a 429, send at this share of the observed rate (default 0.95). */
  decrease?: number;
  /** Every `increaseAfterMs` without a 429, the pace grows by this share (default 0.05). */
  increase?: number;
  increaseAfterMs?: number; // default 10 s
  /** Below this many requests per window a 429 only gates; no pace is learned (default 4). */
  minObserved?: number;
  /** With no 429 for this long the pace is dropped altogether (default 60 s). */
  forgetAfterMs?: number;
  /**
   * Requests sent this close after the refused one still count as accepted in its window when the
   * API accepted them: sends a few ms apart reach the API in any order (default 25 ms).
   */
  reorderMs?: number;
}

/** What a request must wait before it is sent; `gate` is the pause it must honour (an epoch ms, 0 = none). */
export interface Slot {
  waitMs: number;
  gate: number;
}

export class RatePacer {
  private readonly o: Required<PacerOptions>;
  private gateUntil = 0;
  private ratePerSecond: number | undefined;
  private nextSlot = 0;
  private lastThrottle = 0; // when the last 429 was answered
  private episodeStart = 0; // requests sent before this belong to the last decrease already
  private lastIncrease = 0;
  private unpacedUntil = 0; // a 429 came although the pace held: 429s at random, no pace helps
  // The episode's measurement: requests sent in the window before the refused one that the API
  // accepted. Answers still in flight when the 429 comes back (a 429 is often answered faster than
  // real work) are counted as they arrive, so the estimate only grows towards the true rate.
  private episodeRef = Number.NEGATIVE_INFINITY;
  private episodeCount = 0;
  private episodeCap = Number.POSITIVE_INFINITY;
  /** Send times of recent requests, with whether the API has accepted them yet (answered, not 429). */
  private readonly recent: Array<{ at: number; accepted: boolean }> = [];

  constructor(
    private readonly now: () => number,
    opts: PacerOptions = {},
  ) {
    this.o = { windowMs: 1000, decrease: 0.95, increase: 0.05, increaseAfterMs: 10_000, minObserved: 4, forgetAfterMs: 60_000, reorderMs: 25, ...opts };
  }

  /** The learned pace in requests per second, or undefined while unpaced. */
  get rate(): number | undefined {
    return this.ratePerSecond;
  }

  /** The end of the current 429 pause (epoch ms; in the past when none). */
  get pausedUntil(): number {
    return this.gateUntil;
  }

  /**
   * Reserves the next send slot. `waitedUntil` is a gate the caller has already slept through
   * (its own Retry-After), so it is not waited for twice.
   */
  reserve(waitedUntil = 0): Slot {
    const t = this.now();
    this.adjust(t);
    const gate = this.gateUntil > waitedUntil ? this.gateUntil : 0;
    let at = Math.max(t, gate);
    if (this.ratePerSecond !== undefined) {
      at = Math.max(at, this.nextSlot);
      this.nextSlot = at + 1000 / this.ratePerSecond;
    }
    return { waitMs: Math.max(0, at - t), gate: this.gateUntil };
  }

  /** A request is being sent now; returns its send time (hand it back to `answered`). */
  sent(): number {
    const at = this.now();
    this.recent.push({ at, accepted: false });
    this.prune(at);
    return at;
  }

  /**
   * The API answered the request sent at `sentAt`. For a 429, `retryAfterMs` (when given) pauses
   * everyone; returns the epoch ms until which the caller should wait (0 when there is no gate).
   */
  answered(sentAt: number, throttled: boolean, retryAfterMs?: number): number {
    if (!throttled) {
      const mine = this.recent.find((r) => r.at === sentAt && !r.accepted);
      if (mine) mine.accepted = true;
      if (this.inEpisodeWindow(sentAt)) {
        this.episodeCount += 1;
        this.learn();
      }
      return 0;
    }
    const t = this.now();
    this.lastThrottle = t;
    this.lastIncrease = t;
    if (sentAt >= this.episodeStart) {
      // One pause and one decrease per episode: requests sent before this answer or before its
      // pause ended (they had passed the gate already) say nothing new, and do not extend the pause
      // (under a storm of 429s each one would push it further and the client would crawl).
      if (retryAfterMs !== undefined) this.gateUntil = Math.max(this.gateUntil, t + retryAfterMs);
      this.episodeStart = Math.max(t, this.gateUntil);
      // Only answers count: requests still in flight may be refused too (they are added as they come back).
      this.episodeRef = sentAt;
      this.episodeCount = this.recent.filter((r) => r.accepted && this.inEpisodeWindow(r.at)).length;
      this.episodeCap = this.ratePerSecond === undefined ? Number.POSITIVE_INFINITY : Math.max(1, this.ratePerSecond * this.o.decrease);
      // Refused while sending at the pace, with the API accepting fewer than the pace allows: the
      // 429s do not come from going too fast. Gate only until they stop for forgetAfterMs.
      if (this.ratePerSecond !== undefined && this.episodeCount < (this.ratePerSecond * this.o.windowMs * this.o.decrease) / 1000) this.unpacedUntil = t + this.o.forgetAfterMs;
      // No pace until the episode shows a rate: when the API accepted only a few requests before
      // refusing one (429s at random, not a limit that slower sending avoids), the gate alone
      // works, and a pace that shrinks at every episode would not.
      this.ratePerSecond = undefined;
      this.learn();
      this.nextSlot = 0; // the gate spaces the restart; slots start again from it
    }
    return retryAfterMs !== undefined ? this.gateUntil : 0;
  }

  private inEpisodeWindow(sentAt: number): boolean {
    return sentAt > this.episodeRef - this.o.windowMs && sentAt <= this.episodeRef + this.o.reorderMs;
  }

  /** The pace from the episode's count: a share of what the API accepted, never above the cap. */
  private learn(): void {
    if (this.episodeCount < this.o.minObserved) return; // too few to tell a rate: the gate alone
    if (this.now() < this.unpacedUntil) return;
    const target = (this.episodeCount * this.o.decrease * 1000) / this.o.windowMs;
    this.ratePerSecond = Math.max(1, Math.min(this.episodeCap, target));
  }

  private adjust(t: number): void {
    if (this.ratePerSecond === undefined) return;
    if (t - this.lastThrottle >= this.o.forgetAfterMs) {
      this.ratePerSecond = undefined;
      return;
    }
    while (t - this.lastIncrease >= this.o.increaseAfterMs) {
      this.ratePerSecond *= 1 + this.o.increase;
      this.lastIncrease += this.o.increaseAfterMs;
    }
  }

  private prune(t: number): void {
    const horizon = t - 2 * this.o.windowMs;
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop]!.at < horizon) drop += 1;
    if (drop > 0) this.recent.splice(0, drop);
  }
}
