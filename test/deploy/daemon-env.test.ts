// The real `flowsync run` takes where it listens and where it clones from FLOWSYNC_LISTEN and
// FLOWSYNC_CACHE_DIR, as the container image sets them, and a flag still wins over either.
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { configRemote, dest, spawnChild } from '../e2e/harness.ts';
import { tempDir } from '../daemon/helpers.ts';


/** The clone folders under a cache directory (one per repository and branch). */
async function clones(cacheDir: string): Promise<string[]> {
  const names = await readdir(cacheDir).catch(() => []);
  const withGit = await Promise.all(names.map(async (n) => ((await stat(join(cacheDir, n, '.git')).catch(() => null)) ? n : null)));
  return withGit.filter((n) => n !== null);
}

test('flowsync run listens on FLOWSYNC_LISTEN and clones into FLOWSYNC_CACHE_DIR when no flag says otherwise', async (t) => {
  const { env } = await startTestEmulator(t);
  const remote = await configRemote(t);
  await remote.commit([dest('orders', [1])]);
  const cwd = await tempDir(t);
  const child = spawnChild(t, [...CLI, 'run', '--repo', remote.bare, '--interval', '1h'], { ...env, FLOWSYNC_LISTEN: '127.0.0.1:0', FLOWSYNC_CACHE_DIR: remote.cacheDir }, cwd);
  const url = await eventually(
    () => {
      if (child.proc.exitCode !== null) throw new Error(`flowsync run exited ${child.proc.exitCode}: ${child.output()}`);
      return child.records().find((r) => r.event === 'started')?.url as string | undefined;
    },
    { timeoutMs: 30_000, message: 'flowsync run did not serve HTTP on FLOWSYNC_LISTEN' },
  );
  assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+$/);
  await eventually(async () => (await fetch(`${url}/readyz`)).status === 200 || undefined, { timeoutMs: 30_000, message: `never ready: ${child.output()}` });
  assert.equal((await clones(remote.cacheDir)).length, 1, 'the clone is in FLOWSYNC_CACHE_DIR');
  assert.deepEqual(await readdir(cwd), [], 'nothing written to the working directory (no .flowsync/cache)');
  child.proc.kill('SIGTERM');
  assert.equal(await child.exited, 0, child.output());
});

test('--cache-dir and --listen win over FLOWSYNC_CACHE_DIR and FLOWSYNC_LISTEN; a malformed FLOWSYNC_LISTEN is named', async (t) => {
  const { env } = await startTestEmulator(t);
  const remote = await configRemote(t);
  await remote.commit([dest('orders', [1])]);
  const flagDir = join(remote.root, 'from-flag');
  const podEnv = { ...env, FLOWSYNC_LISTEN: 'not-an-address', FLOWSYNC_CACHE_DIR: remote.cacheDir };
  const once = await runCli(['run', '--repo', remote.bare, '--once', '--listen', 'off', '--cache-dir', flagDir], { env: podEnv, cwd: remote.root, timeoutMs: 120_000 });
  assert.equal(once.code, 0, once.stdout + once.stderr);
  assert.equal((await clones(flagDir)).length, 1);
  assert.deepEqual(await clones(remote.cacheDir), []);
  const bad = await runCli(['run', '--repo', remote.bare, '--once'], { env: podEnv, cwd: remote.root });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /FLOWSYNC_LISTEN must be HOST:PORT, :PORT or off \(got "not-an-address"\)/);
});
