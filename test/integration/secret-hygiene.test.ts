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

test('an IMS error that echoes the request form prints no client secret (plan, apply, destinations)', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  const secret = 'canary-ims-client-secret-7f3a';
  const cliEnv = { ...env, FLOWSYNC_CLIENT_SECRET: secret };
  for (const args of [['plan', repo], ['apply', '--dir', repo, '--auto-approve'], ['destinations', '--dir', repo]]) {
    emu.admin.setFaults({ echoRequest: true, failNext: { count: 1, status: 400, pathPrefix: '/ims' } });
    const res = await runCli(args, { env: cliEnv });
    const out = res.stdout + res.stderr;
    assert.equal(res.code, 1, `${args[0]}: ${out}`);
    assert.match(out, /FS_API_AUTH/, args[0]);
    assert.match(out, /request was:/, `${args[0]}: the echo reached the message (${out})`);
    assert.ok(!out.includes(secret), `${args[0]} printed the client secret: ${out}`);
    assert.doesNotMatch(out, /client_secret=(?!\*\*\*)/, `${args[0]} printed a form-encoded secret: ${out}`);
  }
});

test('a Flow Service error that echoes the body and the Authorization header prints neither the token nor the account secret', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  emu.admin.setFaults({ echoRequest: true, failNext: { count: 50, status: 400, method: 'POST', pathPrefix: '/connections' } });
  const res = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  const out = res.stdout + res.stderr;
  assert.equal(res.code, 1, out);
  assert.match(out, /request was:/, out);
  assert.doesNotMatch(out, /Bearer\s+(?!\*\*\*)\S/, 'no bearer token');
  for (const v of Object.values(env)) if (v.length >= 8 && /secret|sas/i.test(v)) assert.ok(!out.includes(v), `printed ${v}`);
});
