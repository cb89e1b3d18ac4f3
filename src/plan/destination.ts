// Destinations: one target connection and one dataflow per StreamingDestination manifest.
// Create, adopt, update (params, name, description, selectors, state) or replace when the
// account changed (a target connection's base connection and spec cannot change in place).
import type { DesiredDestination, LastWrite, LiveFlow, LiveTargetConnection } from '../domain/model.ts';
import type { CreateFlowAction, FieldChange, LabelChange, Origin, PatchOp, UpdateFlowAction, UpdateTargetConnectionAction } from '../domain/plan.ts';
import { canonicalJson } from '../domain/fingerprint.ts';
import { describeWithTag, flowHash, flowTag, formatOwnerTag, parseOwnerTag, sameTag, targetHash, targetTag, type OwnerTag } from '../domain/owner-tag.ts';
import { DESTINATION_TYPE_SPECS, STREAMING_FLOW_SPEC_ID } from '../domain/specs.ts';
import { WRITABLE_STATES } from './inventory.ts';
import { candidates, inConflict, takeover } from './owners.ts';
import { diffSelectors, hasSelectorChanges, selectorOps } from './selectors.ts';
import { fieldChange, latest, type AccountStatus, type SandboxCtx } from './context.ts';
import { overwriteOf, updateFields } from './overwrites.ts';

export function destinationAddress(sandbox: string, name: string): string {
  return `${sandbox}/destination/${name}`;
}

function sameParams(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** canonicalJson equality, without building the text for the usual string or boolean params. */
function sameValue(a: unknown, b: unknown): boolean {
  const plain = (v: unknown) => typeof v === 'string' || typeof v === 'boolean';
  return plain(a) && plain(b) ? a === b : canonicalJson(a) === canonicalJson(b);
}

/** Own keys only: a param named like an inherited member (`toString`) is still a param. */
function param(params: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(params, key) ? params[key] : undefined;
}

/** Keys only one side names: a param the API did not return, or one it returned that the manifest leaves unset. */
function oneSidedKeys(live: Record<string, unknown>, want: Record<string, unknown>): string[] {
  return [...Object.keys(want).filter((k) => !Object.hasOwn(live, k)), ...Object.keys(live).filter((k) => !Object.hasOwn(want, k))];
}

/**
 * Target params that differ. A key both sides name is always compared. A key only one side names
 * counts only when the manifest changed since flowsync last wrote this target connection (its tag's
 * spec hash is not the manifest's), or flowsync never wrote it (no tag, adoption). The API may drop
 * a param on read (Adobe documents no read shape for the optional toggles) or add a default the
 * manifest leaves unset; comparing those keys every cycle would PATCH forever under drift: heal.
 * flowsync wrote the whole `params` object when the hash was recorded, so an unchanged hash means
 * such a key still holds what the manifest says; a manifest change sends the whole object again.
 * The cost: an edit made elsewhere to a param the API does not show cannot be seen as drift.
 */
function paramChanges(live: Record<string, unknown>, want: Record<string, unknown>, manifestChanged: boolean): FieldChange[] {
  const oneSided = new Set(oneSidedKeys(live, want));
  const keys = [...new Set([...Object.keys(live), ...Object.keys(want)])].filter((k) => manifestChanged || !oneSided.has(k)).sort();
  return keys
    .filter((k) => !sameValue(param(live, k), param(want, k)))
    .map((k) => fieldChange(`params.${k}`, param(live, k) ?? null, param(want, k) ?? null));
}

/** name, description and tag: shared by target connections and flows. */
function identityDiff(live: { name: string; description: string }, name: string, userDescription: string, tag: OwnerTag) {
  const parsed = parseOwnerTag(live.description);
  const drift: FieldChange[] = [];
  const patch: PatchOp[] = [];
  const meta: FieldChange[] = [];
  if (live.name !== name) {
    drift.push(fieldChange('name', live.name, name));
    patch.push({ op: 'replace', path: '/name', value: name });
  }
  const want = userDescription.trim();
  if (parsed.userDescription !== want) drift.push(fieldChange('description', parsed.userDescription, want));
  const tagChanged = !sameTag(parsed.tag, tag);
  if (tagChanged) meta.push(fieldChange('tag', parsed.tag ? formatOwnerTag(parsed.tag) : '(none)', formatOwnerTag(tag)));
  if (tagChanged || parsed.userDescription !== want) patch.push({ op: 'replace', path: '/description', value: describeWithTag(userDescription, tag) });
  // A takeover under a drift policy that leaves drift alone rewrites the tag only.
  const tagOnly: PatchOp[] = tagChanged ? [{ op: 'replace', path: '/description', value: describeWithTag(parsed.userDescription, tag) }] : [];
  return { parsed, drift, meta, patch, tagOnly };
}

function chooseTarget(ctx: SandboxCtx, d: DesiredDestination, acct: AccountStatus): { tc?: LiveTargetConnection; adopted: boolean } {
  // Keep rule among duplicates: ours before another manager's (--force-conflicts), the one a
  // dataflow of this destination uses, on the right account, then the oldest (lists are oldest first).
  const owned = candidates(ctx, ctx.inv.targets, d.name);
  const ownedFlows = candidates(ctx, ctx.inv.flows, d.name);
  const foreign = (id: string) => ctx.inv.owners.get(id)?.owner === 'foreign';
  const rank = (t: LiveTargetConnection) =>
    (foreign(t.id) ? 4 : 0) + (ownedFlows.some((f) => f.targetConnectionIds.includes(t.id)) ? 0 : 2) + (t.baseConnectionId === acct.baseId ? 0 : 1);
  const primary = owned.length === 1 ? owned[0] : [...owned].sort((a, b) => rank(a) - rank(b))[0];
  if (primary) return { tc: primary, adopted: false };
  if (!acct.baseId || acct.createActionId) return { adopted: false };
  const spec = DESTINATION_TYPE_SPECS[d.type];
  const candidate = ctx.inv.untaggedTargets.find(
    (t) => t.name === d.name && t.specId === spec.specId && t.baseConnectionId === acct.baseId && sameParams(t.params, d.target) && !ctx.inv.adopted.has(t.id),
  );
  return candidate ? { tc: candidate, adopted: true } : { adopted: false };
}

function chooseFlow(ctx: SandboxCtx, d: DesiredDestination, tc: LiveTargetConnection | undefined): { flow?: LiveFlow; adopted: boolean } {
  const owned = candidates(ctx, ctx.inv.flows, d.name);
  const rank = (f: LiveFlow) => (ctx.inv.owners.get(f.id)?.owner === 'foreign' ? 2 : 0) + (tc && f.targetConnectionIds.includes(tc.id) ? 0 : 1);
  const primary = owned.length === 1 ? owned[0] : [...owned].sort((a, b) => rank(a) - rank(b))[0];
  if (primary) return { flow: primary, adopted: false };
  if (!tc) return { adopted: false };
  const candidate = ctx.inv.untaggedFlows.find(
    (f) => f.name === d.name && f.flowSpecId === STREAMING_FLOW_SPEC_ID && f.targetConnectionIds.includes(tc.id) && !ctx.inv.adopted.has(f.id),
  );
  return candidate ? { flow: candidate, adopted: true } : { adopted: false };
}

/** Live selectors of audiences the sandbox now calls something else: a label, not a change of audience. */
function relabelled(d: DesiredDestination, flow: LiveFlow): LabelChange[] {
  const out: LabelChange[] = [];
  // The first live selector of each id, indexed only once a desired segment carries a label to compare.
  let firstLive: Map<string, LiveFlow['segments'][number]> | undefined;
  for (const s of d.segments) {
    if (s.name === undefined) continue;
    if (!firstLive) {
      firstLive = new Map();
      for (const x of flow.segments) if (!firstLive.has(x.id)) firstLive.set(x.id, x);
    }
    const live = firstLive.get(s.id);
    if (live?.name !== undefined && live.name !== s.name) out.push({ sandbox: d.sandbox, destination: d.name, id: s.id, from: live.name, to: s.name });
  }
  return out;
}

/** A destination that cannot be planned now keeps all its entities: none of them is a prune candidate. */
function hold(ctx: SandboxCtx, d: DesiredDestination, reason?: string): undefined {
  if (reason) ctx.warnings.push(reason);
  for (const e of [...(ctx.inv.targets.ours.get(d.name) ?? []), ...(ctx.inv.flows.ours.get(d.name) ?? [])]) ctx.claimed.add(e.id);
  return undefined;
}

/** One destination as its steps see it: the live entities chosen for it, and the drift they find. */
interface DestinationPlan {
  ctx: SandboxCtx;
  d: DesiredDestination;
  addr: string;
  acct: AccountStatus;
  spec: (typeof DESTINATION_TYPE_SPECS)[DesiredDestination['type']];
  /** Ownership tags as written now: each is a canonical-JSON walk and a sha256, so computed once per destination. */
  tcTag: OwnerTag;
  fTag: OwnerTag;
  tc?: LiveTargetConnection;
  tcAdopted: boolean;
  tcReplace: boolean;
  flow?: LiveFlow;
  flowAdopted: boolean;
  flowReplace: boolean;
  driftChanges: FieldChange[];
  driftWrites: LastWrite[];
}

/** Ids of this destination's actions that later ones depend on. */
interface StepIds {
  deleteFlowId?: string;
  deleteTcId?: string;
  createTcId?: string;
  tcUpdateId?: string;
}

const present = (ids: (string | undefined)[]): string[] => ids.filter((x): x is string => !!x);

export function planDestinationInSandbox(ctx: SandboxCtx, d: DesiredDestination): void {
  const addr = destinationAddress(d.sandbox, d.name);
  const acct = plannableAccount(ctx, d, addr);
  if (!acct) return;
  const p = chooseEntities(ctx, d, addr, acct);
  const riders = ridersToDelete(p);
  if (!riders || !settled(p, riders)) return;
  const ids = planReplacementDeletes(p, riders);
  if (!p.tc || p.tcReplace) ids.createTcId = createTargetConnection(p, ids);
  else ids.tcUpdateId = updateTargetConnection(p, p.tc);
  if (!p.flow || p.flowReplace) createFlow(p, ids);
  else updateFlow(p, p.flow, ids);
  if (p.driftChanges.length > 0) {
    const lastWrite = latest(p.driftWrites);
    ctx.drift.push({ sandbox: d.sandbox, destination: d.name, resource: 'destination', drift: d.drift, changes: p.driftChanges, ...(lastWrite ? { lastWrite } : {}) });
  }
}

/** The destination's account, when the destination can be planned now; otherwise it is held. */
function plannableAccount(ctx: SandboxCtx, d: DesiredDestination, addr: string): AccountStatus | undefined {
  const acct = ctx.accounts.get(d.account);
  if (!acct) return hold(ctx, d, `${addr}: account ${d.account} has no manifest in sandbox ${d.sandbox}; the destination is skipped.`);
  if (acct.blocked) return hold(ctx, d);
  const blocked = ctx.blocked.get(addr);
  if (blocked) return hold(ctx, d, blocked);
  if (inConflict(ctx, ctx.inv.targets, d.name) || inConflict(ctx, ctx.inv.flows, d.name)) return hold(ctx, d);
  return acct;
}

/** Which live target connection and dataflow are this destination's, and whether each is replaced. */
function chooseEntities(ctx: SandboxCtx, d: DesiredDestination, addr: string, acct: AccountStatus): DestinationPlan {
  const spec = DESTINATION_TYPE_SPECS[d.type];
  const { tc, adopted: tcAdopted } = chooseTarget(ctx, d, acct);
  const tcReplace = !!tc && (acct.createActionId !== undefined || tc.baseConnectionId !== acct.baseId || tc.specId !== spec.specId);
  // A dataflow is adopted only onto a target connection that stays: adoption never leads to a delete.
  const { flow, adopted: flowAdopted } = chooseFlow(ctx, d, tcReplace ? undefined : tc);
  for (const [entity, adopted] of [[tc, tcAdopted], [flow, flowAdopted]] as const) {
    if (!entity) continue;
    ctx.claimed.add(entity.id);
    if (adopted) ctx.inv.adopted.add(entity.id);
  }
  const flowReplace = !!flow && (tcReplace || !tc || !flow.targetConnectionIds.includes(tc.id) || flow.flowSpecId !== STREAMING_FLOW_SPEC_ID);
  const tcTag = targetTag(d, ctx.opts.manager);
  const fTag = flowTag(d, ctx.opts.manager);
  return { ctx, d, addr, acct, spec, tcTag, fTag, tc, tcAdopted, tcReplace, flow, flowAdopted, flowReplace, driftChanges: [], driftWrites: [] };
}

/**
 * Every other dataflow on a target connection that is replaced must go first; only flowsync's own
 * duplicates may. Undefined (and the destination held) when another one rides on it.
 */
function ridersToDelete({ ctx, d, addr, tc, tcReplace, flow }: DestinationPlan): LiveFlow[] | undefined {
  const riders = tc && tcReplace ? ctx.inv.live.flows.filter((f) => f.targetConnectionIds.includes(tc.id) && f.id !== flow?.id).sort((a, b) => (a.id < b.id ? -1 : 1)) : [];
  const foreign = riders.filter((f) => { const t = parseOwnerTag(f.description).tag; return t?.kind !== 'destination' || t.name !== d.name || ctx.inv.owners.get(f.id)?.owner === 'foreign'; });
  if (foreign.length === 0) return riders;
  return hold(ctx, d, `${addr}: the target connection must be replaced (account ${d.account} changed), but dataflow ${foreign.map((f) => `${f.name} (${f.id})`).join(', ')} still uses it; remove or re-point it first.`);
}

/** False (and the destination held, with a warning per entity) while an entity it would change is in a transitional state. */
function settled({ ctx, d, addr, tc, flow }: DestinationPlan, riders: LiveFlow[]): boolean {
  const transitional = [tc, flow, ...riders].filter((e): e is LiveTargetConnection | LiveFlow => e !== undefined && !WRITABLE_STATES.has(e.state));
  for (const e of transitional) ctx.warnings.push(`${addr}: ${e === tc ? 'target connection' : 'dataflow'} ${e.id} is ${e.state}; changes wait until it settles.`);
  if (transitional.length > 0) hold(ctx, d);
  return transitional.length === 0;
}

/** A replace deletes first: the riders, the dataflow, then the target connection they all used. */
function planReplacementDeletes({ ctx, d, addr, tc, tcReplace, flow, flowReplace }: DestinationPlan, riders: LiveFlow[]): StepIds {
  const why = tcReplace ? `account changes to ${d.account}` : 'its target connection changes';
  const riderDeletes = riders.map((f) => {
    const id = `${addr}/flow/${f.id}/delete`;
    ctx.actions.push({
      id, type: 'delete-flow', change: 'replace', origin: 'manifest', sandbox: d.sandbox, address: addr, dependsOn: [],
      summary: `delete duplicate dataflow ${f.name} (${f.id})`, entityId: f.id, etag: f.etag, name: f.name,
    });
    ctx.deleted.add(f.id);
    return id;
  });
  const ids: StepIds = {};
  if (flow && flowReplace) {
    ids.deleteFlowId = `${addr}/flow/delete`;
    ctx.actions.push({
      id: ids.deleteFlowId, type: 'delete-flow', change: 'replace', origin: 'manifest', sandbox: d.sandbox, address: addr, dependsOn: [],
      summary: `delete dataflow ${flow.name} (${why})`, entityId: flow.id, etag: flow.etag, name: flow.name,
    });
    ctx.deleted.add(flow.id);
  }
  if (tc && tcReplace) {
    ids.deleteTcId = `${addr}/target-connection/delete`;
    ctx.actions.push({
      id: ids.deleteTcId, type: 'delete-target-connection', change: 'replace', origin: 'manifest', sandbox: d.sandbox, address: addr,
      dependsOn: present([ids.deleteFlowId, ...riderDeletes]), summary: `delete target connection ${tc.name} (${why})`,
      entityId: tc.id, etag: tc.etag, name: tc.name,
    });
    ctx.deleted.add(tc.id);
  }
  return ids;
}

function createTargetConnection({ ctx, d, addr, acct, spec, tcTag, tcReplace }: DestinationPlan, ids: StepIds): string {
  const id = `${addr}/target-connection/create`;
  ctx.actions.push({
    id, type: 'create-target-connection', change: tcReplace ? 'replace' : 'create', origin: 'manifest', sandbox: d.sandbox,
    address: addr, dependsOn: present([acct.createActionId, ids.deleteTcId]), summary: `create target connection ${d.name} (${spec.displayName})`,
    destination: d.name, name: d.name, description: describeWithTag(d.description, tcTag), specId: spec.specId, account: d.account,
    ...(acct.baseId && !acct.createActionId ? { baseConnectionId: acct.baseId } : {}), params: { ...d.target }, format: d.format,
  });
  return id;
}

/** Params, name, description and tag of a target connection that stays; the update's id when there is one. */
function updateTargetConnection(p: DestinationPlan, tc: LiveTargetConnection): string | undefined {
  const { ctx, d, addr, tcAdopted, tcTag } = p;
  const id = identityDiff(tc, d.name, d.description, tcTag);
  const params = paramChanges(tc.params, d.target, tcAdopted || id.parsed.tag?.specHash !== tcTag.specHash);
  const drift = [...id.drift, ...params];
  const patch = [...id.patch];
  if (params.length > 0) patch.unshift({ op: 'replace', path: '/params', value: { ...d.target } });
  const isDrift = !tcAdopted && id.parsed.tag?.specHash === tcTag.specHash;
  if (isDrift && drift.length > 0) {
    p.driftChanges.push(...drift.map((c) => ({ ...c, field: `target.${c.field}` })));
    p.driftWrites.push(tc.lastWrite);
  }
  const taken = tcAdopted ? undefined : takeover(ctx, tc.id, `target connection ${d.name}`);
  const leaveDrift = isDrift && d.drift !== 'heal';
  if (patch.length === 0 || (leaveDrift && !taken)) return undefined;
  const updateId = `${addr}/target-connection/update`;
  const origin: Origin = tcAdopted ? 'adoption' : taken ? 'takeover' : isDrift ? 'drift' : 'manifest';
  const action = {
    id: updateId, type: 'update-target-connection', change: 'update', origin, sandbox: d.sandbox, address: addr, dependsOn: [],
    summary: taken ?? `${tcAdopted ? 'adopt' : 'update'} target connection ${d.name}`, entityId: tc.id, etag: tc.etag, destination: d.name,
    changes: leaveDrift ? id.meta : [...drift, ...id.meta], patch: leaveDrift ? id.tagOnly : patch,
  } satisfies UpdateTargetConnectionAction;
  // The manifest changed and so did the live entity since flowsync wrote it: name what is overwritten.
  // When the API does not show every param (see paramChanges), what flowsync wrote cannot be rebuilt: no overwrite is named.
  const editedElsewhere = origin === 'manifest' && id.parsed.tag !== undefined && oneSidedKeys(tc.params, d.target).length === 0 &&
    id.parsed.tag.specHash !== targetHash({ ...d, name: tc.name, description: id.parsed.userDescription, target: tc.params as typeof d.target });
  ctx.actions.push({ ...action, ...(editedElsewhere ? overwriteOf(updateFields(action), tc.lastWrite) : {}) });
  return updateId;
}

function createFlow({ ctx, d, addr, spec, fTag, tc, tcReplace, flowReplace }: DestinationPlan, ids: StepIds): void {
  const id = `${addr}/flow/create`;
  const action: CreateFlowAction = {
    id, type: 'create-flow', change: flowReplace ? 'replace' : 'create', origin: 'manifest', sandbox: d.sandbox, address: addr,
    dependsOn: present([ids.createTcId, ids.deleteFlowId]),
    summary: `create dataflow ${d.name} (${spec.displayName})`, destination: d.name, destinationType: d.type, name: d.name,
    description: describeWithTag(d.description, fTag), flowSpecId: STREAMING_FLOW_SPEC_ID,
    ...(tc && !tcReplace ? { targetConnectionId: tc.id } : {}),
    segments: d.segments.map((s) => ({ ...s })), profileAttributes: [...d.profileAttributes], enabled: d.enabled,
  };
  ctx.actions.push(action);
  ctx.needsProfileStore.push(id);
}

/** The flow as flowsync would have written it, from what is live: its hash differs from the tag's once someone else edited it. */
function flowAsWritten(d: DesiredDestination, flow: LiveFlow, userDescription: string): string {
  return flowHash({
    ...d,
    name: flow.name,
    description: userDescription,
    enabled: flow.state === 'enabled',
    segments: [...new Set(flow.segments.map((s) => s.id))].sort().map((sid) => ({ id: sid })),
    profileAttributes: [...new Set(flow.profileAttributes.map((a) => a.path))].sort(),
  });
}

/** Name, description, tag, selectors and state of a dataflow that stays. */
function updateFlow(p: DestinationPlan, flow: LiveFlow, ids: StepIds): void {
  const { ctx, d, addr, flowAdopted, fTag } = p;
  const id = identityDiff(flow, d.name, d.description, fTag);
  const sel = diffSelectors(d.segments, d.profileAttributes, flow);
  ctx.labels.push(...relabelled(d, flow));
  const wantState = d.enabled ? 'enabled' : 'disabled';
  const drift = [
    ...id.drift,
    ...sel.removeSegments.map((s) => fieldChange(`segment ${s.id}`, 'present', 'absent')),
    ...sel.addSegments.map((s) => fieldChange(`segment ${s.id}`, 'absent', 'present')),
    ...sel.removeAttributes.map((a) => fieldChange(`attribute ${a.path}`, 'present', 'absent')),
    ...sel.addAttributes.map((path) => fieldChange(`attribute ${path}`, 'absent', 'present')),
    ...(flow.state !== wantState ? [fieldChange('state', flow.state, wantState)] : []),
  ];
  const isDrift = !flowAdopted && id.parsed.tag?.specHash === fTag.specHash;
  if (isDrift && drift.length > 0) {
    p.driftChanges.push(...drift.map((c) => ({ ...c, field: `dataflow.${c.field}` })));
    p.driftWrites.push(flow.lastWrite);
  }
  const act = !(isDrift && d.drift !== 'heal');
  const taken = flowAdopted ? undefined : takeover(ctx, flow.id, `dataflow ${d.name}`);
  const origin: Origin = flowAdopted ? 'adoption' : taken ? 'takeover' : isDrift ? 'drift' : 'manifest';
  let flowUpdateId: string | undefined;
  if (act && (id.patch.length > 0 || hasSelectorChanges(sel))) {
    flowUpdateId = `${addr}/flow/update`;
    const action = {
      id: flowUpdateId, type: 'update-flow', change: 'update', origin, sandbox: d.sandbox, address: addr, dependsOn: [],
      summary: taken ?? `${flowAdopted ? 'adopt' : 'update'} dataflow ${d.name}`, entityId: flow.id, etag: flow.etag, destination: d.name,
      changes: [...id.drift, ...id.meta], ...sel, patch: [...selectorOps(sel), ...id.patch],
    } satisfies UpdateFlowAction;
    // The manifest changed and so did the live flow since flowsync wrote it: name what is overwritten.
    const editedElsewhere = origin === 'manifest' && id.parsed.tag !== undefined && id.parsed.tag.specHash !== flowAsWritten(d, flow, id.parsed.userDescription);
    ctx.actions.push({ ...action, ...(editedElsewhere ? overwriteOf(updateFields(action), flow.lastWrite) : {}) });
  } else if (!act && taken && id.tagOnly.length > 0) {
    flowUpdateId = `${addr}/flow/update`;
    ctx.actions.push({
      id: flowUpdateId, type: 'update-flow', change: 'update', origin, sandbox: d.sandbox, address: addr, dependsOn: [],
      summary: taken, entityId: flow.id, etag: flow.etag, destination: d.name,
      changes: id.meta, addSegments: [], removeSegments: [], addAttributes: [], removeAttributes: [], patch: id.tagOnly,
    });
  }
  if (act && flow.state !== wantState) {
    ctx.actions.push({
      id: `${addr}/flow/state`, type: 'set-flow-state', change: 'update', origin, sandbox: d.sandbox, address: addr,
      dependsOn: present([flowUpdateId, ids.tcUpdateId]),
      summary: `${d.enabled ? 'enable' : 'disable'} dataflow ${d.name}`, entityId: flow.id, etag: flow.etag, destination: d.name,
      from: flow.state, to: wantState,
    });
  }
}
