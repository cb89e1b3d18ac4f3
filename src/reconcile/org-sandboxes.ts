// The org's sandboxes, read once per run from the Sandbox Management API, and the check that every
// sandbox the config names is one of them. Adobe answers a call for an unknown sandbox with
// 2101-404; checking first turns a typo in `sandbox:` into one error that names the file and line,
// before any lease or write. The same list feeds orphan discovery (discover.ts).
import { isSandboxListUnavailable, type FlowServiceClient } from '../api/index.ts';
import { FlowsyncError } from '../domain/errors.ts';
import type { DesiredState } from '../domain/model.ts';
import { didYouMean } from '../manifest/schema-diagnostics.ts';

/** `names`, or why the list could not be read (no sandbox read permission: a 403). */
export type OrgSandboxes = { names: string[] } | { names?: undefined; unavailable: string };

export async function readOrgSandboxes(client: Pick<FlowServiceClient, 'listSandboxes'>): Promise<OrgSandboxes> {
  try {
    return { names: await client.listSandboxes() };
  } catch (err) {
    if (!isSandboxListUnavailable(err)) throw err;
    return { unavailable: err.message };
  }
}

/**
 * Throws FS_PLAN_SANDBOX_UNKNOWN when the config names a sandbox the org does not have; returns
 * the warnings to show when the list could not be read (the check is then skipped).
 */
export function checkNamedSandboxes(desired: Pick<DesiredState, 'sandboxes' | 'sandboxSources'>, org: OrgSandboxes, orgId: string): string[] {
  if (!org.names) {
    return [`the sandboxes the config names (${desired.sandboxes.join(', ')}) were not checked to exist: the org's sandboxes cannot be listed (${org.unavailable}); grant the API project sandbox read access.`];
  }
  const known = new Set(org.names);
  const unknown = desired.sandboxes.filter((s) => !known.has(s));
  if (unknown.length === 0) return [];
  const each = unknown.map((s) => {
    const at = desired.sandboxSources?.[s];
    const guess = didYouMean(s, org.names);
    return `${at ? `${at.file}:${at.line}:${at.column}: ` : ''}sandbox "${s}" does not exist in org ${orgId}${guess ? ` (did you mean "${guess}"?)` : ''}`;
  });
  const first = desired.sandboxSources?.[unknown[0]!];
  return fail(`${each.join('; ')}. The org's sandboxes: ${org.names.join(', ')}. Nothing was written.`, unknown, first);
}

function fail(message: string, sandboxes: string[], at: { file: string; line: number } | undefined): never {
  throw new FlowsyncError('FS_PLAN_SANDBOX_UNKNOWN', message, { details: { sandboxes, ...(at ? { file: at.file, line: at.line } : {}) } });
}
