// `npm run schemas`: writes schemas/plan.schema.json from the types of src/domain/plan.ts, so the saved
// plan's contract has one source. The JSDoc on those types becomes the schema's descriptions and
// constraints (@pattern, @minLength, @minimum, @asType integer, @discriminator); the generator
// forbids properties the types do not declare. test/domain/plan-schema.test.ts fails when the
// committed file is stale.
//
// ts-json-schema-generator writes draft-07 (`definitions`); the schemas here are 2020-12 (`$defs`)
// because review.schema.json $refs this one and Ajv keeps one draft per instance.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PLAN_SCHEMA_FILE = join(ROOT, 'schemas', 'plan.schema.json');
const PLAN_SCHEMA_ID = 'https://flowsync.dev/schemas/plan.schema.json';

type Json = null | boolean | number | string | Json[] | JsonObject;
type JsonObject = { [key: string]: Json };

const isObject = (node: Json | undefined): node is JsonObject => typeof node === 'object' && node !== null && !Array.isArray(node);

/**
 * Draft-07 `definitions` and their `$ref`s become 2020-12 `$defs`. A discriminated union also names
 * its tag under `properties`: Ajv's strictRequired refuses a required property it cannot see there.
 */
function toDraft2020(node: Json): Json {
  if (Array.isArray(node)) return node.map(toDraft2020);
  if (!isObject(node)) return node;
  const out = Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === 'definitions') return ['$defs', toDraft2020(value)];
      if (key === '$ref' && typeof value === 'string') return [key, value.replace(/^#\/definitions\//, '#/$defs/')];
      return [key, toDraft2020(value)];
    }),
  );
  const { discriminator } = node;
  const tag = isObject(discriminator) ? discriminator.propertyName : undefined;
  if (typeof tag === 'string' && out.properties === undefined) out.properties = { [tag]: { type: 'string' } };
  return out;
}

/** The schema's text as `npm run schemas` writes it. */
export function planSchemaText(): string {
  const generated = createGenerator({
    path: join(ROOT, 'src', 'domain', 'plan.ts'),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type: 'Plan',
    topRef: false,
    additionalProperties: false,
    discriminatorType: 'open-api', // `discriminator` + `oneOf`, which Ajv's discriminator option reads
    // `npm run typecheck` checks the types; checking them again here would only double the time
    skipTypeCheck: true,
  }).createSchema('Plan');
  const converted = toDraft2020(generated as Json);
  if (!isObject(converted)) throw new Error('the generator returned no schema object');
  const { $schema: _draft07, title, description, ...body } = converted;
  const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: PLAN_SCHEMA_ID, title, description, ...body };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PLAN_SCHEMA_FILE, planSchemaText());
  process.stderr.write(`flowsync: wrote ${relative(process.cwd(), PLAN_SCHEMA_FILE) || PLAN_SCHEMA_FILE}\n`);
}
