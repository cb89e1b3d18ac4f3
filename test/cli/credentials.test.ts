// Secrets as files in $CREDENTIALS_DIRECTORY (systemd's LoadCredential=): a file named like an
// environment variable stands for it in fromEnv references, FLOWSYNC_CLIENT_SECRET and the daemon's
// --*-env flags; a variable that is set wins; the values never reach output.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DEMO_SECRET_ENV } from '../../src/cli/demo-env.ts';
import { withCredentials } from '../../src/cli/credentials.ts';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { runCli } from '../helpers/cli.ts';
import { copyExampleRepo, startTestEmulator } from '../helpers/emulator.ts';
import { tempRepo } from '../helpers/repo.ts';

/** The environment without any of the example's secrets: they must come from the files. */
const NO_SECRETS = Object.fromEntries(Object.keys(DEMO_SECRET_ENV).map((k) => [k, undefined]));

test('withCredentials: files named like variables become variables (one trailing newline dropped); set variables win; other names are ignored', async (t) => {
  const dir = await tempRepo(t);
  await writeFile(path.join(dir, 'KINESIS_SECRET_KEY'), 'from-file\n');
  await writeFile(path.join(dir, 'ALREADY_SET'), 'from-file');
  await writeFile(path.join(dir, 'not-a-variable.txt'), 'x');
  await mkdir(path.join(dir, '..data'));
  const env = await withCredentials({ CREDENTIALS_DIRECTORY: dir, ALREADY_SET: 'from-env' });
  assert.equal(env.KINESIS_SECRET_KEY, 'from-file');
  assert.equal(env.ALREADY_SET, 'from-env');
  assert.equal(env['not-a-variable.txt'], undefined);
  const plain = { PATH: '/bin' };
  assert.equal(await withCredentials(plain), plain, 'no CREDENTIALS_DIRECTORY: the environment as it is');
  await assert.rejects(withCredentials({ CREDENTIALS_DIRECTORY: path.join(dir, 'missing') }), (e: unknown) => isFlowsyncError(e, 'FS_CREDENTIALS_DIRECTORY') && /cannot read the folder/.test(e.message));
  await writeFile(path.join(dir, 'BINARY'), Buffer.from([0xff, 0xfe, 0x00]));
  await assert.rejects(withCredentials({ CREDENTIALS_DIRECTORY: dir }), (e: unknown) => isFlowsyncError(e, 'FS_CREDENTIALS_DIRECTORY') && /BINARY is not UTF-8/.test(e.message));
});

test('validate, plan and the daemon read every secret from credential files, and never print them', async (t) => {
  const { env: emuEnv } = await startTestEmulator(t);
  const config = await copyExampleRepo(t);
  const creds = await tempRepo(t);
  for (const [name, value] of Object.entries(DEMO_SECRET_ENV)) await writeFile(path.join(creds, name), `${value}\n`);
  await writeFile(path.join(creds, 'FLOWSYNC_WEBHOOK_SECRET'), 'webhook-secret-from-a-credential\n');
  const env = { ...emuEnv, ...NO_SECRETS, CREDENTIALS_DIRECTORY: creds };

  const without = await runCli(['validate', config], { env: { ...env, CREDENTIALS_DIRECTORY: undefined } });
  assert.equal(without.code, 1, 'the secrets are not in the environment');
  const validate = await runCli(['validate', config], { env });
  assert.equal(validate.code, 0, validate.stderr);

  const plan = await runCli(['plan', config, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 2, plan.stderr);
  assert.doesNotMatch(plan.stderr, /FS_SECRET_UNRESOLVED|could not be resolved/, 'credentials compared: the destinations\' secrets were read');

  const daemon = await runCli(['run', '--dir', config, '--once', '--listen', 'off', '--webhook-secret-env', 'FLOWSYNC_WEBHOOK_SECRET'], { env, timeoutMs: 120_000 });
  assert.equal(daemon.code, 0, daemon.stdout + daemon.stderr);
  const output = [validate, plan, daemon].map((r) => r.stdout + r.stderr).join('\n');
  // (access key ids are not secret fields: the plan may show them)
  const secrets = Object.entries(DEMO_SECRET_ENV).filter(([k]) => !k.endsWith('_ACCESS_KEY_ID')).map(([, v]) => v);
  for (const value of [...secrets, 'webhook-secret-from-a-credential']) assert.ok(!output.includes(value), `a secret value was printed: ${value}`);

  const broken = await runCli(['validate', config], { env: { ...env, CREDENTIALS_DIRECTORY: path.join(creds, 'nope') } });
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /FS_CREDENTIALS_DIRECTORY/);
});
