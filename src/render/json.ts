// The versioned plan JSON (schemas/plan.schema.json): what `plan --out` saves and `apply PLANFILE`
// reads back. Parsing validates against the schema once, at the boundary.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Plan } from '../domain/plan.ts';
import { PLAN_FORMAT_VERSION } from '../domain/plan.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { isSecretField } from './plan-common.ts';

export function renderPlanJson(plan: Plan): string {
  // Plans never hold secret values; a value under a secret param name is dropped all the same.
  return `${JSON.stringify(plan, (key, value: unknown) => (isSecretField(key) && key !== 'secretParams' && typeof value === 'string' ? undefined : value), 2)}\n`;
}

const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object;
let validate: ReturnType<Ajv2020['compile']> | undefined;

export function parsePlanJson(text: string, source = 'plan file'): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FlowsyncError('FS_PLAN_INVALID', `${source} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const version = (data as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== PLAN_FORMAT_VERSION) {
    throw new FlowsyncError('FS_PLAN_INVALID', `${source} has formatVersion ${JSON.stringify(version)}; this flowsync reads version ${PLAN_FORMAT_VERSION}.`, {
      hint: 'Make the plan again with this version of flowsync (`flowsync plan --out FILE`).',
    });
  }
  validate ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true }).compile(schema);
  if (!validate(data)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new FlowsyncError('FS_PLAN_INVALID', `${source} does not match schemas/plan.schema.json: ${errors.join('; ')}`, { details: { errors } });
  }
  return data as Plan;
}
