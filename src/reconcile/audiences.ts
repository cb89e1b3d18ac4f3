// Segments by name -> audience ids: one list walk per sandbox whose manifests name segments, shared
// through a cache for the run (the daemon makes a new one per cycle, so a renamed or new audience is
// seen at the next cycle). The resolution itself is pure (src/plan/audiences.ts).
import { isAudienceListUnavailable } from '../api/audiences.ts';
import type { FlowServiceClient } from '../api/index.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import type { DesiredState } from '../domain/model.ts';
import { foreignIds, resolveSegments, sandboxesNeedingAudiences, type AudienceList } from '../plan/audiences.ts';

/** Audience lists by sandbox, each read at most once per run. */
export type AudienceCache = Map<string, Promise<AudienceList>>;

/**
 * `checkIds: false` (the daemon's light cycle, see cycle.ts) walks only the sandboxes where a segment
 * is given by name: elsewhere every segment carries its id, which is all the diff compares, so the
 * ids go to the planner unchecked. The caller must resolve again with the check before it writes.
 */
export async function resolveAudiences(client: FlowServiceClient, desired: DesiredState, cache: AudienceCache = new Map(), opts: { checkIds?: boolean } = {}): Promise<{ desired: DesiredState; diagnostics: Diagnostic[] }> {
  if (opts.checkIds === false) return resolveNamed(client, desired, cache);
  const need = sandboxesNeedingAudiences(desired);
  if (need.length === 0) return { desired, diagnostics: [] };
  const first = resolveSegments(desired, await readAudienceLists(client, need, cache));
  if (!foreignIds(first.diagnostics)) return first;
  // An id that is no audience of its sandbox is usually one copied from another sandbox: the other
  // sandboxes' lists (still one walk each) let the error say which audience it is there.
  return resolveSegments(desired, await readAudienceLists(client, desired.sandboxes, cache));
}

/**
 * Only the sandboxes where some segment is given by name are resolved (and checked); elsewhere the
 * destinations go on as loaded, every segment an id with its reference (the planner needs no more).
 */
async function resolveNamed(client: FlowServiceClient, desired: DesiredState, cache: AudienceCache): Promise<{ desired: DesiredState; diagnostics: Diagnostic[] }> {
  const naming = new Set(desired.destinations.filter((d) => d.segmentRefs?.some((r) => r.id === undefined)).map((d) => d.sandbox));
  if (naming.size === 0) return { desired, diagnostics: [] };
  const resolved = await resolveAudiences(client, { ...desired, destinations: desired.destinations.filter((d) => naming.has(d.sandbox)) }, cache);
  // resolveSegments keeps the order of the destinations it is given.
  let next = 0;
  const destinations = desired.destinations.map((d) => (naming.has(d.sandbox) ? resolved.desired.destinations[next++]! : d));
  return { desired: { ...desired, destinations }, diagnostics: resolved.diagnostics };
}

/** The audience lists of the sandboxes (each walked once through the cache); a sandbox that may not be listed says why. */
export async function readAudienceLists(client: FlowServiceClient, sandboxes: readonly string[], cache: AudienceCache): Promise<Map<string, AudienceList>> {
  for (const sandbox of sandboxes) {
    if (cache.has(sandbox)) continue;
    const read = client.listAudiences(sandbox).then(
      (audiences): AudienceList => ({ audiences }),
      (err: unknown): AudienceList => {
        if (isAudienceListUnavailable(err)) return { unavailable: err.message };
        throw err;
      },
    );
    // A failed read is not kept: the next run (or cycle) asks again.
    read.catch(() => cache.delete(sandbox));
    cache.set(sandbox, read);
  }
  const out = new Map<string, AudienceList>();
  for (const [sandbox, read] of cache) out.set(sandbox, await read);
  return out;
}
