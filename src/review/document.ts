// The result of `flowsync plan --base` as data: both plans, what they were made from, and the
// validation results. Views (text, markdown comment, JSON) render it; its JSON form is versioned
// and described by schemas/review.schema.json.
import { hasErrors, sortDiagnostics, type Diagnostic } from '../domain/diagnostics.ts';
import type { Plan } from '../domain/plan.ts';
import type { BaseStatus } from './base.ts';
import type { StatusEntry } from '../health/status-entry.ts';

export const REVIEW_FORMAT_VERSION = 1 as const;

export interface ReviewDocument {
  formatVersion: typeof REVIEW_FORMAT_VERSION;
  kind: 'flowsync-review';
  createdAt: string;
  /** Identifies the pull-request comment across runs (the `<!-- flowsync-plan: … -->` marker). */
  commentId: string;
  /** The config repo folder relative to the top of the git work tree ('.' for the top); file paths in diagnostics are relative to it. */
  folder: string;
  /** Null when the head manifests are not valid (the base is then not read). */
  base: { ref: string; commit: string; status: BaseStatus; secretsSkipped: boolean; diagnostics: Diagnostic[] } | null;
  head: { revision?: string; valid: boolean; diagnostics: Diagnostic[] };
  /** What merging changes, resolved to API actions; null when the head manifests are not valid. */
  pullRequest: Plan | null;
  /** What applying the base alone would already change; null when head or base are not valid. */
  drift: Plan | null;
  /** Activation health of the destinations this pull request changes (absent when none, or the runs could not be read). */
  health?: StatusEntry[];
}

export type ReviewOutcome = 'invalid' | 'changes' | 'no-changes';

export function reviewOutcome(doc: ReviewDocument): ReviewOutcome {
  if (!doc.head.valid || !doc.pullRequest) return 'invalid';
  const s = doc.pullRequest.summary;
  return doc.pullRequest.actions.length > 0 || s.orphan > 0 || s.conflict > 0 ? 'changes' : 'no-changes';
}

/** Terraform's -detailed-exitcode: 0 nothing to do, 2 changes, 1 error (invalid manifests). */
export function reviewExitCode(doc: ReviewDocument, detailed: boolean): number {
  const outcome = reviewOutcome(doc);
  if (outcome === 'invalid') return 1;
  return detailed && outcome === 'changes' ? 2 : 0;
}

export function invalidHeadDocument(meta: { createdAt: string; commentId: string; folder: string; revision?: string }, diagnostics: Diagnostic[]): ReviewDocument {
  return {
    formatVersion: REVIEW_FORMAT_VERSION,
    kind: 'flowsync-review',
    createdAt: meta.createdAt,
    commentId: meta.commentId,
    folder: meta.folder,
    base: null,
    head: { ...(meta.revision ? { revision: meta.revision } : {}), valid: !hasErrors(diagnostics), diagnostics: sortDiagnostics(diagnostics) },
    pullRequest: null,
    drift: null,
  };
}

export function renderReviewJson(doc: ReviewDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
