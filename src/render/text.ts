// The plan as a reviewer reads it in a terminal: Terraform-like markers, grouped by sandbox and
// destination, selector-level detail, drift apart, a closing counts line. Colour only when asked
// (the caller decides: src/render/color.ts).
import type { Plan } from '../domain/plan.ts';
import { painter } from './color.ts';
import { actionDetails, actionHeadline, addressLabel, CONFLICTS_TITLE, conflictText, countsLine, driftChangeLine, driftVerdict, groupActions, keepDriftHint, LABELS_TITLE, labelText, lastWriteText, MARKERS, ORPHANS_TITLE, orphanText } from './plan-common.ts';

const MARKER_COLOR = { create: 'green', update: 'yellow', delete: 'red', replace: 'cyan' } as const;

export function renderPlanText(plan: Plan, opts: { color: boolean }): string {
  const paint = painter(opts.color);
  const lines: string[] = [];
  const meta = [plan.org && `org ${plan.org}`, plan.revision && `revision ${plan.revision}`, plan.prune && 'prune on'].filter(Boolean);
  lines.push(paint('bold', `flowsync plan${meta.length ? ` (${meta.join(', ')})` : ''}`), '');
  for (const { sandbox, groups } of groupActions(plan)) {
    lines.push(paint('bold', `Sandbox ${sandbox}`));
    for (const g of groups) {
      lines.push(`  ${paint('bold', addressLabel(g.address))}`);
      for (const a of g.actions) {
        const marker = MARKERS[a.change];
        lines.push(`  ${paint(MARKER_COLOR[a.change], marker.padStart(3))} ${actionHeadline(a)}`);
        for (const d of actionDetails(a)) {
          const m = d.marker ? paint(d.marker === '+' ? 'green' : 'red', d.marker) : ' ';
          lines.push(`        ${m} ${d.text}`);
        }
      }
      lines.push('');
    }
  }
  if (plan.drift.length > 0) {
    lines.push(paint('bold', 'Drift (changed outside flowsync)'));
    for (const item of plan.drift) {
      lines.push(`  ${paint('yellow', '!')} ${item.sandbox}/${item.resource}/${item.destination}: ${lastWriteText(item.lastWrite)}; ${driftVerdict(item.drift)}`);
      for (const c of item.changes) lines.push(`        ${driftChangeLine(c)}`);
    }
    const keep = keepDriftHint(plan);
    if (keep) lines.push(`  ${keep}`);
    lines.push('');
  }
  if (plan.labels?.length) {
    lines.push(paint('bold', LABELS_TITLE));
    for (const l of plan.labels) lines.push(`  ${paint('dim', '~')} ${labelText(l)}`);
    lines.push('');
  }
  if (plan.conflicts.length > 0) {
    lines.push(paint('bold', CONFLICTS_TITLE));
    for (const c of plan.conflicts) lines.push(`  ${paint('red', '!')} ${conflictText(c)}`);
    lines.push('');
  }
  if (plan.orphans.length > 0) {
    lines.push(paint('bold', ORPHANS_TITLE));
    for (const o of plan.orphans) lines.push(`  ${paint('yellow', '?')} ${orphanText(o)}`);
    lines.push('');
  }
  if (plan.unowned.length > 0) {
    lines.push(paint('bold', `Not managed by flowsync (left alone): ${plan.unowned.length}`));
    for (const u of plan.unowned) lines.push(paint('dim', `  ${u.sandbox} ${u.resource} ${JSON.stringify(u.name)} (${u.id})`));
    lines.push('');
  }
  if (plan.warnings.length > 0) {
    lines.push(paint('bold', 'Warnings'));
    for (const w of plan.warnings) lines.push(`  ${paint('yellow', '!')} ${w}`);
    lines.push('');
  }
  lines.push(paint('bold', countsLine(plan)));
  return `${lines.join('\n')}\n`;
}
