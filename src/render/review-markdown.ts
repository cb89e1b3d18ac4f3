// The pull-request comment of `flowsync plan --base`: a hidden marker CI finds the comment by, a
// one-line summary, the pull request's effect first (one collapsible section per destination or
// account, selector-level detail), then pre-existing drift in its own warned section. Longer than
// GitHub's limit, it splits into parts that each carry the marker, "part i of n" and the summary.
// The block helpers are the plan view's (src/render/markdown.ts), so both comments look alike.
import type { Diagnostic } from '../domain/diagnostics.ts';
import type { Plan } from '../domain/plan.ts';
import type { ReviewDocument } from '../review/document.ts';
import { countLine } from './diagnostics.ts';
import { driftBlock, escapeHtml, findingBlocks, GITHUB_COMMENT_LIMIT, groupBlocks, listBlock, pieces, type Block } from './markdown.ts';
import { findingsText } from './plan-common.ts';

const DEFAULT_MAX = GITHUB_COMMENT_LIMIT - 1_536; // room for what CI wraps around the body

export interface ReviewMarkdownOptions {
  title?: string;
  runUrl?: string;
  maxLength?: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const short = (sha: string) => sha.slice(0, 12);
const section = (head: string): Block => ({ head, lines: [], tail: '' });

export function prCountsLine(plan: Plan): string {
  const s = plan.summary;
  const findings = findingsText(s);
  if (plan.actions.length === 0 && findings.length === 0) return 'No changes: merging this pull request changes nothing in AEP.';
  const counts = `This pull request: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.replace} to replace`;
  return findings.length > 0 ? `${counts}; ${findings.join('; ')}.` : `${counts}.`;
}

/** "1 change, 1 drifted entity" from the drift plan, '' when there is none. */
function driftCounts(plan: Plan | null): string {
  if (!plan) return '';
  return [plan.actions.length > 0 && plural(plan.actions.length, 'change'), plan.drift.length > 0 && plural(plan.drift.length, 'drifted entity').replace('entitys', 'entities')]
    .filter(Boolean)
    .join(', ');
}

function summaryLine(doc: ReviewDocument): string {
  if (!doc.pullRequest) {
    const errors = doc.head.diagnostics.filter((d) => d.severity === 'error').length;
    return `❌ **The manifests in this pull request are not valid (${plural(errors, 'error')}).** Nothing was planned; fix them and push again.`;
  }
  const base = doc.base;
  const tail =
    base?.status === 'invalid'
      ? ` ⚠️ The base manifests at ${code(base.ref)} are not valid, so drift is not told apart (see below).`
      : driftCounts(doc.drift)
        ? ` ⚠️ Pre-existing drift, not part of this pull request: ${driftCounts(doc.drift)} (see below).`
        : '';
  return `**${prCountsLine(doc.pullRequest)}**${tail}`;
}

function metaLine(doc: ReviewDocument, runUrl?: string): string {
  const plan = doc.pullRequest;
  return [
    doc.folder !== '.' && `folder ${code(doc.folder)}`,
    doc.base && `base ${code(doc.base.ref)} (${code(short(doc.base.commit))})`,
    doc.head.revision && `head ${code(short(doc.head.revision))}`,
    plan?.org && `org ${code(plan.org)}`,
    plan?.prune && 'prune on',
    runUrl && `[run](${runUrl})`,
  ]
    .filter(Boolean)
    .join(' · ');
}

function diagnosticLine(d: Diagnostic, folder: string): string {
  const file = d.file ? (folder === '.' ? d.file : `${folder}/${d.file}`) : folder;
  const where = `${file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}`;
  const hint = d.hint ? `<br>hint: ${escapeHtml(d.hint)}` : '';
  const sandbox = d.sandbox === undefined ? '' : `[sandbox ${code(d.sandbox)}] `;
  return `${code(where)} ${d.severity} **${d.code}** ${sandbox}${escapeHtml(d.summary)}${hint}`;
}

function invalidBlocks(doc: ReviewDocument): Block[] {
  const diags = doc.head.diagnostics;
  return [
    { head: `### ❌ Validation errors (${countLine(diags)})\n`, lines: diags.map((d) => `- ${diagnosticLine(d, doc.folder)}`), tail: '' },
  ];
}

function prBlocks(plan: Plan): Block[] {
  const groups = groupBlocks(plan);
  const drift = driftBlock(plan);
  return [
    section('### This pull request'),
    ...(groups.length === 0 ? [section('No changes: live state after applying the base already matches this pull request.')] : groups),
    ...(drift ? [{ ...drift, head: '#### Changed outside flowsync (also affected by this pull request)\n' }] : []),
  ];
}

const HEALTH_ICON: Record<string, string> = { Healthy: '✅', Degraded: '⚠️', Failed: '❌', Disabled: '⏸️', Unknown: '❔' };
const cell = (s: string) => escapeHtml(s).replace(/\|/g, '\\|');

/** The health column of the destinations this pull request changes (README "Activation health"). */
function healthBlocks(doc: ReviewDocument): Block[] {
  const rows = doc.health ?? [];
  if (rows.length === 0) return [];
  return [{
    head: '#### Activation health of the destinations this pull request changes\n\n| Destination | Health | Last run | Activated / failed in the window | Why |\n|---|---|---|---|---|',
    lines: rows.map((r) => {
      const last = r.lastRun ? `${r.lastRun.createdAt} ${r.lastRun.status}` : '–';
      const why = r.health === 'Healthy' ? '' : cell(r.message);
      return `| ${cell(`${r.sandbox}/${r.name}`)} | ${HEALTH_ICON[r.health] ?? ''} ${r.health} | ${last} | ${r.window.records.activated} / ${r.window.records.failed} (${r.window.duration}) | ${why} |`;
    }),
    tail: '',
  }];
}

function driftBlocks(doc: ReviewDocument): Block[] {
  const base = doc.base;
  if (!base) return [];
  if (base.status === 'invalid') {
    return [
      section(`### ⚠️ Pre-existing drift: unknown\n\n> [!WARNING]\n> The manifests at ${code(base.ref)} are not valid (${countLine(base.diagnostics)}), so what has drifted cannot be told apart from what this pull request changes: the section above compares this pull request with live state directly.`),
    ];
  }
  const plan = doc.drift;
  if (!plan || (plan.actions.length === 0 && plan.drift.length === 0)) {
    const why = base.status === 'missing' ? `the folder does not exist at ${code(base.ref)}` : `the live org matches ${code(base.ref)}`;
    return [section(`### Pre-existing drift\n\nNone: ${why}.`)];
  }
  const drift = driftBlock(plan);
  return [
    section(
      `### ⚠️ Pre-existing drift (not part of this pull request)\n\n> [!WARNING]\n> The live org already differs from ${code(base.ref)}. Applying ${code(base.ref)} alone would make the changes below, so they will also be made when this pull request is applied.`,
    ),
    ...groupBlocks(plan),
    ...(drift ? [{ ...drift, head: '#### Changed outside flowsync\n' }] : []),
  ];
}

function trailingBlocks(doc: ReviewDocument): Block[] {
  const plan = doc.pullRequest;
  const warnings = [
    ...(doc.base?.secretsSkipped ? [`secret references at ${doc.base.ref} could not be resolved in the base copy (fromFile secrets are usually not in git); credential changes made by the base are not compared`] : []),
    ...(plan?.warnings ?? []),
  ].map(escapeHtml);
  const validation = doc.head.diagnostics.filter((d) => d.severity === 'warning').map((d) => diagnosticLine(d, doc.folder));
  return [
    ...(plan ? findingBlocks(plan) : []),
    listBlock('Not managed by flowsync (left alone)', (plan?.unowned ?? []).map((u) => `${escapeHtml(u.sandbox)} ${u.resource} ${code(u.name)} (${u.id})`)),
    listBlock('Warnings', [...validation, ...warnings]),
  ].filter((b): b is Block => !!b);
}

export function renderReviewMarkdown(doc: ReviewDocument, opts: ReviewMarkdownOptions = {}): string[] {
  const max = opts.maxLength ?? DEFAULT_MAX;
  const title = opts.title ?? 'flowsync plan';
  const summary = summaryLine(doc);
  const meta = metaLine(doc, opts.runUrl);
  const blocks = doc.pullRequest ? [...prBlocks(doc.pullRequest), ...healthBlocks(doc), ...driftBlocks(doc), ...trailingBlocks(doc)] : invalidBlocks(doc);
  const header = (part: number, total: number) =>
    [
      `<!-- flowsync-plan: ${doc.commentId.replace(/--+/g, '-').replace(/[<>]/g, '')}${total > 1 ? ` part ${part} of ${total}` : ''} -->`,
      `## ${escapeHtml(title)}${total > 1 ? ` (part ${part} of ${total})` : ''}`,
      '',
      part === 1 ? summary : `${summary} Continued from part ${part - 1}.`,
      ...(meta ? ['', meta] : []),
      '',
    ].join('\n');
  const room = max - header(9999, 9999).length - 2;
  const parts: string[][] = [[]];
  let used = 0;
  for (const piece of blocks.flatMap((b) => pieces(b, room))) {
    if (used > 0 && used + piece.length + 2 > room) {
      parts.push([]);
      used = 0;
    }
    parts[parts.length - 1]!.push(piece);
    used += piece.length + 2;
  }
  return parts.map((p, i) => `${header(i + 1, parts.length)}\n${p.join('\n\n')}\n`);
}
