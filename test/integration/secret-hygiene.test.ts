// Secrets that must never be sent, printed or stored: blank values, IMS errors that echo the form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { copyExampleRepo, startTestEmulator } from '../helpers/emulator.ts';

test('a whitespace-only secret (env of spaces) is refused with FS_SECRET_BLANK and nothing is sent', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  const cases: [string, Record<string, string | undefined>][] = [
    ['an account secret of three spaces', { KINESIS_SECRET_KEY: '   ' }],
    ['api.clientSecret from an env of three spaces', { FLOWSYNC_CLIENT_SECRET: undefined, CLIENT_SECRET_REF: '   ' }],
    ['FLOWSYNC_CLIENT_SECRET of a tab and a newline', { FLOWSYNC_CLIENT_SECRET: '\t\n' }],
    ['FLOWSYNC_ACCESS_TOKEN of spaces', { FLOWSYNC_ACCESS_TOKEN: '  ' }],
  ];
  const { writeFile, readFile } = await import('node:fs/promises');
  const cfg = `${repo}/flowsync.yaml`;
  await writeFile(cfg, (await readFile(cfg, 'utf8')).replace('fromEnv: FLOWSYNC_CLIENT_SECRET', 'fromEnv: CLIENT_SECRET_REF'));
  for (const [what, extra] of cases) {
    emu.admin.resetRequests();
    const res = await runCli(['apply', '--dir', repo, '--auto-approve'], { env: { ...env, CLIENT_SECRET_REF: 'emulator-secret', ...extra } });
    assert.equal(res.code, 1, `${what}: ${res.stdout}${res.stderr}`);
    assert.match(res.stdout + res.stderr, /FS_SECRET_BLANK/, what);
    assert.match(res.stdout + res.stderr, /whitespace/, what);
    assert.deepEqual(emu.admin.requests().filter((r) => r.write), [], `${what}: nothing written`);
  }
});
