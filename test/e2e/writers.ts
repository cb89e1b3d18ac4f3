// Helpers for tests with several flowsync writers at once: count owned duplicates in the emulator,
// tell writers apart in its request log (the User-Agent names the pid), and check that every
// write of a process happened while it held the sandbox's writer lease.
import type { StartedEmulator } from '../../src/emulator/index.ts';

const COLLECTIONS = ['connections', 'sourceConnections', 'targetConnections', 'flows'] as const;

/** Owned entities per tag (collection, sandbox, kind/name); the profile store pair counts once per sandbox. */
export function ownedByTag(emu: StartedEmulator, orgId: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [scope, data] of Object.entries(emu.admin.snapshot().scopes)) {
    if (!scope.startsWith(`${orgId}/`)) continue;
    for (const collection of COLLECTIONS) {
      for (const e of ((data as Record<string, unknown[]>)[collection] ?? []) as { id: string; name?: string; description?: string }[]) {
        const tag = /\[flowsync:((?:account|destination)\/[A-Za-z0-9._-]+|profile-store)/.exec(String(e.description ?? ''))?.[1];
        if (!tag) continue;
        const key = `${scope}/${collection}/${tag}`;
        out.set(key, [...(out.get(key) ?? []), e.id]);
      }
    }
  }
  return out;
}

/** How many owned entities exist beyond one per tag, and which tags they belong to. */
export function duplicates(emu: StartedEmulator, orgId: string): { count: number; tags: string[] } {
  let count = 0;
  const tags: string[] = [];
  for (const [tag, ids] of ownedByTag(emu, orgId)) {
    if (ids.length > 1) {
      count += ids.length - 1;
      tags.push(`${tag} x${ids.length}`);
    }
  }
  return { count, tags };
}

export function ownedCount(emu: StartedEmulator, orgId: string): number {
  let n = 0;
  for (const ids of ownedByTag(emu, orgId).values()) n += ids.length;
  return n;
}

const pidOf = (userAgent: string | undefined) => /\(pid (\d+)\)/.exec(userAgent ?? '')?.[1];

/** Flow Service writes (not the lease entity's own) per writer pid, with arrival times. */
export function dataWritesByPid(emu: StartedEmulator, leasePaths: Set<string>): Map<string, { at: number; sandbox: string }[]> {
  const out = new Map<string, { at: number; sandbox: string }[]>();
  for (const r of emu.admin.requests()) {
    if (!r.write || leasePaths.has(r.path) || / lease$/.test(r.userAgent ?? '')) continue;
    const pid = pidOf(r.userAgent) ?? '?';
    out.set(pid, [...(out.get(pid) ?? []), { at: r.at, sandbox: r.sandbox ?? 'prod' }]);
  }
  return out;
}

/** Paths of the lease entities (ids of base connections named flowsync-lease), across all scopes. */
export function leasePaths(emu: StartedEmulator): Set<string> {
  const paths = new Set<string>();
  for (const data of Object.values(emu.admin.snapshot().scopes)) {
    for (const c of ((data as Record<string, unknown[]>).connections ?? []) as { id: string; name?: string }[]) {
      if (c.name === 'flowsync-lease') paths.add(`/data/foundation/flowservice/connections/${c.id}`);
    }
  }
  return paths;
}

/** The writers (pids) that sent data writes. */
export function writers(emu: StartedEmulator): string[] {
  return [...dataWritesByPid(emu, leasePaths(emu)).keys()].sort();
}

/**
 * Problems (none when all is well): a data write outside an interval in which its own process held
 * that sandbox's lease, or two processes holding one sandbox's lease at once. `holdings` come from
 * the writers' own lease log lines.
 */
export interface Holding {
  pid: string;
  sandbox: string;
  from: number;
  to: number;
}

export function writesInsideHoldings(emu: StartedEmulator, holdings: Holding[]): string[] {
  const problems: string[] = [];
  for (const [pid, writes] of dataWritesByPid(emu, leasePaths(emu))) {
    for (const { at, sandbox } of writes) {
      const inside = holdings.some((h) => h.pid === pid && h.sandbox === sandbox && at >= h.from - 5 && at <= h.to + 5);
      if (!inside) problems.push(`pid ${pid} wrote to ${sandbox} at ${new Date(at).toISOString()} without holding its lease`);
    }
  }
  for (const a of holdings) {
    for (const b of holdings) {
      if (a.pid < b.pid && a.sandbox === b.sandbox && a.from < b.to && b.from < a.to) problems.push(`pid ${a.pid} and pid ${b.pid} held the ${a.sandbox} lease at once`);
    }
  }
  return problems;
}
