// The bundle's validators are standalone code generated at build time (cmd/standalone-validators.ts);
// the sources compile the same schema sets at first use. Both must judge every value alike, errors and
// all (the diagnostics are made from ajv's errors), or the shipped CLI would disagree with the tests
// that run the sources.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { PRECOMPILED_VALIDATORS, standaloneValidators } from '../../cmd/standalone-validators.ts';
import { validators as manifestValidators } from '../../src/manifest/validators.ts';
import { validators as planValidators } from '../../src/cli/plan-validator.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

type Validators = Record<string, ValidateFunction>;

/** Imports a generated module as the bundle would run it: its require()s resolve from the repository. */
async function importStandalone(dir: string, name: string, source: string): Promise<Validators> {
  const file = join(dir, `${name}.mjs`);
  const prelude = `import { createRequire } from 'node:module';\nconst require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});\n`;
  await writeFile(file, prelude + source.replace(/^"use strict";/, ''));
  const mod = (await import(pathToFileURL(file).href)) as { validators: () => Validators };
  return mod.validators();
}

function verdict(validate: ValidateFunction, value: unknown): unknown {
  return validate(value) ? 'valid' : validate.errors;
}

async function exampleManifests(): Promise<unknown[]> {
  const root = join(REPO_ROOT, 'manifests');
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.yaml'));
  const docs = await Promise.all(files.map(async (f) => parseAllDocuments(await readFile(join(root, f), 'utf8')).map((d) => d.toJS() as unknown)));
  return docs.flat();
}

/** Each value, then broken copies: a field of the wrong type, an unknown field, a bad name, an empty object. */
function withBrokenCopies(values: unknown[]): unknown[] {
  const broken = values.flatMap((v) => {
    const o = v as Record<string, unknown>;
    return [{ ...o, apiVersion: 7 }, { ...o, surprise: true }, { ...o, metadata: { name: 'Not A Name!' } }, { ...o, spec: {} }];
  });
  return [...values, ...broken, {}, null, 'text'];
}

test('standalone validators judge manifests, flowsync.yaml and saved plans exactly as the ones compiled at first use', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'flowsync-validators-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.deepEqual(Object.keys(PRECOMPILED_VALIDATORS).sort(), ['src/cli/plan-validator.ts', 'src/manifest/validators.ts']);

  const manifests = withBrokenCopies(await exampleManifests());
  const manifestSet = PRECOMPILED_VALIDATORS['src/manifest/validators.ts']!;
  const standaloneManifests = await importStandalone(dir, 'manifests', standaloneValidators(manifestSet));
  const sources = manifestValidators();
  assert.deepEqual(Object.keys(standaloneManifests).sort(), Object.keys(sources).sort());
  for (const [name, validate] of Object.entries(sources)) {
    const verdicts = manifests.map((value) => verdict(validate, value));
    manifests.forEach((value, i) => assert.deepEqual(verdict(standaloneManifests[name]!, value), verdicts[i], `${name}: ${JSON.stringify(value)}`));
    assert.ok(verdicts.includes('valid'), `some example passes ${name}`);
  }

  const goldens = join(REPO_ROOT, 'test', 'golden');
  const plans = await Promise.all((await readdir(goldens)).map(async (c) => JSON.parse(await readFile(join(goldens, c, 'plan.json'), 'utf8')) as Record<string, unknown>));
  const planValues = [...plans, ...plans.map((p) => ({ ...p, actions: [{ type: 'no-such-action' }] })), ...plans.map((p) => ({ ...p, org: 3 })), {}];
  const standalonePlan = await importStandalone(dir, 'plan', standaloneValidators(PRECOMPILED_VALIDATORS['src/cli/plan-validator.ts']!));
  const plan = planValidators().plan;
  for (const value of planValues) assert.deepEqual(verdict(standalonePlan.plan!, value), verdict(plan, value));
  assert.equal(verdict(plan, plans[0]), 'valid');
  assert.notEqual(verdict(plan, planValues.at(-1)), 'valid');
});
