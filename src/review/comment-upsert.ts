// Keeping ONE flowsync comment (in one or more parts) on a pull request: which existing comments
// are ours, and which to edit, add or delete. Pure: the provider (GitHub REST here; GitLab's notes in
// examples/gitlab/flowsync-note.mjs follow the same rules) only carries out the steps.
//
// A comment is ours when its first line is the marker `flowsync plan --output markdown` writes,
// `<!-- flowsync-plan: ID -->` or `<!-- flowsync-plan: ID part i of n -->`, with the same ID.

export interface ExistingComment {
  id: number;
  body: string;
  url?: string; // where a person reads it (html_url on GitHub)
}

export interface UpsertSteps {
  /** Our comments, oldest first, given the part at the same position (unchanged ones are left out). */
  update: { id: number; body: string }[];
  /** Parts beyond the comments we already have. */
  create: string[];
  /** Our comments left over from a longer plan. */
  remove: number[];
  /** Our comments whose body already is the part at their position. */
  unchanged: number[];
  /** The existing comment that holds the first part (undefined: it is the first one created). */
  firstId: number | undefined;
}

const MARKER = /^<!-- flowsync-plan: (.*?)(?: part \d+ of \d+)? -->$/;

/** The ID of a flowsync comment marker line, or undefined when the line is not one. */
export function markerId(firstLine: string): string | undefined {
  return MARKER.exec(firstLine.trimEnd())?.[1];
}

const firstLine = (body: string) => body.split('\n', 1)[0] ?? '';

/** What to do so that the pull request holds exactly `parts` as our comments, in order. */
export function planUpsert(existing: readonly ExistingComment[], parts: readonly string[]): UpsertSteps {
  const id = markerId(firstLine(parts[0] ?? ''));
  if (id === undefined) throw new Error('the first comment part does not start with a flowsync-plan marker');
  const ours = existing.filter((c) => markerId(firstLine(c.body)) === id).sort((a, b) => a.id - b.id);
  const steps: UpsertSteps = { update: [], create: [], remove: [], unchanged: [], firstId: ours[0]?.id };
  parts.forEach((body, i) => {
    const comment = ours[i];
    if (!comment) steps.create.push(body);
    else if (comment.body === body) steps.unchanged.push(comment.id);
    else steps.update.push({ id: comment.id, body });
  });
  steps.remove = ours.slice(parts.length).map((c) => c.id);
  return steps;
}
