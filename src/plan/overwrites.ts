// Which live values an update overwrites that someone changed outside flowsync (pure). In a plan:
// an entity whose manifest changed and whose live state no longer is what flowsync last wrote (its
// tag's hash) was also edited elsewhere, so the update replaces those edits. In apply: a 412
// recompute adds to the update exactly what the concurrent change did.
import type { LastWrite } from '../domain/model.ts';
import type { Action, FieldChange, Overwrite } from '../domain/plan.ts';
import { canonicalJson } from '../domain/fingerprint.ts';
import { fieldChange } from './context.ts';

/** What an update changes, field by field (selectors as "segment ID" and "attribute PATH"; the ownership tag left out). */
export function updateFields(a: Action): FieldChange[] {
  switch (a.type) {
    case 'update-flow':
      return [
        ...a.changes.filter((c) => c.field !== 'tag'),
        ...a.removeSegments.map((s) => fieldChange(`segment ${s.id}`, 'present', 'absent')),
        ...a.addSegments.map((s) => fieldChange(`segment ${s.id}`, 'absent', 'present')),
        ...a.removeAttributes.map((x) => fieldChange(`attribute ${x.path}`, 'present', 'absent')),
        ...a.addAttributes.map((p) => fieldChange(`attribute ${p}`, 'absent', 'present')),
      ];
    case 'update-target-connection':
    case 'update-account':
      return a.changes.filter((c) => c.field !== 'tag');
    case 'set-flow-state':
      return [fieldChange('state', a.from, a.to)];
    default:
      return [];
  }
}

/** The overwrite of an update, when it has fields to name. */
export function overwriteOf(changes: FieldChange[], lastWrite: LastWrite | undefined): { overwrites?: Overwrite } {
  return changes.length > 0 ? { overwrites: { changes, ...(lastWrite ? { lastWrite: { ...lastWrite } } : {}) } } : {};
}

/** What `fresh` (recomputed after a 412) changes that `stale` did not: the concurrent change it overwrites. */
export function recomputedOver(stale: Action, fresh: Action, lastWrite: LastWrite | undefined): Action {
  if (fresh.type !== 'update-flow' && fresh.type !== 'update-target-connection') return fresh;
  const key = (c: FieldChange) => `${c.field}\u0000${canonicalJson(c.from ?? null)}\u0000${canonicalJson(c.to ?? null)}`;
  const before = new Set(updateFields(stale).map(key));
  const added = updateFields(fresh).filter((c) => !before.has(key(c)));
  if (added.length === 0) return fresh;
  const { overwrites: _planned, ...rest } = fresh;
  return { ...rest, ...overwriteOf(added, lastWrite) };
}
