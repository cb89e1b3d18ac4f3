// The Profile Store pair (base + source connection) that every destination dataflow reads from.
// One per sandbox is enough: any existing Profile Store source connection is reused, owned or
// not; a `[flowsync:profile-store]` pair is created only when the sandbox has none.
import type { CreateFlowAction } from '../domain/plan.ts';
import { describeWithTag, profileStoreTag } from '../domain/owner-tag.ts';
import type { SandboxCtx } from './context.ts';

export const PROFILE_STORE_BASE_NAME = 'flowsync Profile Store';
export const PROFILE_STORE_SOURCE_NAME = 'flowsync Profile Store source';

export function profileStoreAddress(sandbox: string): string {
  return `${sandbox}/profile-store`;
}

/** Wires the plan's new dataflows to a Profile Store source connection, creating one if needed. */
export function planProfileStore(ctx: SandboxCtx): void {
  if (ctx.needsProfileStore.length === 0) return;
  const needs = new Set(ctx.needsProfileStore);
  const flows = ctx.actions.filter((a): a is CreateFlowAction => a.type === 'create-flow' && needs.has(a.id));
  const source = ctx.inv.profileSources[0];
  if (source) {
    for (const f of flows) f.sourceConnectionId = source.id;
    return;
  }
  const sandbox = ctx.inv.sandbox;
  const id = `${profileStoreAddress(sandbox)}/create`;
  const base = ctx.inv.profileBases[0];
  ctx.actions.push({
    id,
    type: 'create-profile-store',
    change: 'create',
    origin: 'manifest',
    sandbox,
    address: profileStoreAddress(sandbox),
    dependsOn: [],
    summary: base ? `create Profile Store source connection (reusing base connection ${base.id})` : 'create Profile Store base and source connection',
    ...(base ? { baseConnectionId: base.id } : {}),
    baseName: PROFILE_STORE_BASE_NAME,
    sourceName: PROFILE_STORE_SOURCE_NAME,
    description: describeWithTag('Profile Store connection for flowsync destinations', profileStoreTag(ctx.opts.manager)),
  });
  for (const f of flows) f.dependsOn.push(id);
}
