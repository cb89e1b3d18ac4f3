import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';

test('flowsync --help lists the commands and exits 0', async () => {
  const res = await runCli(['--help']);
  assert.equal(res.code, 0);
  assert.match(res.stdout, /Usage: flowsync <command>/);
});

test('an unknown command is a coded error with a hint and exit 1', async () => {
  const res = await runCli(['no-such-command']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /FS_CLI_UNKNOWN_COMMAND/);
  assert.match(res.stderr, /Hint:/);
});

test('flowsync help CMD prints that command\'s help, as CMD --help does', async () => {
  const res = await runCli(['help', 'plan']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^Usage: flowsync plan/);
  assert.equal(res.stdout, (await runCli(['plan', '--help'])).stdout);
  const unknown = await runCli(['help', 'no-such-command']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /FS_CLI_UNKNOWN_COMMAND/);
});
