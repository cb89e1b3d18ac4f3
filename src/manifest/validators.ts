// The compiled manifest and config validators. From the sources they are compiled once, at first use;
// the bundle replaces this module with standalone code that cmd/build.ts generates from the same
// schema set (manifestSchemaSet), so the CLI never compiles a schema when it starts.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { manifestSchemaSet, type SchemaName } from './schema-set.ts';

let compiled: Record<SchemaName, ValidateFunction> | undefined;

export function validators(): Record<SchemaName, ValidateFunction> {
  if (compiled) return compiled;
  // optimize: false skips ajv's pass over the generated code: compiling the three schemas took
  // ~125 ms of CPU, ~75 ms without it, and validating 10,000 destinations takes the same ~0.07 s
  // either way. (The bundle's standalone code is optimized at build time, where it costs nothing.)
  const { ajv, names } = manifestSchemaSet({ optimize: false });
  const get = (name: SchemaName): ValidateFunction => {
    const validate = ajv.getSchema(names[name]);
    if (!validate) throw new Error(`schema ${name} is not in the schema set`);
    return validate;
  };
  return (compiled = { account: get('account'), destination: get('destination'), config: get('config') });
}
