// Orphan discovery: the sandboxes of the org that the config no longer names but where this
// manager wrote before. Every writer records its manager in the sandbox's lease entity, so the
// org's sandbox list (Sandbox Management API) plus one lease lookup per unnamed sandbox finds
// them; their owned entities then show as orphans. Read-only. Cost: one GET per sandbox the config
// does not name (the sandbox list is read once per run, see org-sandboxes.ts); nothing when
// reconcile.scanSandboxes is false.
import type { FlowServiceClient } from '../api/index.ts';
import { readLeaseRecord } from '../lease/index.ts';
import type { OrgSandboxes } from './org-sandboxes.ts';

export interface Discovery {
  /** Unnamed sandboxes whose lease record lists this manager, sorted. */
  sandboxes: string[];
  /** Why discovery was incomplete (no permission to list sandboxes), for the plan's warnings. */
  warnings: string[];
}

export async function sandboxesManagedElsewhere(client: Pick<FlowServiceClient, 'list'>, org: OrgSandboxes, named: readonly string[], manager: string): Promise<Discovery> {
  const all = org.names;
  if (!all) {
    return {
      sandboxes: [],
      warnings: [`orphans in sandboxes the config does not name were not looked for: the org's sandboxes cannot be listed (${org.unavailable}); grant the API project sandbox read access or set reconcile.scanSandboxes: false.`],
    };
  }
  const known = new Set(named);
  const found: string[] = [];
  for (const sandbox of [...new Set(all)].filter((s) => !known.has(s)).sort()) {
    const record = await readLeaseRecord(client as FlowServiceClient, sandbox);
    if (record?.managers.includes(manager)) found.push(sandbox);
  }
  return { sandboxes: found, warnings: [] };
}
