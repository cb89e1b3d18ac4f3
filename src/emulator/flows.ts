// Dataflows: create-body validation, what the server derives (inheritedAttributes, runs link,
// lastOperation, createTime/updateTime on segment selectors) and enable/disable actions.
import { badRequest, invalidSpecId, ApiError, flowError } from './api-error.ts';
import { flowSpec } from './catalog.ts';
import { checkSpecVersion, invalidBody, isRecord, newMeta, type WriteContext } from './entity-common.ts';
import type { Scope } from './store.ts';
import type { Entity, PatchOp } from './types.ts';
import { clone } from './clone.ts';

function idList(body: Record<string, unknown>, key: string): string[] {
  const ids = body[key];
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== 'string' || i === '')) {
    throw invalidBody(`flows: "${key}" must be a non-empty array of ids`);
  }
  return ids as string[];
}

/** Resolves source/target connection ids in the caller's scope and checks them against the flow spec. */
function inherited(scope: Scope, spec: Record<string, unknown>, sourceIds: string[], targetIds: string[]) {
  const resolve = (kind: 'sourceConnections' | 'targetConnections', id: string, allowed: unknown) => {
    const doc = scope[kind].get(id)?.doc;
    if (!doc) throw badRequest('1430', `flows: ${kind === 'sourceConnections' ? 'source' : 'target'} connection ${id} was not found in this sandbox`, { id, type: kind });
    const specId = (doc.connectionSpec as { id: string }).id;
    if (!(allowed as string[]).includes(specId)) {
      throw invalidBody(`flows: ${kind} ${id} has connection spec ${specId}, which flow spec ${String(spec.id)} does not accept`, { id });
    }
    const base = scope.connections.get(doc.baseConnectionId as string)?.doc;
    const entry: Record<string, unknown> = {
      id,
      connectionSpec: clone(doc.connectionSpec),
      baseConnection: { id: doc.baseConnectionId, connectionSpec: clone(base?.connectionSpec ?? doc.connectionSpec) },
    };
    if (doc.typeInfo) entry.typeInfo = clone(doc.typeInfo);
    return entry;
  };
  return {
    properties: { isDestinationFlow: true },
    sourceConnections: sourceIds.map((id) => resolve('sourceConnections', id, spec.sourceConnectionSpecIds)),
    targetConnections: targetIds.map((id) => resolve('targetConnections', id, spec.targetConnectionSpecIds)),
  };
}

/**
 * Adobe's guardrails for data activation: "Maximum number of audiences to a single destination: 250 ...
 * We recommend mapping a maximum of 250 audiences to a single destination in a dataflow." Adobe calls it a
 * performance (soft) guardrail; the emulator enforces it so a config past it fails here, not in production.
 */
export const MAX_SEGMENTS_PER_FLOW = 250;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Selector shapes from the spec's PatchFlowItem values: a segment selector's type is "the hardcoded value
 * `PLATFORM_SEGMENT`" and its value.id an audience ID (UUIDs in every example); a profile selector's type
 * is "the hardcoded value `JSON_PATH`" and its operator "the hardcoded value `EXISTS`".
 */
function checkSelectors(params: Record<string, unknown>, where: string): void {
  const list = (key: string) => ((params[key] as { selectors?: Record<string, unknown>[] } | undefined)?.selectors ?? []);
  const seen = new Set<string>();
  const segments = list('segmentSelectors');
  segments.forEach((s, i) => {
    const id = (s.value as Record<string, unknown>).id;
    if (s.type !== 'PLATFORM_SEGMENT') throw invalidBody(`${where}: segment selector #${i} has type "${String(s.type)}"; segment selectors take type "PLATFORM_SEGMENT"`);
    if (typeof id !== 'string' || !UUID.test(id)) throw invalidBody(`${where}: segment selector #${i} has id "${String(id)}"; an audience id is a UUID`);
    if (seen.has(id.toLowerCase())) throw invalidBody(`${where}: segment ${id} is selected twice; a flow maps each audience once`, { id });
    seen.add(id.toLowerCase());
  });
  if (segments.length > MAX_SEGMENTS_PER_FLOW) {
    throw invalidBody(`${where}: ${segments.length} segments in one flow; at most ${MAX_SEGMENTS_PER_FLOW} audiences map to a destination in one dataflow (Adobe's activation guardrails)`);
  }
  list('profileSelectors').forEach((s, i) => {
    const value = s.value as Record<string, unknown>;
    if (s.type !== 'JSON_PATH') throw invalidBody(`${where}: profile selector #${i} has type "${String(s.type)}"; profile selectors take type "JSON_PATH"`);
    if (typeof value.path !== 'string' || value.path === '') throw invalidBody(`${where}: profile selector #${i} needs a non-empty value.path`);
    if (value.operator !== 'EXISTS') throw invalidBody(`${where}: profile selector #${i} has operator "${String(value.operator)}"; profile selectors take operator "EXISTS"`);
  });
}

function checkTransformations(value: unknown, where: string, opts: { creating?: boolean; strictSelectors?: boolean } = {}): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((t) => !isRecord(t) || typeof t.name !== 'string')) {
    throw invalidBody(`${where}: "transformations" must be an array of {name, params}`);
  }
  for (const t of value as Record<string, unknown>[]) {
    const params = t.params;
    if (params === undefined) continue;
    if (!isRecord(params)) throw invalidBody(`${where}: transformation "${String(t.name)}" params must be an object`);
    for (const key of ['segmentSelectors', 'profileSelectors']) {
      const sel = params[key];
      if (sel === undefined) continue;
      if (!isRecord(sel) || !Array.isArray(sel.selectors) || sel.selectors.some((s) => !isRecord(s) || typeof s.type !== 'string' || !isRecord(s.value))) {
        throw invalidBody(`${where}: ${key}.selectors must be an array of {type, value} objects`);
      }
      // The spec's create request: "When creating a destination dataflow, leave the `profileSelectors` and
      // `segmentSelectors` empty. You will add relevant values for them when using the `PATCH` request later."
      if (opts.creating && sel.selectors.length > 0) throw invalidBody(`${where}: ${key}.selectors must be empty when a flow is created; add selectors with PATCH`);
    }
    if (opts.strictSelectors ?? true) checkSelectors(params, where);
  }
}

/** The audience ids a flow's segment selectors name. */
export function segmentIds(doc: Entity): string[] {
  const out: string[] = [];
  for (const t of (doc.transformations as Record<string, unknown>[] | undefined) ?? []) {
    const sel = (t.params as Record<string, unknown> | undefined)?.segmentSelectors as { selectors?: { value?: Record<string, unknown> }[] } | undefined;
    for (const s of sel?.selectors ?? []) if (typeof s.value?.id === 'string') out.push(s.value.id);
  }
  return out;
}

/** True when a flow of the scope activates the audience. */
export function isActivated(scope: Scope, audienceId: string): boolean {
  for (const rec of scope.flows.values()) if (segmentIds(rec.doc).includes(audienceId)) return true;
  return false;
}

/**
 * Activating an id that is no audience of the sandbox is refused. Adobe documents no error for it; the
 * emulator's choice is the Flow Service's wrapper for a provider's refusal (`1100-400` "… Error from flow
 * provider: …") around the Segmentation Service's "audience entity … is not found" message. Only ids the
 * patch adds are checked: one activated before (e.g. by an edit in the UI) does not block other changes.
 */
function checkAudiences(ctx: WriteContext, doc: Entity, before: Entity): void {
  if (!ctx.isAudience) return;
  const had = new Set(segmentIds(before));
  for (const id of segmentIds(doc)) {
    if (had.has(id) || ctx.isAudience(id)) continue;
    throw flowError(400, '1100', `The request could not be processed. Error from flow provider: The audience entity ${id} is not found in sandbox ${ctx.sandbox}. Use a valid entity and try again.`, { id, type: 'audiences', sandbox: ctx.sandbox }, 'Invalid request');
  }
}

/** Segment selector values get createTime/updateTime (epoch seconds as strings) when the server first sees them. */
function stampSegments(doc: Entity, now: number): void {
  const secs = String(Math.floor(now / 1000));
  for (const t of (doc.transformations as Record<string, unknown>[] | undefined) ?? []) {
    const sel = (t.params as Record<string, unknown> | undefined)?.segmentSelectors as { selectors?: { value: Record<string, unknown> }[] } | undefined;
    for (const s of sel?.selectors ?? []) {
      if (s.value.createTime === undefined) s.value.createTime = secs;
      if (s.value.updateTime === undefined) s.value.updateTime = secs;
    }
  }
}

function lastOperation(operation: string, ops: PatchOp[], now: number) {
  return { started: now, updated: now, percentCompleted: 100, status: { value: 'completed', properties: {}, errors: [] }, ops, operation };
}

export function createFlow(ctx: WriteContext, body: Record<string, unknown>): Entity {
  if ('state' in body) throw badRequest('1410', 'flows: "state" cannot be set when creating a flow; use POST /flows/{id}/action?op=enable|disable');
  if (typeof body.name !== 'string' || body.name.trim() === '') throw invalidBody('flows: "name" must be a non-empty string');
  if (body.description !== undefined && typeof body.description !== 'string') throw invalidBody('flows: "description" must be a string');
  const ref = body.flowSpec;
  const spec = isRecord(ref) ? flowSpec(ref.id) : undefined;
  if (!isRecord(ref) || !spec) throw invalidSpecId();
  if (typeof ref.version !== 'string' || ref.version === '') throw new ApiError(422, flowError(422, '1100', 'flows: flowSpec.version is required').body);
  checkSpecVersion(spec, ref.version, 'flows: flowSpec');
  const sourceConnectionIds = idList(body, 'sourceConnectionIds');
  const targetConnectionIds = idList(body, 'targetConnectionIds');
  checkTransformations(body.transformations, 'flows', { creating: true });
  const meta = newMeta(ctx);
  const doc: Entity = {
    ...meta,
    name: body.name,
    description: body.description ?? '',
    flowSpec: { id: ref.id, version: ref.version },
    state: 'enabled',
    sourceConnectionIds: [...sourceConnectionIds],
    targetConnectionIds: [...targetConnectionIds],
    inheritedAttributes: inherited(ctx.scope, spec, sourceConnectionIds, targetConnectionIds),
    transformations: clone(body.transformations ?? []),
    runs: `/runs?property=flowId==${meta.id}`,
    lastOperation: lastOperation('create', [], ctx.now),
  };
  if (body.labels !== undefined) doc.labels = clone(body.labels);
  stampSegments(doc, ctx.now);
  return doc;
}

/**
 * After a patch: re-validate, re-derive inheritedAttributes and stamp new segment selectors.
 * `strictSelectors: false` is for out-of-band (UI) edits, which may seed what the API refuses today
 * (e.g. a legacy audience id that is not a UUID), so tests can show how flowsync copes with it.
 */
export function finishFlowPatch(ctx: WriteContext, before: Entity, doc: Entity, ops: PatchOp[], operation = 'update', strictSelectors = true): Entity {
  if (typeof doc.name !== 'string' || doc.name.trim() === '') throw invalidBody(`flows ${doc.id}: "name" must stay a non-empty string`);
  const sourceIds = idList(doc, 'sourceConnectionIds');
  const targetIds = idList(doc, 'targetConnectionIds');
  checkTransformations(doc.transformations, `flows ${doc.id}`, { strictSelectors });
  if (strictSelectors) checkAudiences(ctx, doc, before);
  const spec = flowSpec((doc.flowSpec as { id: string }).id) ?? {};
  doc.inheritedAttributes = inherited(ctx.scope, spec, sourceIds, targetIds);
  stampSegments(doc, ctx.now);
  doc.lastOperation = lastOperation(operation, ops, ctx.now);
  return doc;
}

/** enable/disable, any case. Enabling an enabled flow (or disabling a disabled one) is 1422-400. */
export function applyAction(doc: Entity, opRaw: string | null): { state: string; op: 'enable' | 'disable' } {
  const op = (opRaw ?? '').toLowerCase();
  if (op !== 'enable' && op !== 'disable') {
    throw invalidBody(`flows ${doc.id}: action op "${opRaw ?? ''}" is not supported; use op=enable or op=disable`, { id: doc.id });
  }
  const target = op === 'enable' ? 'enabled' : 'disabled';
  if (doc.state === target) {
    throw badRequest('1422', `action ${op} cannot be applied on the current state ${String(doc.state)} of flow ${doc.id}`, { id: doc.id });
  }
  return { state: target, op };
}
