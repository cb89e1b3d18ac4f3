// Views of an apply run: a line per settled action (progress), and the closing summary that lists
// every outcome so one failed destination is never hidden behind the others that succeeded.
import type { ActionOutcome, ApplyResult } from '../apply/index.ts';
import type { Verification } from '../reconcile/reconcile.ts';

const SYMBOL: Record<ActionOutcome['status'], string> = { applied: '✓', failed: '✗', skipped: '…', unneeded: '=' };
const COLOR: Record<ActionOutcome['status'], string> = { applied: '32', failed: '31', skipped: '33', unneeded: '2' };

export function outcomeLine(o: ActionOutcome, opts: { color: boolean }): string {
  const mark = opts.color ? `\x1b[${COLOR[o.status]}m${SYMBOL[o.status]}\x1b[0m` : SYMBOL[o.status];
  let line = `${mark} ${o.address.split("/")[0]}: ${o.summary}`;
  if (o.status === 'unneeded') line += ' (already done by someone else)';
  if (o.recomputed > 0 && o.status === 'applied') line += ` (recomputed after ${o.recomputed} concurrent change${o.recomputed === 1 ? '' : 's'})`;
  if (o.error) line += `\n    ${o.error.code}: ${o.error.message}${o.error.hint && o.status === 'failed' ? `\n    hint: ${o.error.hint}` : ''}`;
  return `${line}\n`;
}

export function renderApplySummary(result: ApplyResult, verification: Verification | undefined, opts: { color: boolean }): string {
  const { counts } = result;
  let out = '';
  const problems = result.outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped');
  if (problems.length > 0) {
    out += '\nNot applied:\n';
    for (const o of problems) out += `  ${outcomeLine(o, opts).replace(/\n(?=.)/g, '\n  ')}`;
  }
  if (verification && verification.unverified.length > 0) {
    out += '\nVerification found differences after apply (someone may be editing the same entities):\n';
    for (const u of verification.unverified) out += `  ${u.address}: ${u.remaining.join('; ')}\n`;
  }
  const verified = verification ? (verification.unverified.length === 0 ? ' Verified: live state matches the manifests.' : '') : '';
  out += `\nApply ${counts.failed + counts.skipped > 0 ? 'finished with errors' : 'complete'}: ${counts.applied} applied, ${counts.failed} failed, ${counts.skipped} skipped${counts.unneeded ? `, ${counts.unneeded} already done` : ''}.${verified}\n`;
  return out;
}
