// Asynchronous flow operations. A PATCH or an enable/disable action is answered at once, but the flow
// then stays in a transitional state for `transitionMs` (lastOperation reports the progress) and
// refuses writes until it settles, as Adobe's error catalogue describes
// (AdobeDocs/experience-platform.en help/sources/errors/flow-service-errors.md):
//   1416-400 "Delete or Update can only be applied on connection with enabled, disabled or initializing state."
//   1420-400 "The current state disabling cannot be updated."
//   1421-400 "The current state updating cannot be transitioned."
// Which operation leads to which state, and the duration, are not documented; our choices:
//   - op=disable → `disabling` (named by 1420); every write to it is refused with 1420.
//   - PATCH → `updating` (named by 1421); an action is refused with 1421, a PATCH or DELETE with 1416.
//   - op=enable → `enabling` (the catalogue names no enable state; mirrors `disabling`); writes get 1416.
//   - create is not transitional: "new flows start enabled" (update-destination-dataflows.md), and
//     1416 allows updates in `initializing` anyway.
//   - DELETE → `delete-finalizing` (named by the catalogue), then the flow is gone:
//       1457-400 "Operation update cannot be applied in state delete-finalizing." (PATCH, action)
//       1458-400 "Operation delete cannot be applied in state delete-finalizing." (DELETE)
//     Until it is gone the flow is still listed and still references its connections, so deleting
//     one of them meanwhile is 1447 (our reading: nothing says references drop earlier).
//   - Settling changes state and lastOperation only, not the etag: the etag changes on a client's
//     write ("on create and on every successful update"), and settling is not one.
// Time comes from the emulator's clock (EmulatorOptions.now), so tests advance it instead of sleeping.
import { badRequest } from './api-error.ts';
import type { Store, Scope } from './store.ts';
import type { Entity, PatchOp } from './types.ts';

/** Default duration of a flow operation in ms: a few hundred, like the real service's quick updates. */
export const DEFAULT_TRANSITION_MS = 300;

export type FlowOperation = 'update' | 'enable' | 'disable' | 'delete';

interface Pending {
  started: number;
  until: number;
  to: string | null; // the state once settled; null: the flow is removed
}

const TRANSIENT: Record<FlowOperation, string> = { update: 'updating', enable: 'enabling', disable: 'disabling', delete: 'delete-finalizing' };
const SETTLED_STATES = new Set(['enabled', 'disabled', 'initializing']);
const pendingByScope = new WeakMap<Scope, Map<string, Pending>>();

function pendingOf(scope: Scope): Map<string, Pending> {
  let map = pendingByScope.get(scope);
  if (!map) pendingByScope.set(scope, (map = new Map()));
  return map;
}

/** Settles every running operation now (the emulator closes: a state file never holds one). */
export function finishAll(store: Store): void {
  for (const scope of store.allScopes()) settleFlows(store, scope, Number.POSITIVE_INFINITY);
}

function lastOperation(operation: string, ops: PatchOp[], started: number, updated: number, percent: number) {
  const value = percent >= 100 ? 'completed' : 'inProgress';
  return { started, updated, percentCompleted: percent, status: { value, properties: {}, errors: [] }, ops, operation };
}

/**
 * Puts a flow just written by the API into its transitional state (or, with transitionMs 0, straight
 * into `settledState` with a completed lastOperation). Mutates and returns `doc` before it is stored.
 * A delete passes `settledState` null (the caller removes the flow itself when transitionMs is 0).
 */
export function startOperation(scope: Scope, doc: Entity, operation: FlowOperation, ops: PatchOp[], settledState: string | null, now: number, transitionMs: number): Entity {
  if (transitionMs <= 0) {
    if (settledState !== null) doc.state = settledState;
    doc.lastOperation = lastOperation(operation, ops, now, now, 100);
    pendingOf(scope).delete(doc.id);
    return doc;
  }
  doc.state = TRANSIENT[operation];
  doc.lastOperation = lastOperation(operation, ops, now, now, 0);
  pendingOf(scope).set(doc.id, { started: now, until: now + transitionMs, to: settledState });
  return doc;
}

/**
 * Brings the flows of a scope up to `now`: a finished operation settles (state, lastOperation 100 %),
 * one still running shows its progress. A flow in a transitional state with nothing pending (e.g. after
 * a restart from a state file) settles at once to enabled or disabled.
 */
export function settleFlows(store: Store, scope: Scope, now: number): void {
  const pending = pendingByScope.get(scope);
  for (const [id, p] of pending ?? []) {
    const rec = scope.flows.get(id);
    if (!rec) {
      pending!.delete(id);
      continue;
    }
    const lo = rec.doc.lastOperation as { operation: string; ops: PatchOp[] };
    if (now >= p.until) {
      pending!.delete(id);
      if (p.to === null) {
        store.remove(scope, 'flows', id);
        continue;
      }
      const doc = { ...rec.doc, state: p.to, lastOperation: lastOperation(lo.operation, lo.ops, p.started, Math.min(now, p.until), 100) };
      store.put(scope, 'flows', doc, rec.cseq);
    } else {
      // progress only: the record keeps its place and the scope its version (no write happened)
      const percent = Math.min(99, Math.floor(((now - p.started) / (p.until - p.started)) * 100));
      rec.doc = { ...rec.doc, lastOperation: lastOperation(lo.operation, lo.ops, p.started, now, percent) };
    }
  }
}

/**
 * A state file written by a process that crashed may hold flows mid-operation, with nothing pending:
 * they settle at load (delete-finalizing → gone, disabling → disabled, else enabled; the state
 * before an update is not kept).
 */
export function settleOrphans(store: Store): void {
  for (const scope of store.allScopes()) {
    for (const rec of [...scope.flows.values()]) {
      const state = String(rec.doc.state);
      if (SETTLED_STATES.has(state)) continue;
      if (state === 'delete-finalizing') {
        store.remove(scope, 'flows', String(rec.doc.id));
        continue;
      }
      store.put(scope, 'flows', { ...rec.doc, state: state === 'disabling' ? 'disabled' : 'enabled' }, rec.cseq);
    }
  }
}

/** Refuses a write (`kind`) to a flow that has not settled, with the code the catalogue gives for it. */
export function checkSettled(doc: Entity, kind: 'update' | 'delete' | 'action'): void {
  const state = String(doc.state);
  if (SETTLED_STATES.has(state)) return;
  const report = { id: doc.id, state };
  if (state === 'delete-finalizing') {
    if (kind === 'delete') throw badRequest('1458', `Operation delete cannot be applied in state delete-finalizing (flow ${doc.id} is being deleted)`, report);
    throw badRequest('1457', `Operation update cannot be applied in state delete-finalizing (flow ${doc.id} is being deleted)`, report);
  }
  if (state === 'disabling') throw badRequest('1420', `The current state disabling cannot be updated (flow ${doc.id} is being disabled; retry once it is disabled)`, report);
  if (state === 'updating' && kind === 'action') throw badRequest('1421', `The current state updating cannot be transitioned (flow ${doc.id} is being updated; retry once the update completes)`, report);
  throw badRequest('1416', `Delete or Update can only be applied on flows with enabled, disabled or initializing state; flow ${doc.id} is ${state}`, report);
}
