// `flowsync plan --base` in a terminal: the pull request's effect first, then pre-existing drift
// under its own warning. Each part is the ordinary plan view, so markers and detail read the same.
import type { ReviewDocument } from '../review/document.ts';
import { painter } from './color.ts';
import { renderDiagnosticsText } from './diagnostics.ts';
import { prCountsLine } from './review-markdown.ts';
import { renderPlanText } from './text.ts';

export function renderReviewText(doc: ReviewDocument, opts: { color: boolean }): string {
  const paint = painter(opts.color);
  const bold = (s: string) => paint('bold', s);
  const warn = (s: string) => paint(['yellow', 'bold'], s);
  const prefix = doc.folder === '.' ? {} : { filePrefix: doc.folder };
  if (!doc.pullRequest) {
    return `${bold('The manifests in this pull request are not valid; nothing was planned.')}\n\n${renderDiagnosticsText(doc.head.diagnostics, { color: opts.color, ...prefix })}`;
  }
  const out: string[] = [];
  const base = doc.base;
  out.push(bold(`== This pull request${base ? ` (against ${base.ref}, ${base.commit.slice(0, 12)})` : ''} ==`), '', renderPlanText(doc.pullRequest, opts));
  if (base?.status === 'invalid') {
    out.push(warn('== Pre-existing drift: unknown =='), `The manifests at ${base.ref} are not valid, so drift is not told apart: the plan above compares this pull request with live state directly.`, '');
    out.push(renderDiagnosticsText(base.diagnostics, { color: opts.color, ...prefix }));
  } else if (base && doc.drift && (doc.drift.actions.length > 0 || doc.drift.drift.length > 0)) {
    out.push(warn('== WARNING: pre-existing drift (not part of this pull request) =='), `The live org already differs from ${base.ref}; applying it alone would make these changes:`, '');
    out.push(renderPlanText({ ...doc.drift, unowned: [] }, opts));
  } else if (base) {
    out.push(bold('== Pre-existing drift: none =='), base.status === 'missing' ? `The folder does not exist at ${base.ref}.` : `The live org matches ${base.ref}.`, '');
  }
  out.push(bold(prCountsLine(doc.pullRequest)));
  return `${out.join('\n')}\n`;
}
