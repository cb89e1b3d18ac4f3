// schemas/plan.schema.json with the ajv options saved plans are checked with. One source for both ways
// of compiling it: at first use from the sources (plan-validator.ts) and to standalone code in the
// bundle (cmd/build.ts).
import { readFileSync } from 'node:fs';
import { Ajv2020, type CodeOptions } from 'ajv/dist/2020.js';

/** An ajv holding the plan schema under the name `plan`; `code` asks for standalone source. */
export function planSchemaSet(code: CodeOptions = {}): { ajv: Ajv2020; names: { plan: 'plan' } } {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true, code });
  ajv.addSchema(JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object, 'plan');
  return { ajv, names: { plan: 'plan' } };
}
