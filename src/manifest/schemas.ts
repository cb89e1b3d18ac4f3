// Checking a value against one of the manifest and config JSON Schemas in schemas/ (validators.ts
// holds the compiled validators). The same files serve editors through yaml-language-server.
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { SchemaName } from './schema-set.ts';
import { validators } from './validators.ts';

export type { SchemaName } from './schema-set.ts';

/** Raw ajv errors for a value (empty when valid). */
export function schemaErrors(name: SchemaName, value: unknown): ErrorObject[] {
  const validate = validators()[name];
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
