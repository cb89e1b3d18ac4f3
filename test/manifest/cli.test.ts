// `flowsync validate` through the real binary: exit codes, text and JSON output, flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { ACCOUNT_KINESIS, DESTINATION_KINESIS, tempRepo } from './helpers.ts';

const EXAMPLE_ENV = {
  KINESIS_ACCESS_KEY_ID: 'AKIAFAKEEXAMPLE00001',
  KINESIS_SECRET_KEY: 'cli-secret-kinesis-prod',
  EVENTHUB_SAS_KEY: 'cli-secret-sas-prod',
  KINESIS_DEV_ACCESS_KEY_ID: 'AKIAFAKEEXAMPLE00002',
  KINESIS_DEV_SECRET_KEY: 'cli-secret-kinesis-dev',
  EVENTHUB_DEV_SAS_KEY: 'cli-secret-sas-dev',
};

test('validate: the example repo is valid (exit 0) with its secrets set', async () => {
  const res = await runCli(['validate', 'manifests'], { env: EXAMPLE_ENV });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.equal(res.stdout, 'valid: 4 account(s) and 4 destination(s) in sandbox(es) dev, prod; 0 errors, 0 warnings\n');
});

test('validate: unresolvable secrets are errors by default and warnings with --no-secrets', async () => {
  const strict = await runCli(['validate', 'manifests'], { env: { KINESIS_SECRET_KEY: undefined, EVENTHUB_SAS_KEY: undefined, KINESIS_DEV_SECRET_KEY: undefined, EVENTHUB_DEV_SAS_KEY: undefined, KINESIS_ACCESS_KEY_ID: 'x', KINESIS_DEV_ACCESS_KEY_ID: 'y' } });
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /^manifests\/prod\/accounts\.yaml:12:16: error FS_SECRET_UNRESOLVED spec\.auth\.secretKey: environment variable KINESIS_SECRET_KEY is not set\n {2}hint: /m);
  assert.match(strict.stdout, /\ninvalid: 4 errors, 0 warnings\n$/);
  const lax = await runCli(['validate', '--dir', 'manifests', '--no-secrets'], { env: { KINESIS_SECRET_KEY: undefined, EVENTHUB_SAS_KEY: undefined, KINESIS_DEV_SECRET_KEY: undefined, EVENTHUB_DEV_SAS_KEY: undefined, KINESIS_ACCESS_KEY_ID: 'x', KINESIS_DEV_ACCESS_KEY_ID: 'y' } });
  assert.equal(lax.code, 0, lax.stdout);
  assert.match(lax.stdout, /warning FS_SECRET_UNRESOLVED/);
  assert.match(lax.stdout, /valid: .*0 errors, 4 warnings\n$/);
});

test('validate --output json: versioned document, exit 1 on errors, file:line of each diagnostic', async (t) => {
  const dir = await tempRepo(t, { 'm.yaml': `${ACCOUNT_KINESIS}---\n${DESTINATION_KINESIS.replace('  segments:', '  drift: sometimes\n  segments:')}` });
  const res = await runCli(['validate', dir, '--output', 'json'], { env: { KINESIS_SECRET_KEY: 'json-secret-value' } });
  assert.equal(res.code, 1);
  const doc = JSON.parse(res.stdout) as Record<string, unknown>;
  assert.deepEqual(doc, {
    formatVersion: 1,
    valid: false,
    errors: 1,
    warnings: 0,
    diagnostics: [
      { severity: 'error', code: 'FS_MANIFEST_SCHEMA', summary: 'spec.drift must be one of heal, warn, ignore', hint: doc.diagnostics && (doc.diagnostics as { hint: string }[])[0]!.hint, file: 'm.yaml', line: 19, column: 10, path: 'spec.drift' },
    ],
    root: (doc as { root: string }).root,
  });
  assert.ok(!res.stdout.includes('json-secret-value'));
});

test('validate: a bad flag is a usage error; --help prints the usage', async () => {
  const bad = await runCli(['validate', '--output', 'yaml']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /FS_CLI_USAGE/);
  const help = await runCli(['validate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--no-secrets/);
});
