// The compiled manifest and config validators. From the sources they are compiled once, at first use;
// the bundle replaces this module with standalone code that cmd/build.ts generates from the same
// schema set (manifestSchemaSet), so the CLI never compiles a schema when it starts.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { manifestSchemaSet, type SchemaName } from './schema-set.ts';

let compiled: Record<SchemaName, ValidateFunction> | undefined;

export function validators(): Record<SchemaName, ValidateFunction> {
  if (compiled) return compiled;
  const { ajv, names } = manifestSchemaSet();
  const get = (name: SchemaName): ValidateFunction => {
    const validate = ajv.getSchema(names[name]);
    if (!validate) throw new Error(`schema ${name} is not in the schema set`);
    return validate;
  };
  return (compiled = { account: get('account'), destination: get('destination'), config: get('config') });
}
