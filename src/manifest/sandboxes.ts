// One document, several sandboxes: `metadata.sandboxes` lists where the manifest applies and
// `spec.overrides.<sandbox>` holds what differs there. Pure: a document in, one view of it per
// sandbox out, each locating its fields in the override when the override sets them (so a
// diagnostic points at the line that gave the value).
import { isSecretRef } from './secrets.ts';
import type { FieldPath, ParsedDoc } from './types.ts';

type Json = unknown;

const isMap = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `over` merged onto `base`: maps merge key by key (recursively), anything else (lists, scalars)
 * replaces. A secret reference ({ fromEnv } / { fromFile }) is a value, not a map: it replaces too,
 * so overriding `{ fromEnv: A }` with `{ fromFile: b }` never yields a reference with two sources.
 */
export function mergeOverride(base: Json, over: Json): Json {
  if (!isMap(base) || !isMap(over) || isSecretRef(base) || isSecretRef(over)) return over;
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeOverride(base[k], v) : v;
  return out;
}

/** Whether `value` holds something at `path` (map keys and list indexes). */
function has(value: Json, path: FieldPath): boolean {
  let cur = value;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number' && seg < cur.length) cur = cur[seg];
    else if (isMap(cur) && typeof seg === 'string' && seg in cur) cur = cur[seg];
    else return false;
  }
  return true;
}

/** The sandboxes a document names: `metadata.sandboxes`, else `metadata.sandbox`, else the config's default. */
export function documentSandboxes(meta: Record<string, Json>, defaultSandbox: string): string[] {
  if (Array.isArray(meta.sandboxes)) return meta.sandboxes.filter((s): s is string => typeof s === 'string');
  return [typeof meta.sandbox === 'string' ? meta.sandbox : defaultSandbox];
}

/**
 * The document as one sandbox sees it: `metadata.sandbox` set, `spec.overrides` gone and its entry
 * for this sandbox merged over `spec`. Fields the override sets are located inside the override.
 */
export function sandboxView(doc: ParsedDoc, sandbox: string): ParsedDoc {
  const raw = doc.value as Record<string, Json>;
  const { sandboxes: _list, ...meta } = (raw.metadata ?? {}) as Record<string, Json>;
  const { overrides, ...spec } = (raw.spec ?? {}) as Record<string, Json>;
  const over = isMap(overrides) ? overrides[sandbox] : undefined;
  const value = { ...raw, metadata: { ...meta, sandbox }, spec: over === undefined ? spec : mergeOverride(spec, over) };
  const overridePath = (path: FieldPath): FieldPath | undefined =>
    over !== undefined && path[0] === 'spec' && path.length > 1 && has(over, path.slice(1)) ? ['spec', 'overrides', sandbox, ...path.slice(1)] : undefined;
  return {
    ...doc,
    value,
    locate: (path, opts) => {
      if (path[0] === 'metadata' && path[1] === 'sandbox' && Array.isArray(_list)) {
        const i = _list.indexOf(sandbox);
        return doc.locate(['metadata', 'sandboxes', ...(i >= 0 ? [i] : [])], opts);
      }
      return doc.locate(overridePath(path) ?? path, opts);
    },
  };
}
