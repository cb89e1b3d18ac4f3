// E2E smoke test of `npm start` (cmd/start.ts): the emulator and the daemon on free ports, on a copy
// of the example config repo (FLOWSYNC_MANIFESTS), ready with every entity Ready, and Ctrl-C
// (SIGINT) stops both with exit code 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyExampleRepo } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { tsxArgs } from '../helpers/cli.ts';
import { spawnChild, START_ENTRY, type StatusDoc } from './harness.ts';

test('e2e npm start: serves the printed URLs, converges the example repo, exits 0 on SIGINT', async (t) => {
  const manifests = await copyExampleRepo(t);
  const child = spawnChild(t, tsxArgs(START_ENTRY), { FLOWSYNC_EMULATOR_PORT: '0', FLOWSYNC_LISTEN: '127.0.0.1:0', FLOWSYNC_MANIFESTS: manifests });
  const statusUrl = (await eventually(() => /Status\s+(http:\/\/127\.0\.0\.1:\d+)\/status/.exec(child.output())?.[1], { timeoutMs: 20_000, message: 'npm start printed no status URL' }))!;
  assert.doesNotMatch(statusUrl, /:0$/, 'the printed URL has the real port');
  const emulatorUrl = /Flow Service emulator\s+(http:\/\/\S+)/.exec(child.output())?.[1];
  assert.ok(emulatorUrl && !/:0\//.test(emulatorUrl), child.output());

  await eventually(async () => (await fetch(`${statusUrl}/readyz`)).status === 200, { timeoutMs: 20_000, message: '/readyz never 200' });
  const status = (await (await fetch(`${statusUrl}/status`)).json()) as StatusDoc;
  assert.equal(status.mode, 'apply');
  assert.ok(status.entities.length >= 4, JSON.stringify(status.entities));
  assert.deepEqual(status.entities.filter((e) => e.condition !== 'Ready'), []);
  assert.ok(status.entities.some((e) => e.sandbox === 'dev') && status.entities.some((e) => e.sandbox === 'prod'), 'both sandboxes of the example');

  child.proc.kill('SIGINT');
  assert.equal(await child.exited, 0, child.output());
});
