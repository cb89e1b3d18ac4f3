// Segments by name or id -> audience ids, per sandbox. Pure: the sandboxes' audience lists come in
// (one list walk per sandbox, done by src/reconcile/audiences.ts), diagnostics and the resolved
// desired state go out. Ids are what the diff compares; names are labels taken from the list, so
// an audience renamed in AEP changes a label, never which audience is activated.
import type { Diagnostic } from '../domain/diagnostics.ts';
import { ERRORS } from '../domain/errors.ts';
import { didYouMean } from '../domain/did-you-mean.ts';
import type { Audience, DesiredDestination, DesiredSegment, DesiredState, SegmentRef } from '../domain/model.ts';

/** A sandbox's audiences, or why they could not be listed. */
export type AudienceList = { audiences: readonly Audience[] } | { unavailable: string };

/** The sandboxes whose manifests name segments: only those need their audiences listed. */
export function sandboxesNeedingAudiences(desired: DesiredState): string[] {
  return [...new Set(desired.destinations.filter((d) => (d.segmentRefs ?? []).length > 0).map((d) => d.sandbox))].sort();
}

type Code = 'FS_PLAN_SEGMENT_UNKNOWN' | 'FS_PLAN_SEGMENT_AMBIGUOUS' | 'FS_PLAN_SEGMENT_NOT_AUDIENCE' | 'FS_PLAN_SEGMENT_MISMATCH' | 'FS_PLAN_AUDIENCES_UNAVAILABLE';

function finding(severity: Diagnostic['severity'], code: Code, ref: SegmentRef | undefined, sandbox: string, summary: string, hint?: string): Diagnostic {
  const at = ref ? { file: ref.at.file, line: ref.at.line, column: ref.at.column, path: ref.at.path } : {};
  return { severity, code, summary, hint: hint ?? ERRORS[code], sandbox, ...at };
}

const quote = (s: string) => JSON.stringify(s);

interface Index {
  byId: Map<string, Audience>;
  byName: Map<string, Audience[]>;
}

function indexOf(list: readonly Audience[]): Index {
  const byId = new Map<string, Audience>();
  const byName = new Map<string, Audience[]>();
  for (const a of list) {
    byId.set(a.id, a);
    byName.set(a.name, [...(byName.get(a.name) ?? []), a]);
  }
  return { byId, byName };
}

/** Where else an id is an audience (the usual mistake: an id copied from another sandbox). */
function elsewhere(id: string, sandbox: string, indexes: ReadonlyMap<string, Index>): string | undefined {
  for (const [other, index] of indexes) {
    const a = other === sandbox ? undefined : index.byId.get(id);
    if (a) return `It is audience ${quote(a.name)} of sandbox ${other}: audience ids differ per sandbox, so name the audience instead ({ name: ${a.name} }).`;
  }
  return undefined;
}

function nameHint(name: string, index: Index): string {
  const names = [...index.byName.keys()];
  const guess = names.find((n) => n.toLowerCase() === name.toLowerCase()) ?? didYouMean(name, names);
  return guess !== undefined ? `Did you mean ${quote(guess)}? Names must match exactly. ${ERRORS.FS_PLAN_SEGMENT_UNKNOWN}` : ERRORS.FS_PLAN_SEGMENT_UNKNOWN;
}

function resolveRef(ref: SegmentRef, d: DesiredDestination, index: Index, indexes: ReadonlyMap<string, Index>, out: Diagnostic[]): DesiredSegment | undefined {
  const where = `spec.segments (destination ${d.name}, sandbox ${d.sandbox})`;
  if (ref.id !== undefined) {
    const a = index.byId.get(ref.id);
    if (!a) {
      out.push(finding('error', 'FS_PLAN_SEGMENT_NOT_AUDIENCE', ref, d.sandbox, `${where}: ${ref.id} is no audience of sandbox ${d.sandbox}`, elsewhere(ref.id, d.sandbox, indexes)));
      return undefined;
    }
    if (ref.name !== undefined && ref.name !== a.name) {
      out.push(finding('error', 'FS_PLAN_SEGMENT_MISMATCH', ref, d.sandbox, `${where}: audience ${ref.id} is called ${quote(a.name)} in sandbox ${d.sandbox}, not ${quote(ref.name)}`));
      return undefined;
    }
    return { id: a.id, name: a.name };
  }
  const name = ref.name ?? '';
  const found = index.byName.get(name) ?? [];
  if (found.length === 0) {
    out.push(finding('error', 'FS_PLAN_SEGMENT_UNKNOWN', ref, d.sandbox, `${where}: no audience named ${quote(name)} in sandbox ${d.sandbox}`, nameHint(name, index)));
    return undefined;
  }
  if (found.length > 1) {
    const ids = found.map((a) => a.id).sort();
    out.push(finding('error', 'FS_PLAN_SEGMENT_AMBIGUOUS', ref, d.sandbox, `${where}: ${found.length} audiences are named ${quote(name)} in sandbox ${d.sandbox}: ${ids.join(', ')}`));
    return undefined;
  }
  return { id: found[0]!.id, name: found[0]!.name };
}

/**
 * Every destination's segments as audience ids of its sandbox, named as the sandbox names them.
 * Diagnostics name file, line and sandbox; with any error the caller plans nothing. A sandbox whose
 * audiences could not be listed keeps its ids unchecked (a warning) and cannot resolve names (an error).
 */
export function resolveSegments(desired: DesiredState, lists: ReadonlyMap<string, AudienceList>): { desired: DesiredState; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const indexes = new Map<string, Index>();
  for (const [sandbox, list] of lists) if ('audiences' in list) indexes.set(sandbox, indexOf(list.audiences));
  const warned = new Set<string>();
  const destinations = desired.destinations.map((d): DesiredDestination => {
    const refs = d.segmentRefs;
    if (!refs) return d;
    const { segmentRefs: _refs, ...rest } = d;
    const list = lists.get(d.sandbox);
    const index = indexes.get(d.sandbox);
    if (!index) {
      const why = list && 'unavailable' in list ? list.unavailable : `the audiences of sandbox ${d.sandbox} were not read`;
      for (const ref of refs.filter((r) => r.id === undefined)) {
        diagnostics.push(finding('error', 'FS_PLAN_AUDIENCES_UNAVAILABLE', ref, d.sandbox, `spec.segments (destination ${d.name}): audience ${quote(ref.name ?? '')} cannot be looked up in sandbox ${d.sandbox}: ${why}`));
      }
      if (!warned.has(d.sandbox) && refs.some((r) => r.id !== undefined)) {
        warned.add(d.sandbox);
        diagnostics.push(finding('warning', 'FS_PLAN_AUDIENCES_UNAVAILABLE', undefined, d.sandbox, `segment ids in sandbox ${d.sandbox} are not checked: ${why}`));
      }
      return rest;
    }
    const segments = new Map<string, DesiredSegment>();
    // The entry, not its position: reading `at` parses the document again for exact positions (5 s
    // of CPU and ~300 MB of heap for 200,000 entries at 10,000 destinations), so only a diagnostic reads it.
    const first = new Map<string, SegmentRef>();
    for (const ref of refs) {
      const seg = resolveRef(ref, d, index, indexes, diagnostics);
      if (!seg) continue;
      const prev = first.get(seg.id)?.at.path;
      if (prev !== undefined) {
        // A name and an id (or two spellings of one id) that turn out to be the same audience.
        diagnostics.push({
          severity: 'error', code: 'FS_MANIFEST_DUPLICATE_SEGMENT', sandbox: d.sandbox, file: ref.at.file, line: ref.at.line, column: ref.at.column, path: ref.at.path,
          summary: `${ref.at.path}: audience ${quote(seg.name ?? seg.id)} (${seg.id}) is already listed at ${prev} in sandbox ${d.sandbox}`, hint: 'List each audience once.',
        });
        continue;
      }
      first.set(seg.id, ref);
      segments.set(seg.id, seg);
    }
    return { ...rest, segments: [...segments.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
  });
  return { desired: { ...desired, destinations }, diagnostics };
}

/** The ids a resolution found in no audience of their sandbox (the other sandboxes' lists may say where they belong). */
export function foreignIds(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.code === 'FS_PLAN_SEGMENT_NOT_AUDIENCE');
}

/** True while some destination still names a segment only by name: planning it would drop that segment. */
export function hasUnresolvedNames(desired: DesiredState): boolean {
  return desired.destinations.some((d) => d.segmentRefs?.some((r) => r.id === undefined));
}
