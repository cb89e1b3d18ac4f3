// The plan as a pull-request comment: a hidden header that identifies the comment (CI updates it
// in place), the one-line summary first, one collapsible section per destination or account,
// drift in its own warned section, and parts that each say "part i of n" when the text exceeds
// GitHub's 65,536-character comment limit.
import type { Plan } from '../domain/plan.ts';
import { actionDetails, actionHeadline, addressLabel, CONFLICTS_TITLE, conflictText, countsLine, driftChangeLine, driftVerdict, groupActions, keepDriftHint, LABELS_TITLE, labelText, lastWriteText, MARKERS, ORPHANS_TITLE, orphanText } from './plan-common.ts';

export const GITHUB_COMMENT_LIMIT = 65_536;
const DEFAULT_MAX = GITHUB_COMMENT_LIMIT - 1_536; // room for what CI wraps around the body

export interface MarkdownOptions {
  title?: string;
  runUrl?: string;
  /** Identifies the comment across runs (default: org and sandboxes). */
  id?: string;
  maxLength?: number;
}

/** A block of the comment; a long one is split by lines, repeating its head and tail in each part. */
export interface Block {
  head: string;
  lines: string[];
  tail: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function planCommentId(plan: Plan, id?: string): string {
  return id ?? [plan.org ?? 'default', ...plan.sandboxes].join('/');
}

/** One collapsible block per address; a plan that touches several sandboxes gets a heading per sandbox. */
export function groupBlocks(plan: Plan): Block[] {
  const blocks: Block[] = [];
  const bySandbox = groupActions(plan);
  for (const { sandbox, groups } of bySandbox) {
    if (bySandbox.length > 1) {
      const count = groups.reduce((n, g) => n + g.actions.length, 0);
      blocks.push({ head: `#### Sandbox <code>${escapeHtml(sandbox)}</code> (${count} action${count === 1 ? '' : 's'})`, lines: [], tail: '' });
    }
    for (const g of groups) {
      const markers = [...new Set(g.actions.map((a) => MARKERS[a.change]))].join(' ');
      const lines: string[] = [];
      for (const a of g.actions) {
        // The marker stays in column 1 so GitHub colours the diff block.
        lines.push(`${MARKERS[a.change].padEnd(3)} ${actionHeadline(a)}`);
        for (const d of actionDetails(a)) lines.push(`${d.marker ?? ' '}       ${d.text}`);
      }
      blocks.push({
        head: `<details><summary><code>${escapeHtml(markers)}</code> <b>${escapeHtml(addressLabel(g.address))}</b> in <code>${escapeHtml(sandbox)}</code> (${g.actions.length} action${g.actions.length === 1 ? '' : 's'})</summary>\n\n\`\`\`diff`,
        lines,
        tail: '```\n\n</details>',
      });
    }
  }
  return blocks;
}

export function driftBlock(plan: Plan): Block | undefined {
  if (plan.drift.length === 0) return undefined;
  const lines: string[] = [];
  for (const item of plan.drift) {
    lines.push(`- **${escapeHtml(`${item.sandbox}/${item.resource}/${item.destination}`)}**: ${escapeHtml(lastWriteText(item.lastWrite))}; ${driftVerdict(item.drift)}`);
    for (const c of item.changes) lines.push(`  - \`${driftChangeLine(c).replace(/`/g, "'")}\``);
  }
  const keep = keepDriftHint(plan, (cmd) => `\`${cmd.replace(/`/g, "'")}\``);
  if (keep) lines.push('', keep);
  return {
    head: `### ⚠️ Drift (changed outside flowsync)\n\n> [!WARNING]\n> These live changes were not made by flowsync and are not part of this pull request.\n`,
    lines,
    tail: '',
  };
}

/** Labels, conflicts and orphans, shared with the pull-request comment. */
export function findingBlocks(plan: Pick<Plan, 'conflicts' | 'orphans' | 'labels'>): Block[] {
  return [
    listBlock(LABELS_TITLE, (plan.labels ?? []).map((l) => `\`${labelText(l).replace(/`/g, "'")}\``)),
    listBlock(`⛔ ${CONFLICTS_TITLE}`, plan.conflicts.map((c) => `\`${conflictText(c).replace(/`/g, "'")}\``)),
    listBlock(ORPHANS_TITLE, plan.orphans.map((o) => `\`${orphanText(o).replace(/`/g, "'")}\``)),
  ].filter((b): b is Block => !!b);
}

export function listBlock(title: string, items: string[]): Block | undefined {
  return items.length === 0 ? undefined : { head: `### ${title}\n`, lines: items.map((i) => `- ${i}`), tail: '' };
}

function render(b: Block, lines: string[]): string {
  return [b.head, ...lines, b.tail].filter((x, i, all) => x !== '' || (i > 0 && i < all.length - 1)).join('\n');
}

/** Splits a block into pieces no longer than `max` each. */
export function pieces(b: Block, max: number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of b.lines) {
    const clipped = line.length > max / 2 ? `${line.slice(0, Math.floor(max / 2))}…` : line;
    if (current.length > 0 && render(b, [...current, clipped]).length > max) {
      out.push(render(b, current));
      current = [];
    }
    current.push(clipped);
  }
  out.push(render(b, current));
  return out;
}

/** The head of every part: the hidden marker CI finds the comment by, the title, the summary line. */
export function commentHeader(h: { id: string; title: string; summary: string; meta: string }): (part: number, total: number) => string {
  const id = h.id.replace(/--+/g, '-').replace(/[<>]/g, '');
  return (part, total) =>
    [
      `<!-- flowsync-plan: ${id}${total > 1 ? ` part ${part} of ${total}` : ''} -->`,
      `## ${escapeHtml(h.title)}${total > 1 ? ` (part ${part} of ${total})` : ''}`,
      '',
      part === 1 ? h.summary : `${h.summary} Continued from part ${part - 1}.`,
      ...(h.meta ? ['', h.meta] : []),
      '',
    ].join('\n');
}

/**
 * Packs blocks into comments no longer than `max`, each starting with `header(part, total)`.
 * A block longer than a whole comment is split by lines, its head and tail repeated.
 */
export function packParts(blocks: Block[], header: (part: number, total: number) => string, max: number): string[] {
  // Room for the longest header any part can get (the total has at most a few digits).
  const room = max - header(9999, 9999).length - 2;
  const bodies: string[] = [];
  let current = '';
  for (const b of blocks) {
    for (const piece of pieces(b, room)) {
      if (current && current.length + piece.length + 2 > room) {
        bodies.push(current);
        current = '';
      }
      current = current ? `${current}\n\n${piece}` : piece;
    }
  }
  if (current || bodies.length === 0) bodies.push(current);
  return bodies.map((body, i) => `${header(i + 1, bodies.length)}${body ? `\n${body}\n` : ''}`);
}

export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions = {}): string[] {
  const max = opts.maxLength ?? DEFAULT_MAX;
  const id = planCommentId(plan, opts.id);
  const title = opts.title ?? 'flowsync plan';
  const drift = plan.drift.length;
  const summary = [
    `**${countsLine(plan)}**`,
    drift > 0 ? ` ⚠️ ${drift} live drift item${drift === 1 ? '' : 's'} (see below).` : '',
  ].join('');
  const meta = [plan.org && `org \`${plan.org}\``, plan.revision && `revision \`${plan.revision}\``, plan.prune && 'prune on', opts.runUrl && `[run](${opts.runUrl})`]
    .filter(Boolean)
    .join(' · ');
  const blocks = [
    ...groupBlocks(plan),
    driftBlock(plan),
    ...findingBlocks(plan),
    listBlock('Not managed by flowsync (left alone)', plan.unowned.map((u) => `${escapeHtml(u.sandbox)} ${u.resource} \`${u.name.replace(/`/g, "'")}\` (${u.id})`)),
    listBlock('Warnings', plan.warnings.map(escapeHtml)),
  ].filter((b): b is Block => !!b);

  const header = commentHeader({ id, title, summary, meta });
  return packParts(blocks, header, max);
}
