// Imported segments are written by audience name where the name is unique in the sandbox (the form
// that promotes to another sandbox), by id otherwise (with the name as a label that must agree).
// Pure: the selection and the sandboxes' audience lists in, the same selection with what to write out.
import type { DesiredDestination, DesiredState } from '../domain/model.ts';
import type { AudienceList } from '../plan/audiences.ts';
import type { ImportedDestination, ImportSelection } from './select.ts';

/** One segment as the manifest writes it. */
export type WrittenSegment = { name: string } | { id: string; name?: string };

function written(d: ImportedDestination, list: AudienceList | undefined): { segments: ImportedDestination['segments']; write: WrittenSegment[] } {
  const audiences = list && 'audiences' in list ? list.audiences : [];
  const byId = new Map(audiences.map((a) => [a.id, a]));
  const count = new Map<string, number>();
  for (const a of audiences) count.set(a.name, (count.get(a.name) ?? 0) + 1);
  const segments = d.segments.map((s) => {
    const a = byId.get(s.id);
    return a ? { id: s.id, name: a.name } : s;
  });
  // An id that is no audience keeps the live selector's label off: a name would have to agree with an audience.
  const write = segments.map((s): WrittenSegment => (byId.has(s.id) ? (count.get(s.name!) === 1 ? { name: s.name! } : { id: s.id, name: s.name! }) : { id: s.id }));
  return { segments, write };
}

export function withAudienceNames(sel: ImportSelection, lists: ReadonlyMap<string, AudienceList>): ImportSelection {
  return {
    ...sel,
    destinations: sel.destinations.map((d) => {
      const { segments, write } = written(d, lists.get(d.sandbox));
      return { ...d, segments, writeSegments: write };
    }),
  };
}

/**
 * The imported files loaded back, with each destination's segments as the selection resolved them
 * (ids with the audiences' names): what plan will resolve them to, and what adoption tags.
 */
export function withSelectedSegments(desired: DesiredState, sel: ImportSelection): DesiredState {
  const byKey = new Map(sel.destinations.map((d) => [`${d.sandbox}\0${d.name}`, d]));
  const destinations = desired.destinations.map((d): DesiredDestination => {
    const picked = byKey.get(`${d.sandbox}\0${d.name}`);
    if (!picked) return d;
    const { segmentRefs: _refs, ...rest } = d;
    return { ...rest, segments: picked.segments };
  });
  return { ...desired, destinations };
}
