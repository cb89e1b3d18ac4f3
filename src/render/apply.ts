// Views of an apply run: a line per settled action (progress), and the closing summary that lists
// every outcome so one failed destination is never hidden behind the others that succeeded. The
// summary says "Verified" only when every action applied and a fresh read matches the manifests;
// otherwise it says exactly which changed addresses were verified and which were not.
import type { ActionOutcome, ApplyResult, OutcomeStatus } from '../apply/index.ts';
import type { Verification } from '../reconcile/reconcile.ts';
import { painter, type Style } from './color.ts';
import { fieldLine, lastWriteText } from './plan-common.ts';

const SYMBOL: Record<OutcomeStatus, string> = { applied: '✓', failed: '✗', skipped: '…', unneeded: '=', unknown: '?' };
const COLOR: Record<OutcomeStatus, Style> = { applied: 'green', failed: 'red', skipped: 'yellow', unneeded: 'dim', unknown: 'magenta' };

export function outcomeLine(o: ActionOutcome, opts: { color: boolean }): string {
  const mark = painter(opts.color)(COLOR[o.status], SYMBOL[o.status]);
  let line = `${mark} ${o.address.split('/')[0]}: ${o.summary}`;
  if (o.status === 'unneeded') line += ' (already done by someone else)';
  if (o.status === 'unknown') line += ' (outcome unknown)';
  if (o.recomputed > 0 && o.status === 'applied') line += ` (recomputed after ${o.recomputed} concurrent change${o.recomputed === 1 ? '' : 's'})`;
  // each value a concurrent change set that this apply replaced, with who set it and when
  if (o.overwrote && o.status === 'applied') for (const c of o.overwrote.changes) line += `\n    overwrote ${fieldLine(c)} (${lastWriteText(o.overwrote.lastWrite)})`;
  const hint = o.error?.hint && (o.status === 'failed' || o.status === 'unknown') ? `\n    hint: ${o.error.hint}` : '';
  if (o.error) line += `\n    ${o.error.code}: ${o.error.message}${hint}`;
  return `${line}\n`;
}

type Problem = 'unknown' | 'failed' | 'skipped' | 'differs';
const PROBLEM_ORDER: readonly Problem[] = ['unknown', 'failed', 'skipped', 'differs'];
const PROBLEM_LABEL: Record<Problem, string> = { unknown: 'outcome unknown', failed: 'failed', skipped: 'skipped', differs: 'still differing' };

/** Per changed address: verified, or the worst reason it is not (outcome unknown before failed before skipped). */
export function addressVerification(result: ApplyResult, verification: Verification): { total: number; verified: number; notVerified: Map<Problem, number> } {
  const worst = new Map<string, Problem | undefined>();
  for (const o of result.outcomes) {
    const problem: Problem | undefined = o.status === 'applied' || o.status === 'unneeded' ? undefined : o.status;
    const before = worst.get(o.address);
    if (!worst.has(o.address) || (problem && (!before || PROBLEM_ORDER.indexOf(problem) < PROBLEM_ORDER.indexOf(before)))) worst.set(o.address, problem ?? before);
  }
  for (const u of verification.unverified) if (worst.has(u.address) && worst.get(u.address) === undefined) worst.set(u.address, 'differs');
  const notVerified = new Map<Problem, number>();
  let verified = 0;
  for (const problem of worst.values()) {
    if (problem === undefined) verified += 1;
    else notVerified.set(problem, (notVerified.get(problem) ?? 0) + 1);
  }
  return { total: worst.size, verified, notVerified };
}

export function renderApplySummary(result: ApplyResult, verification: Verification | undefined, opts: { color: boolean }): string {
  const { counts } = result;
  let out = '';
  const problems = result.outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped');
  if (problems.length > 0) {
    out += '\nNot applied:\n';
    for (const o of problems) out += `  ${outcomeLine(o, opts).replace(/\n(?=.)/g, '\n  ')}`;
  }
  const unknown = result.outcomes.filter((o) => o.status === 'unknown');
  if (unknown.length > 0) {
    out += '\nOutcome unknown (the create may or may not have happened; nothing was sent again):\n';
    for (const o of unknown) out += `  ${outcomeLine(o, opts).replace(/\n(?=.)/g, '\n  ')}`;
  }
  if (verification && verification.unverified.length > 0) {
    out += '\nVerification found differences after apply (someone may be editing the same entities):\n';
    for (const u of verification.unverified) out += `  ${u.address}: ${u.remaining.join('; ')}\n`;
  }
  const bad = counts.failed + counts.skipped + counts.unknown;
  const tally = `${counts.applied} applied, ${counts.failed} failed, ${counts.skipped} skipped${counts.unknown ? `, ${counts.unknown} outcome unknown` : ''}${counts.unneeded ? `, ${counts.unneeded} already done` : ''}`;
  out += `\nApply ${bad > 0 ? 'finished with errors' : 'complete'}: ${tally}.${verification ? ` ${verifiedSentence(result, verification)}` : ' Not verified: the live state could not be read again.'}\n`;
  return out;
}

function verifiedSentence(result: ApplyResult, verification: Verification): string {
  const { total, verified, notVerified } = addressVerification(result, verification);
  if (notVerified.size === 0) return 'Verified: live state matches the manifests.';
  const missing = total - verified;
  const why = PROBLEM_ORDER.filter((p) => notVerified.has(p)).map((p) => `${notVerified.get(p)} ${PROBLEM_LABEL[p]}`).join(', ');
  return `Live state matches the manifests for ${verified} of ${total} changed addresses; not verified: ${missing} (${why}).`;
}
