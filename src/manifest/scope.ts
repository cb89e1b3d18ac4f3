// `--sandbox NAME` (repeatable): a run limited to some of the sandboxes the manifests name. Pure:
// the desired state of the other sandboxes is left out, so they are neither read nor written.
import type { DesiredState } from '../domain/model.ts';

/** The sandboxes asked for that the desired state does not name ([] when all are known). */
export function unknownSandboxes(desired: DesiredState, scope: readonly string[]): string[] {
  return scope.filter((s) => !desired.sandboxes.includes(s));
}

export function scopeDesired(desired: DesiredState, scope: readonly string[]): DesiredState {
  const keep = new Set(scope);
  const sources = Object.entries(desired.sandboxSources ?? {}).filter(([s]) => keep.has(s));
  return {
    accounts: desired.accounts.filter((a) => keep.has(a.sandbox)),
    destinations: desired.destinations.filter((d) => keep.has(d.sandbox)),
    sandboxes: desired.sandboxes.filter((s) => keep.has(s)),
    ...(sources.length > 0 ? { sandboxSources: Object.fromEntries(sources) } : {}),
  };
}
