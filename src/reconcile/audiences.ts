// Segments by name -> audience ids: one list walk per sandbox whose manifests name segments, shared
// through a cache for the run (the daemon makes a new one per cycle, so a renamed or new audience is
// seen at the next cycle). The resolution itself is pure (src/plan/audiences.ts).
import { isAudienceListUnavailable } from '../api/audiences.ts';
import type { FlowServiceClient } from '../api/index.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import type { DesiredState } from '../domain/model.ts';
import { resolveSegments, sandboxesNeedingAudiences, type AudienceList } from '../plan/audiences.ts';

/** Audience lists by sandbox, each read at most once per run. */
export type AudienceCache = Map<string, Promise<AudienceList>>;

export async function resolveAudiences(client: FlowServiceClient, desired: DesiredState, cache: AudienceCache = new Map()): Promise<{ desired: DesiredState; diagnostics: Diagnostic[] }> {
  const need = sandboxesNeedingAudiences(desired);
  if (need.length === 0) return { desired, diagnostics: [] };
  for (const sandbox of need) {
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
  const lists = new Map<string, AudienceList>();
  for (const [sandbox, read] of cache) lists.set(sandbox, await read);
  return resolveSegments(desired, lists);
}
