// E2E: the daemon reports an unreachable API or git remote (/readyz 503, /status reachable) and
// recovers on its own when it comes back: the emulator restarted on the same port with the same
// state file, the bare remote renamed away and back.
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { EMULATOR_DEFAULTS, startEmulator, type StartedEmulator } from '../../src/emulator/index.ts';
import { emulatorEnv, startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { writeRepo } from '../helpers/repo.ts';
import { onCleanup, tempDir } from '../daemon/helpers.ts';
import { ACCOUNTS, configRemote, dest, flowsIn, freePort, metricValue, startDaemon } from './harness.ts';
import { TEST_AUDIENCES } from '../helpers/audiences.ts';

test('e2e recovery: the emulator going away makes /readyz 503; the daemon recovers when it returns', async (t) => {
  const dir = await tempDir(t, 'flowsync-e2e-emu-');
  const stateFile = join(dir, 'emulator-state.json');
  const port = await freePort();
  let emu: StartedEmulator | null = await startEmulator({ port, stateFile, audiences: TEST_AUDIENCES });
  onCleanup(t, () => emu?.close());
  const env = emulatorEnv(emu);
  const repo = join(dir, 'repo');
  await writeRepo(repo, ACCOUNTS, [dest('summer', [1]), dest('winter', [2])]);
  const d = await startDaemon(t, ['--dir', repo, '--interval', '300ms'], env);
  await eventually(async () => (await d.readyz()) === 200, { timeoutMs: 10_000, message: 'never ready' });
  assert.equal(flowsIn(emu, EMULATOR_DEFAULTS.orgId).length, 2);

  await emu.close();
  emu = null;
  await eventually(async () => (await d.readyz()) === 503, { timeoutMs: 10_000, message: '/readyz stayed 200 with the API gone' });
  const down = await d.status();
  assert.equal(down.reachable.api, false);
  assert.equal(down.reachable.source, true);
  assert.equal(down.lastCycle?.result, 'failed');
  assert.equal(metricValue(await d.metrics(), 'flowsync_ready'), 0);

  // Long enough down for the client's circuit breaker to open, as in a real outage.
  await eventually(async () => metricValue(await d.metrics(), 'flowsync_api_circuit_breaker_state', 'state="open"') === 1, { timeoutMs: 10_000, message: 'the circuit breaker did not open' });
  emu = await startEmulator({ port, stateFile, audiences: TEST_AUDIENCES });
  const restarted = emu;
  const restartedAt = Date.now();
  await eventually(async () => (await d.readyz()) === 200, { timeoutMs: 20_000, message: 'the daemon did not recover after the emulator came back' });
  // Until its cooldown ends the open breaker refuses every request ("next try in N s"). The cycle
  // whose probe finds the API back must then succeed, not fail on the reads the half-open breaker
  // refused beside the probe ("next try in 0 s").
  await eventually(() => d.events('cycle').at(-1)?.result === 'success', { timeoutMs: 2_000, message: 'no successful cycle in the log' });
  const afterRestart = d.events('cycle').filter((c) => (c.time as number) >= restartedAt);
  const probeFailures = afterRestart.filter((c) => c.result === 'failed' && !/circuit breaker is open .*next try in [1-9]/.test(String(c.reason)));
  assert.deepEqual(probeFailures.map((c) => c.reason), []);
  assert.equal(afterRestart.at(-1)?.result, 'success');
  const up = await d.status();
  assert.equal(up.reachable.api, true);
  assert.ok(up.entities.every((e) => e.condition === 'Ready'), JSON.stringify(up.entities));
  // Same state: nothing had to be created again.
  assert.equal(flowsIn(restarted, EMULATOR_DEFAULTS.orgId).length, 2);
  assert.equal(restarted.admin.counters().writes, 0);
});

test('e2e recovery: a git remote that disappears is reported and recovered from', async (t) => {
  const { env } = await startTestEmulator(t);
  const remote = await configRemote(t);
  const rev = await remote.commit([dest('summer', [1])]);
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '200ms', '--interval', '300ms'], env);
  await eventually(async () => (await d.readyz()) === 200, { timeoutMs: 10_000, message: 'never ready' });

  const moved = join(remote.root, 'moved.git');
  await rename(remote.bare, moved);
  await eventually(async () => (await d.readyz()) === 503, { timeoutMs: 10_000, message: '/readyz stayed 200 with the remote gone' });
  const down = await d.status();
  assert.equal(down.reachable.source, false);
  assert.equal(down.lastCycle?.result, 'failed');
  assert.match(down.lastCycle?.error?.code ?? '', /^FS_SOURCE/);
  assert.equal(down.revision.inForce, rev, 'the revision in force stays');

  await rename(moved, remote.bare);
  await eventually(async () => (await d.readyz()) === 200, { timeoutMs: 10_000, message: 'the daemon did not recover after the remote came back' });
  assert.equal((await d.status()).reachable.source, true);
});
