// The daemon's memo of sandboxes that needed no change: planning 10,000 destinations again every
// cycle costs most of a steady cycle, and the planner is pure, so equal inputs give an equal part.
// A sandbox's part is reused when its desired accounts and destinations (by content), the plan
// options (all but the time and revision, which only actions carry) and its live entities (the
// live-state cache's version, which moves with every entity added, removed or written) are what
// they were when it was planned. Only parts without actions are kept: anything else plans as now.
// The plan's desiredHash is kept the same way, for as long as the whole desired state is unchanged.
import type { DesiredState } from '../domain/model.ts';
import type { PlanOptions, SandboxPlan, SandboxPlanMemo } from '../plan/index.ts';

interface Entry {
  common: string;
  desired: string;
  version: number;
  part: SandboxPlan;
}

// The content itself is the key, not a hash of it: comparing two equal strings costs less than
// hashing one (a few MB at 10,000 destinations), and the memo holds one per sandbox.
const content = (value: unknown): string => JSON.stringify(value);

/** The desired state's content per sandbox. */
function desiredBySandbox(desired: DesiredState): Map<string, string> {
  const parts = new Map<string, { accounts: unknown[]; destinations: unknown[] }>();
  const part = (sandbox: string) => {
    let p = parts.get(sandbox);
    if (!p) parts.set(sandbox, (p = { accounts: [], destinations: [] }));
    return p;
  };
  for (const a of desired.accounts) part(a.sandbox).accounts.push(a);
  // Segment references are left out: the planner never reads them, and serializing one would make
  // its lazy position parse the manifest again to find its line (src/manifest/build.ts).
  for (const d of desired.destinations) part(d.sandbox).destinations.push(d.segmentRefs ? { ...d, segmentRefs: undefined } : d);
  return new Map([...parts].map(([sandbox, p]) => [sandbox, content(p)]));
}

export interface PlanningMemo {
  sandboxes: SandboxPlanMemo;
  /** The plan's desiredHash: computed again only when the desired state changed. */
  desiredDigest: (compute: () => string) => string;
}

export class PlanMemo {
  private readonly entries = new Map<string, Entry>();
  private last: { common: string; parts: Map<string, string>; digest: string } | undefined;

  /**
   * The memo for one planning: `liveVersion` gives each sandbox's live version (undefined: not
   * from the cache, never memoized).
   */
  forPlan(desired: DesiredState, opts: PlanOptions, liveVersion: (sandbox: string) => number | undefined): PlanningMemo {
    const { createdAt: _at, revision: _rev, ...rest } = opts;
    const common = content({ opts: rest, sandboxes: desired.sandboxes, sources: desired.sandboxSources ?? {} });
    const parts = desiredBySandbox(desired);
    // Bounded by the sandboxes read: one the cache forgot is forgotten here too.
    for (const sandbox of [...this.entries.keys()]) if (liveVersion(sandbox) === undefined) this.entries.delete(sandbox);
    const sandboxes: SandboxPlanMemo = {
      get: (sandbox) => {
        const entry = this.entries.get(sandbox);
        const hit = entry && entry.version === liveVersion(sandbox) && entry.common === common && entry.desired === (parts.get(sandbox) ?? '');
        return hit ? entry.part : undefined;
      },
      set: (sandbox, part) => {
        const version = liveVersion(sandbox);
        if (version === undefined || part.actions.length > 0) this.entries.delete(sandbox);
        else this.entries.set(sandbox, { common, desired: parts.get(sandbox) ?? '', version, part });
      },
    };
    const desiredDigest = (compute: () => string): string => {
      const last = this.last;
      const same = last !== undefined && last.common === common && last.parts.size === parts.size && [...parts].every(([s, p]) => last.parts.get(s) === p);
      if (!same) this.last = { common, parts, digest: compute() };
      return this.last!.digest;
    };
    return { sandboxes, desiredDigest };
  }
}
