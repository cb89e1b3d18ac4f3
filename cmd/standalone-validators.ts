// Build step: ajv standalone code for the modules that hold compiled JSON Schema validators, so the
// bundle carries validators compiled at build time, as fastify does, instead of compiling schemas at
// every CLI start (about 70 ms of CPU per `plan`, a fifth of the start).
//
// Each such module exports `validators()`, a record of ValidateFunction by name, compiled at first use
// from a schema set (an ajv with the schemas added under those names). The bundle gets a replacement
// module with the same export, generated here from the same schema set, so options and schemas are one
// truth. Its `require` calls (ajv's runtime helpers, ajv-formats' formats) are bundled by esbuild.
import type { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { planSchemaSet } from '../src/cli/plan-schema-set.ts';
import { manifestSchemaSet } from '../src/manifest/schema-set.ts';

type SchemaSet = (code: { source: true; esm: true }) => { ajv: Ajv2020; names: Record<string, string> };

/** Source modules (relative to the repository) the bundle replaces, and the schema set behind each. */
export const PRECOMPILED_VALIDATORS: Record<string, SchemaSet> = {
  'src/manifest/validators.ts': manifestSchemaSet,
  'src/cli/plan-validator.ts': planSchemaSet,
};

// ajv's standalone module is CommonJS: under ESM the default import is its module.exports.
const standaloneCode = standaloneCodeModule.default;

/** The replacement module's source: standalone validators plus the `validators()` the sources export. */
export function standaloneValidators(set: SchemaSet): string {
  const { ajv, names } = set({ source: true, esm: true });
  const exported = Object.keys(names);
  return `${standaloneCode(ajv, names)}\nexport function validators() {\n  return { ${exported.join(', ')} };\n}\n`;
}
