// RFC 6902 JSON Patch, applied sequentially and atomically (on a copy: all ops or none), with the Flow
// Service's error codes: an unresolvable path is 1455-400 and an op outside the spec's list is 1434-400.
import { badRequest, type ApiError } from './api-error.ts';
import type { PatchOp } from './types.ts';
import { clone } from './clone.ts';

type Json = unknown;

function decodePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw invalidTarget(path, 'a JSON pointer starts with "/"');
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function invalidTarget(path: string, why: string): ApiError {
  return badRequest('1455', `Invalid patch target: path "${path}" ${why}`, { path });
}

function isContainer(v: Json): v is Record<string, Json> | Json[] {
  return typeof v === 'object' && v !== null;
}

/** Walks to the parent of the last token; throws 1455 when a step does not exist. */
function parentOf(doc: Json, tokens: string[], path: string): { parent: Record<string, Json> | Json[]; key: string } {
  let cur: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(token, cur.length - 1, path);
      cur = cur[i];
    } else if (isContainer(cur) && Object.prototype.hasOwnProperty.call(cur, token)) {
      cur = (cur as Record<string, Json>)[token];
    } else {
      throw invalidTarget(path, 'does not exist');
    }
  }
  if (!isContainer(cur)) throw invalidTarget(path, 'does not exist');
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

function arrayIndex(token: string, max: number, path: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw invalidTarget(path, `has "${token}" where an array index is expected`);
  const i = Number(token);
  if (i > max) throw invalidTarget(path, `has index ${i} beyond the end of the array`);
  return i;
}

function getAt(doc: Json, path: string): Json {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length - 1, path)];
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw invalidTarget(path, 'does not exist');
  return parent[key];
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    if (key === '-') parent.push(value);
    else parent.splice(arrayIndex(key, parent.length, path), 0, value);
  } else {
    parent[key] = value;
  }
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = decodePointer(path);
  if (tokens.length === 0) throw invalidTarget(path, 'cannot remove the whole entity');
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length - 1, path), 1);
  else if (Object.prototype.hasOwnProperty.call(parent, key)) delete parent[key];
  else throw invalidTarget(path, 'does not exist');
  return doc;
}

function replaceAt(doc: Json, path: string, value: Json): Json {
  getAt(doc, path); // must exist
  return addAt(removeAt(doc, path), path, value);
}

/**
 * The spec's PatchFlowItem and PatchConnectionItem: `op` is one of `add`, `replace`, `remove` ("You can add,
 * replace, or remove items"; the Sources API spells them in capitals, so any case is accepted) and
 * `required: [op, path, value]`, even for remove. Other RFC 6902 ops get 1434, the catalogue's answer to
 * `move`. `removeNeedsValue: false` is for out-of-band (UI) edits, which do not go through the API.
 */
const SPEC_OPS = ['add', 'replace', 'remove'];

/** Checks the shape of a patch body; returns the ops with `op` lower-cased. */
export function parsePatch(body: unknown, opts: { removeNeedsValue?: boolean } = {}): PatchOp[] {
  const removeNeedsValue = opts.removeNeedsValue ?? true;
  if (!Array.isArray(body) || body.length === 0) throw badRequest('1100', 'The request body must be a non-empty JSON Patch array');
  return body.map((raw, i) => {
    if (!isContainer(raw) || Array.isArray(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('1100', `Patch operation #${i} needs string "op" and "path"`);
    }
    const op = raw.op.toLowerCase();
    if (!SPEC_OPS.includes(op)) throw badRequest('1434', `Patch operation #${i}: op "${raw.op}" is not supported; use add, replace or remove`);
    if (!('value' in raw) && (op !== 'remove' || removeNeedsValue)) throw badRequest('1100', `Patch operation #${i} (${op}) needs a "value"`);
    return { op, path: raw.path, ...('value' in raw ? { value: raw.value } : {}) };
  });
}

/** Applies ops in order to a deep copy of `doc` and returns the copy; `doc` is never modified. */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  let out: Json = clone(doc);
  for (const op of ops) {
    const value = clone(op.value);
    switch (op.op) {
      case 'add':
        out = addAt(out, op.path, value);
        break;
      case 'remove':
        out = removeAt(out, op.path); // a value sent with remove is accepted and ignored, as the docs do
        break;
      case 'replace':
        out = replaceAt(out, op.path, value);
        break;
      default:
        throw badRequest('1100', `Unknown op "${op.op}"`);
    }
  }
  return out as T;
}
