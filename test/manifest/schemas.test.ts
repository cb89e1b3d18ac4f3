// The JSON Schemas as editors use them: valid draft 2020-12, their examples pass, the example repo
// passes the combined manifest schema, and every code the loader emits is documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

const schemaDir = new URL('../../schemas/', import.meta.url);
const read = (file: string) => JSON.parse(readFileSync(new URL(file, schemaDir), 'utf8')) as Record<string, unknown>;
const FILES = ['account.schema.json', 'destination.schema.json', 'config.schema.json', 'manifest.schema.json'];

function editorAjv() {
  // Editors ignore unknown keywords; strict mode still catches typos in real ones.
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => void;
  addFormats(ajv);
  for (const f of FILES) ajv.addSchema(read(f), f);
  return ajv;
}

test('each schema compiles, documents itself and its examples validate', () => {
  const ajv = editorAjv();
  for (const file of FILES) {
    const schema = read(file);
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
    assert.ok(typeof schema.title === 'string' && typeof schema.description === 'string', file);
    const validate = ajv.getSchema(file)!;
    for (const example of (schema.examples as unknown[] | undefined) ?? []) assert.ok(validate(example), `${file}: ${JSON.stringify(validate.errors)}`);
  }
});

test('every property in the schemas has a description (editor hover text)', () => {
  const missing: string[] = [];
  const walk = (node: unknown, where: string) => {
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (obj.properties && typeof obj.properties === 'object') {
      for (const [key, sub] of Object.entries(obj.properties as Record<string, Record<string, unknown>>)) {
        if (!sub.description && !sub.$ref) missing.push(`${where}.${key}`);
      }
    }
    for (const [k, v] of Object.entries(obj)) if (k !== 'examples' && k !== 'if') walk(v, `${where}/${k}`); // `if` holds conditions, not fields
  };
  for (const file of FILES) walk(read(file), file);
  assert.deepEqual(missing, []);
});

test('the example repo validates against the schemas named in its modelines', () => {
  const ajv = editorAjv();
  const root = fileURLToPath(new URL('../../manifests/', import.meta.url));
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4);
  for (const file of files) {
    const text = readFileSync(`${root}/${file}`, 'utf8');
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
    assert.ok(modeline, `${file} has a modeline`);
    const schemaFile = modeline[1]!.split('/').pop()!;
    const validate = ajv.getSchema(schemaFile)!;
    for (const doc of parseAllDocuments(text) as unknown as { toJS(): unknown }[]) {
      assert.ok(validate(doc.toJS()), `${file}: ${JSON.stringify(validate.errors)}`);
    }
  }
});

test('the combined manifest schema dispatches on kind', () => {
  const validate = editorAjv().getSchema('manifest.schema.json')!;
  assert.equal(validate({ apiVersion: 'flowsync/v1', kind: 'DestinationAccount', metadata: { name: 'a' }, spec: { type: 'amazon-kinesis', auth: {} } }), false);
  assert.ok((validate.errors ?? []).some((e) => e.keyword === 'required' && (e.params as { missingProperty: string }).missingProperty === 'accessKeyId'));
  assert.equal(validate({ apiVersion: 'flowsync/v1', kind: 'Nope' }), false);
});

test('every diagnostic code in src/manifest is documented in docs/errors.md', () => {
  const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...docs.matchAll(/^\| (FS_[A-Z0-9_]+) \|/gm)].map((m) => m[1]));
  const srcDir = fileURLToPath(new URL('../../src/manifest/', import.meta.url));
  const used = new Set<string>();
  for (const f of readdirSync(srcDir)) for (const m of readFileSync(`${srcDir}/${f}`, 'utf8').matchAll(/'(FS_[A-Z0-9_]+)'/g)) used.add(m[1]!);
  assert.ok(used.size > 20);
  assert.deepEqual([...used].filter((c) => !documented.has(c)), []);
});
