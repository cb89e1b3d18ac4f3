// The request log and counters behind the admin API. The log is capped (oldest entries go first);
// the counters count every request since the last reset.
import type { RequestCounters, RequestLogEntry } from './types.ts';

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private totals: RequestCounters = RequestLog.emptyCounters();

  constructor(private readonly limit: number) {}

  static emptyCounters(): RequestCounters {
    return { total: 0, writes: 0, byMethod: {}, byStatus: {} };
  }

  add(entry: Omit<RequestLogEntry, 'seq'>): void {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    const t = this.totals;
    t.total++;
    if (entry.write) t.writes++;
    t.byMethod[entry.method] = (t.byMethod[entry.method] ?? 0) + 1;
    t.byStatus[String(entry.status)] = (t.byStatus[String(entry.status)] ?? 0) + 1;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  counters(): RequestCounters {
    const t = this.totals;
    return { total: t.total, writes: t.writes, byMethod: { ...t.byMethod }, byStatus: { ...t.byStatus } };
  }

  reset(): void {
    this.entries = [];
    this.totals = RequestLog.emptyCounters();
  }
}
