// Connection settings that cannot work are named: a non-HTTP endpoint is a config error before any
// request; a refused or unresolvable connection names the URL it tried (never its credentials).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { tempRepo, writeRepo } from '../helpers/repo.ts';

const EMPTY = { reconcile: { allowEmpty: true } };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a file:// endpoint is a config error naming the flag, the variable or the flowsync.yaml field, before any request', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [], [], EMPTY);
  const byFlag = await runCli(['plan', repo, '--endpoint', 'file:///tmp/flowsync'], { env });
  const byEnv = await runCli(['plan', repo], { env: { ...env, FLOWSYNC_ENDPOINT: 'file:///tmp/flowsync' } });
  const byIms = await runCli(['plan', repo, '--ims-endpoint', 'ftp://user:hunter22@example.com/token'], { env });
  await writeRepo(repo, [], [], { ...EMPTY, api: { endpoint: 'file:///tmp/flowsync' } });
  const byFile = await runCli(['plan', repo], { env: { ...env, FLOWSYNC_ENDPOINT: undefined } });
  const cases = [[byFlag, '--endpoint', 'FS_CONFIG_ENDPOINT'], [byEnv, 'FLOWSYNC_ENDPOINT', 'FS_CONFIG_ENDPOINT'], [byIms, '--ims-endpoint', 'FS_CONFIG_ENDPOINT'], [byFile, 'api.endpoint', 'FS_CONFIG_INVALID']] as const;
  for (const [run, setting, code] of cases) {
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(code), `${code} in: ${run.stderr}`);
    assert.ok(run.stderr.includes(setting), `${setting} named in: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /FS_API_BUDGET|circuit breaker|hunter22/);
  }
  assert.deepEqual(emu.admin.requests(), [], 'nothing was sent');
});

test('a refused or unresolvable connection names the URL (scheme, host and port), never the credentials in it', async (t) => {
  const { env } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, [], [], EMPTY);
  const port = await closedPort();
  const [refused, unknown] = await Promise.all([
    runCli(['plan', repo], { env: { ...env, FLOWSYNC_IMS_ENDPOINT: `http://someone:hunter22@127.0.0.1:${port}/ims/token/v3` } }),
    runCli(['plan', repo], { env: { ...env, FLOWSYNC_IMS_ENDPOINT: 'https://flowsync-test.invalid/ims/token/v3' } }),
  ]);
  assert.equal(refused.code, 1);
  assert.ok(refused.stderr.includes(`http://127.0.0.1:${port}`), refused.stderr);
  assert.match(refused.stderr, /ECONNREFUSED/);
  assert.doesNotMatch(refused.stderr, /hunter22|someone/);
  assert.equal(unknown.code, 1);
  assert.ok(unknown.stderr.includes('https://flowsync-test.invalid:443'), unknown.stderr);
});
