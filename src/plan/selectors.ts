// Flow selectors as sets: segments by id, attributes by path. Order and server-added keys
// (createTime, updateTime, labels) are ignored. The PATCH removes by index in DESCENDING order
// (segments, then attributes) so that sequential (RFC 6902) and "all at once" readings agree,
// then appends the additions.
import type { DesiredSegment, LiveFlow } from '../domain/model.ts';
import type { PatchOp } from '../domain/plan.ts';

export const SEGMENTS_PATH = '/transformations/0/params/segmentSelectors/selectors';
export const ATTRIBUTES_PATH = '/transformations/0/params/profileSelectors/selectors';

export interface SelectorDiff {
  addSegments: DesiredSegment[];
  removeSegments: { id: string; index: number; name?: string }[];
  addAttributes: string[];
  removeAttributes: { path: string; index: number }[];
}

/**
 * Whether `live` holds exactly `want`, in the same order, each once (`want` is sorted and unique).
 * Read through key functions rather than mapped to lists first: this runs for every flow of every
 * plan, and the four arrays it made per flow were most of its cost.
 */
function sameSequence<W, L>(want: readonly W[], live: readonly L[], wantKey: (w: W) => string, liveKey: (l: L) => string): boolean {
  if (want.length !== live.length) return false;
  let prev: string | undefined;
  for (let i = 0; i < want.length; i++) {
    const w = wantKey(want[i]!);
    if (liveKey(live[i]!) !== w || (prev !== undefined && !(prev < w))) return false;
    prev = w;
  }
  return true;
}

const idOf = (s: { id: string }) => s.id;
const itself = (p: string) => p;
const pathOf = (a: { path: string }) => a.path;

export function diffSelectors(desiredSegments: DesiredSegment[], desiredAttributes: string[], live: Pick<LiveFlow, 'segments' | 'profileAttributes'>): SelectorDiff {
  // The usual case, a flow flowsync wrote from these sorted sets: nothing to compare as sets.
  if (sameSequence(desiredSegments, live.segments, idOf, idOf) && sameSequence(desiredAttributes, live.profileAttributes, itself, pathOf)) {
    return { addSegments: [], removeSegments: [], addAttributes: [], removeAttributes: [] };
  }
  const wantSeg = new Set(desiredSegments.map((s) => s.id));
  const seenSeg = new Set<string>();
  const removeSegments: SelectorDiff['removeSegments'] = [];
  for (const s of live.segments) {
    // A duplicate of a segment already kept is removed too: the set holds each id once.
    if (!wantSeg.has(s.id) || seenSeg.has(s.id)) removeSegments.push(s.name === undefined ? { id: s.id, index: s.index } : { id: s.id, index: s.index, name: s.name });
    seenSeg.add(s.id);
  }
  const wantAttr = new Set(desiredAttributes);
  const seenAttr = new Set<string>();
  const removeAttributes: SelectorDiff['removeAttributes'] = [];
  for (const a of live.profileAttributes) {
    if (!wantAttr.has(a.path) || seenAttr.has(a.path)) removeAttributes.push({ path: a.path, index: a.index });
    seenAttr.add(a.path);
  }
  removeSegments.sort((a, b) => b.index - a.index);
  removeAttributes.sort((a, b) => b.index - a.index);
  return {
    addSegments: desiredSegments.filter((s) => !seenSeg.has(s.id)),
    removeSegments,
    addAttributes: desiredAttributes.filter((p) => !seenAttr.has(p)),
    removeAttributes,
  };
}

export function hasSelectorChanges(d: SelectorDiff): boolean {
  return d.addSegments.length + d.removeSegments.length + d.addAttributes.length + d.removeAttributes.length > 0;
}

export function segmentSelector(s: DesiredSegment): unknown {
  return { type: 'PLATFORM_SEGMENT', value: s.name === undefined ? { id: s.id } : { id: s.id, name: s.name } };
}

export function attributeSelector(path: string): unknown {
  return { type: 'JSON_PATH', value: { path, operator: 'EXISTS' } };
}

/**
 * Removals (descending index), then additions, in one PATCH. A remove carries the selector it
 * removes as `value`: Adobe's reference marks `value` required on every op and its examples send
 * one, while RFC 6902 says a server ignores it, so both readings accept the request.
 */
export function selectorOps(d: SelectorDiff): PatchOp[] {
  return [
    ...d.removeSegments.map((s): PatchOp => ({ op: 'remove', path: `${SEGMENTS_PATH}/${s.index}`, value: segmentSelector({ id: s.id, ...(s.name ? { name: s.name } : {}) }) })),
    ...d.removeAttributes.map((a): PatchOp => ({ op: 'remove', path: `${ATTRIBUTES_PATH}/${a.index}`, value: attributeSelector(a.path) })),
    ...d.addSegments.map((s): PatchOp => ({ op: 'add', path: `${SEGMENTS_PATH}/-`, value: segmentSelector(s) })),
    ...d.addAttributes.map((p): PatchOp => ({ op: 'add', path: `${ATTRIBUTES_PATH}/-`, value: attributeSelector(p) })),
  ];
}
