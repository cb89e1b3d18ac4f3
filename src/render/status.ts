// Views of `flowsync status`: a table (one line per destination, then why each one that is not
// Synced and Healthy is not) and versioned JSON (schemas/status.schema.json). No I/O.
import type { DestinationStatus } from '../health/destinations.ts';
import { formatMs } from '../health/rule.ts';
import { iso, statusJson } from '../health/status-entry.ts';

export { STATUS_FORMAT_VERSION, statusEntry, statusJson, type StatusEntry } from '../health/status-entry.ts';

export function renderStatusJson(rows: readonly DestinationStatus[], now: number): string {
  return `${JSON.stringify(statusJson(rows, now), null, 2)}\n`;
}

export function renderStatusText(rows: readonly DestinationStatus[], now: number): string {
  if (rows.length === 0) return 'No destinations in the manifests.\n';
  const header = ['SANDBOX', 'DESTINATION', 'SYNC', 'HEALTH', 'LAST RUN', 'ACTIVATED', 'FAILED'];
  const lines = rows.map((r) => [
    r.sandbox,
    r.name,
    r.sync,
    r.health,
    r.lastRun ? `${iso(r.lastRun.createdAt)} (${formatMs(Math.max(0, now - r.lastRun.createdAt))} ago)` : '-',
    String(r.records.activated),
    String(r.records.failed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 5 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  const out = [fmt(header), ...lines.map(fmt)];
  // a destination disabled as its manifest asks needs no explanation
  const unwell = (r: DestinationStatus) => r.health !== 'Healthy' && !(r.health === 'Disabled' && !r.enabled);
  const notes = rows.filter((r) => r.sync !== 'Synced' || unwell(r));
  if (notes.length > 0) out.push('');
  for (const r of notes) {
    if (r.sync !== 'Synced') out.push(`${r.sandbox}/${r.name}: ${r.sync}: ${r.syncMessage ?? ''}`.trimEnd());
    if (unwell(r)) out.push(`${r.sandbox}/${r.name}: ${r.health} (${r.reason}): ${r.message}`);
  }
  const window = new Set(rows.map((r) => formatMs(r.windowMs)));
  out.push('', `Records are counted over the health window (${[...window].join(', ')}); see README "Activation health".`);
  return `${out.join('\n')}\n`;
}
