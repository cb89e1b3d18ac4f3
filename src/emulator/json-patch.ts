// RFC 6902 JSON Patch through fast-json-patch, applied sequentially and atomically (on a copy: all ops or
// none), with the Flow Service's error codes: an unresolvable path is 1455-400 and an op outside the accepted
// list is 1434-400. fast-json-patch does the mutation and the `test` comparison (deep, key order ignored);
// this module adds what the Flow Service restricts and what fast-json-patch resolves too loosely.
import fjp from 'fast-json-patch';
import { badRequest, type ApiError } from './api-error.ts';
import type { PatchOp } from './types.ts';
import { clone } from './clone.ts';

/**
 * The spec's PatchFlowItem and PatchConnectionItem: `op` is one of `add`, `replace`, `remove` ("You can add,
 * replace, or remove items"; the Sources API spells them in capitals, so any case is accepted) and
 * `required: [op, path, value]`, even for remove. Other RFC 6902 ops get 1434, the catalogue's answer to
 * `move`.
 */
export const SPEC_OPS: readonly string[] = ['add', 'replace', 'remove'];
/** Out-of-band (UI) edits are the emulator's own API: a test may guard them with RFC 6902's `test`. */
export const EDIT_OPS: readonly string[] = [...SPEC_OPS, 'test'];

export interface ParseOptions {
  /** The ops accepted; the rest get 1434. */
  ops?: readonly string[];
  /** `false` is for out-of-band (UI) edits, which do not go through the API's schema. */
  removeNeedsValue?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape of a patch body; returns the ops with `op` lower-cased. */
export function parsePatch(body: unknown, opts: ParseOptions = {}): PatchOp[] {
  const accepted = opts.ops ?? SPEC_OPS;
  const removeNeedsValue = opts.removeNeedsValue ?? true;
  if (!Array.isArray(body) || body.length === 0) throw badRequest('1100', 'The request body must be a non-empty JSON Patch array');
  return body.map((raw, i) => {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('1100', `Patch operation #${i} needs string "op" and "path"`);
    }
    const op = raw.op.toLowerCase();
    if (!accepted.includes(op)) throw badRequest('1434', `Patch operation #${i}: op "${raw.op}" is not supported; use ${accepted.join(', ')}`);
    if (!('value' in raw) && (op !== 'remove' || removeNeedsValue)) throw badRequest('1100', `Patch operation #${i} (${op}) needs a "value"`);
    return { op, path: raw.path, ...('value' in raw ? { value: raw.value } : {}) };
  });
}

function invalidTarget(path: string, why: string): ApiError {
  return badRequest('1455', `Invalid patch target: path "${path}" ${why}`, { path });
}

const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Resolves the path with own keys only. fast-json-patch tests existence with `obj[key] !== undefined`, so an
 * inherited member (`toString`, `constructor`) would count as present, and it accepts `01` as an index; its
 * own guard refuses `__proto__` and `constructor/prototype` with a TypeError, which this check pre-empts
 * with the API's 1455.
 */
function checkTarget(doc: unknown, op: PatchOp): void {
  if (op.path === '') {
    if (op.op === 'remove') throw invalidTarget(op.path, 'cannot remove the whole entity');
    return;
  }
  if (!op.path.startsWith('/')) throw invalidTarget(op.path, 'must start with "/" (a JSON pointer)');
  const tokens = op.path.slice(1).split('/').map(fjp.unescapePathComponent);
  let node = doc;
  tokens.forEach((token, i) => {
    if (token === '__proto__') throw invalidTarget(op.path, 'names the prototype');
    const last = i === tokens.length - 1;
    if (typeof node !== 'object' || node === null) throw invalidTarget(op.path, 'does not exist');
    if (Array.isArray(node) && !INDEX.test(token) && !(last && op.op === 'add' && token === '-')) {
      throw invalidTarget(op.path, `has "${token}" where an array index is expected`);
    }
    if (last && op.op === 'add') {
      if (Array.isArray(node) && token !== '-' && Number(token) > node.length) throw invalidTarget(op.path, `has index ${token} beyond the end of the array`);
      return;
    }
    if (!Object.prototype.hasOwnProperty.call(node, token)) throw invalidTarget(op.path, 'does not exist');
    node = (node as Record<string, unknown>)[token];
  });
}

/** fast-json-patch's errors as the API's: a failed `test` is the caller's precondition, the rest are paths. */
function toApiError(err: unknown, op: PatchOp, index: number): unknown {
  if (!(err instanceof fjp.JsonPatchError)) return err;
  if (err.name === 'TEST_OPERATION_FAILED') return badRequest('1100', `Patch operation #${index}: test failed, the value at "${op.path}" differs`, { path: op.path });
  return invalidTarget(op.path, `cannot be patched (${err.message})`);
}

/** Applies ops in order to a deep copy of `doc` and returns the copy; `doc` is never modified. */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  let out: unknown = clone(doc);
  ops.forEach((op, i) => {
    checkTarget(out, op);
    // A value sent with remove is accepted and ignored, as the docs do. `op` is one parsePatch accepted,
    // all RFC 6902 ops, which fast-json-patch types as a union keyed by the literal.
    const sent: unknown = { op: op.op, path: op.path, ...(op.op === 'remove' ? {} : { value: clone(op.value) }) };
    const operation = sent as fjp.Operation;
    try {
      out = fjp.applyOperation(out, operation, true, true, true, i).newDocument;
    } catch (err) {
      throw toApiError(err, op, i);
    }
  });
  return out as T;
}
