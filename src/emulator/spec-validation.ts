// Validates auth params and target params against the JSON Schemas in the emulator's connection specs
// (compiled once with ajv, at first use), the way the real service checks a body against its connection spec.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CONNECTION_SPECS } from './catalog.ts';
import { invalidBody, isRecord } from './entity-common.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface SpecValidators {
  auth: Map<string, ValidateFunction>; // auth spec name → validator
  target: ValidateFunction | undefined;
}

let validators: Map<string, SpecValidators> | undefined;

/** Every spec's validators, compiled at the first validation (not at import) and kept. */
function specValidators(specId: string): SpecValidators | undefined {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('password', true);
    validators = new Map();
    for (const spec of CONNECTION_SPECS) {
      const auth = new Map<string, ValidateFunction>();
      for (const a of (spec.authSpec as { name: string; spec: object }[]) ?? []) auth.set(a.name, ajv.compile(a.spec));
      const targetSpec = spec.targetSpec as { spec: object } | undefined;
      validators.set(spec.id as string, { auth, target: targetSpec ? ajv.compile(targetSpec.spec) : undefined });
    }
  }
  return validators.get(specId);
}

function describe(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => {
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    return `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${extra ? ` ("${extra}" is not a param of this spec)` : ''}`;
  }).join('; ');
}

/** Checks `auth` ({specName, params}) against the spec; specs without auth specs accept no/any auth. */
export function validateAuth(specId: string, auth: unknown, where: string): void {
  const v = specValidators(specId);
  if (!v || v.auth.size === 0) return;
  if (!isRecord(auth)) throw invalidBody(`${where}: "auth" with specName and params is required for this connection spec`);
  const validate = typeof auth.specName === 'string' ? v.auth.get(auth.specName) : undefined;
  if (!validate) {
    throw invalidBody(`${where}: auth.specName "${String(auth.specName)}" is not an auth spec of connection spec ${specId} (expected one of: ${[...v.auth.keys()].join(', ')})`);
  }
  if (!validate(auth.params)) throw invalidBody(`${where}: auth.params do not match "${auth.specName}": ${describe(validate)}`);
}

/** Checks target connection `params` against the spec's targetSpec schema. */
export function validateTargetParams(specId: string, params: unknown, where: string): void {
  const validate = specValidators(specId)?.target;
  if (!validate) return;
  if (!validate(params ?? {})) throw invalidBody(`${where}: params do not match the target spec: ${describe(validate)}`);
}
