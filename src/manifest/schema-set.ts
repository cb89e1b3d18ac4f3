// The manifest and config JSON Schemas in schemas/ with the ajv options they are checked with (draft
// 2020-12, all errors). One source for both ways of compiling them: at first use from the sources
// (validators.ts) and to standalone code in the bundle (cmd/build.ts), so the two cannot disagree.
import { readFileSync } from 'node:fs';
import { Ajv2020, type CodeOptions } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export type SchemaName = 'account' | 'destination' | 'config';

const SCHEMA_FILES: Record<SchemaName, string> = {
  account: 'account.schema.json',
  destination: 'destination.schema.json',
  config: 'config.schema.json',
};

/** An ajv holding the three schemas, each under its SchemaName; `code` asks for standalone source. */
export function manifestSchemaSet(code: CodeOptions = {}): { ajv: Ajv2020; names: Record<SchemaName, SchemaName> } {
  // verbose: errors carry parentSchema, used for patternErrorMessage and field lists.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, code });
  // ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
  const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  // Editors (VS Code, yaml-language-server) show this message for a pattern mismatch; so do we.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  for (const [name, file] of Object.entries(SCHEMA_FILES)) ajv.addSchema(JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as object, name);
  return { ajv, names: { account: 'account', destination: 'destination', config: 'config' } };
}
