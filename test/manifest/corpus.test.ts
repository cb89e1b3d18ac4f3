// The invalid-manifest corpus: every folder under corpus/ is a small config repo with one mistake
// and an expect.json naming the diagnostic it must produce (code, severity, message, file, line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { hasErrors } from '../../src/domain/diagnostics.ts';
import { loadRepo } from '../../src/manifest/index.ts';
import { runValidate } from './helpers.ts';

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));

interface Expect {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  env?: Record<string, string>;
  secrets?: string[];
}

/** Values the corpus resolves (or writes in plain) that must never reach any output. */
const BASE_ENV = {
  CORPUS_KINESIS_SECRET: 'corpus-kinesis-secret-value-1f2e',
  CORPUS_EVENTHUB_SAS: 'corpus-eventhub-sas-value-9a8b',
  CORPUS_REGION: 'us-east-1',
};

const cases = readdirSync(CORPUS).sort();

test('the corpus holds at least 40 invalid-manifest cases', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});

for (const name of cases) {
  const dir = path.join(CORPUS, name);
  const expect = JSON.parse(readFileSync(path.join(dir, 'expect.json'), 'utf8')) as Expect;
  const env = { ...BASE_ENV, ...expect.env };
  const secretValues = [BASE_ENV.CORPUS_KINESIS_SECRET, BASE_ENV.CORPUS_EVENTHUB_SAS, ...(expect.secrets ?? [])];

  test(`corpus ${name}: ${expect.code} at ${expect.file}:${expect.line}`, async () => {
    const repo = await loadRepo(dir, { env });
    const found = repo.diagnostics.find((d) => d.code === expect.code && d.severity === expect.severity && d.file === expect.file && d.line === expect.line && d.summary.includes(expect.message));
    assert.ok(found, `expected ${expect.severity} ${expect.code} "${expect.message}" at ${expect.file}:${expect.line}; got:\n${repo.diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.summary}`).join('\n')}`);
    assert.ok(found.column && found.column >= 1, 'has a column');
    assert.ok(found.hint, 'has a hint');
    assert.equal(hasErrors(repo.diagnostics), expect.severity === 'error');
  });

  test(`corpus ${name}: validate output (text and json) reveals no secret value`, async () => {
    const text = await runValidate([dir], { cwd: CORPUS, env });
    const json = await runValidate([dir, '--output', 'json'], { cwd: CORPUS, env });
    assert.equal(text.code, expect.severity === 'error' ? 1 : 0);
    assert.equal(json.code, text.code);
    const parsed = JSON.parse(json.stdout) as { formatVersion: number; valid: boolean; diagnostics: { code: string }[] };
    assert.equal(parsed.formatVersion, 1);
    assert.ok(parsed.diagnostics.some((d) => d.code === expect.code));
    assert.ok(text.stdout.includes(`${name}/${expect.file}:${expect.line}:`), text.stdout);
    for (const secret of secretValues) {
      assert.ok(!text.stdout.includes(secret), `text output of ${name} contains a secret`);
      assert.ok(!json.stdout.includes(secret), `json output of ${name} contains a secret`);
    }
  });
}
