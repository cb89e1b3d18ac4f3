// E2E: several flowsync writers at once against one emulator: two CLI applies, an apply beside a
// daemon, two daemons on one config, two daemons of different managers. The promise under test:
// no duplicate, no fight, every exit code true, writes only by the lease holder.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { copyExampleRepo, startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { tempRepo, writeRepo } from '../helpers/repo.ts';
import { ACCOUNTS, dest, startDaemon, type RunningDaemon } from './harness.ts';
import { duplicates, ownedCount, writers, writesInsideHoldings, type Holding } from './writers.ts';

// 8 trials in a normal run, 20 under FLOWSYNC_LONG_TESTS=1 (each costs three CLI runs); FLOWSYNC_WRITER_TRIALS sets any count.
const TRIALS = Number(process.env.FLOWSYNC_WRITER_TRIALS ?? (process.env.FLOWSYNC_LONG_TESTS === '1' ? 20 : 8));
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** [from, to] lease holdings of a daemon, from its `lease` log lines. */
function holdingsOf(d: RunningDaemon): Holding[] {
  const pid = String(d.proc.pid);
  const open = new Map<string, number>();
  const out: Holding[] = [];
  for (const r of d.events('lease')) {
    const sandbox = String(r.sandbox);
    const at = Number(r.time);
    if (r.what === 'acquired') open.set(sandbox, at);
    if ((r.what === 'released' || r.what === 'lost') && open.has(sandbox)) {
      out.push({ pid, sandbox, from: open.get(sandbox)!, to: at });
      open.delete(sandbox);
    }
  }
  for (const [sandbox, from] of open) out.push({ pid, sandbox, from, to: Date.now() });
  return out;
}

async function cleanPlan(dir: string, env: Record<string, string>): Promise<void> {
  const plan = await runCli(['plan', '--dir', dir, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, `the plan after the writers is not clean:\n${plan.stdout}${plan.stderr}`);
  assert.match(plan.stdout, /No changes/);
}

// Each scenario has its own emulator and folders, and most of their time is waiting (leases, daemon
// intervals, the quiet window), so they run side by side; the writers still race within each scenario.
describe('e2e writers', { concurrency: true }, () => {
  test(`e2e writers: two applies started 0-300 ms apart on an empty org, ${TRIALS} trials: no duplicate, true exit codes`, async (t) => {
    const { emu, env, orgId } = await startTestEmulator(t);
    const dir = await copyExampleRepo(t);
    for (let trial = 0; trial < TRIALS; trial++) {
      emu.admin.reset();
      const offset = Math.floor(Math.random() * 300);
      // Half the trials wait for the lease (both must succeed), half fail fast (the loser names the holder).
      const wait = trial % 2 === 0;
      const args = ['apply', '--dir', dir, '--auto-approve', ...(wait ? ['--lock-timeout', '2m'] : [])];
      const [a, b] = await Promise.all([runCli(args, { env, timeoutMs: 120_000 }), delay(offset).then(() => runCli(args, { env, timeoutMs: 120_000 }))]);
      const why = `trial ${trial} (offset ${offset} ms, ${wait ? 'waiting' : 'fail fast'})\n--- a (${a.code})\n${a.stdout}${a.stderr}\n--- b (${b.code})\n${b.stdout}${b.stderr}`;
      const dup = duplicates(emu, orgId);
      assert.equal(dup.count, 0, `duplicates ${dup.tags.join(', ')}: ${why}`);
      for (const r of [a, b]) {
        if (r.code === 0) {
          assert.doesNotMatch(r.stdout + r.stderr, /FS_LEASE|error/i, why);
          continue;
        }
        assert.ok(!wait, `a waiting apply failed: ${why}`);
        assert.equal(r.code, 1, why);
        assert.match(r.stderr, /FS_LEASE_HELD/, why);
        assert.match(r.stderr, /pid \d+/, `the holder is named: ${why}`);
      }
      assert.ok(a.code === 0 || b.code === 0, `one of them applied: ${why}`);
      await cleanPlan(dir, env);
    }
  });

  test('e2e writers: an apply beside a running daemon: no duplicate, both succeed', async (t) => {
    const { emu, env, orgId } = await startTestEmulator(t);
    for (let trial = 0; trial < 4; trial++) {
      emu.admin.reset();
      const dir = await copyExampleRepo(t);
      const offset = Math.floor(Math.random() * 300);
      const daemon = startDaemon(t, ['--dir', dir, '--interval', '1h'], env);
      await delay(offset);
      const apply = await runCli(['apply', '--dir', dir, '--auto-approve', '--lock-timeout', '2m'], { env, timeoutMs: 120_000 });
      const d = await daemon;
      assert.equal(apply.code, 0, `${apply.stdout}${apply.stderr}`);
      await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 30_000, message: 'the daemon cycle succeeds' });
      const dup = duplicates(emu, orgId);
      assert.equal(dup.count, 0, dup.tags.join(', '));
      await cleanPlan(dir, env);
      d.proc.kill('SIGTERM');
      await d.exited;
    }
  });

  test('e2e writers: two daemons on one config: no duplicate, writes only by the lease holder', async (t) => {
    const { emu, env, orgId } = await startTestEmulator(t);
    const dir = await copyExampleRepo(t);
    const [a, b] = await Promise.all([startDaemon(t, ['--dir', dir, '--interval', '10s'], env), startDaemon(t, ['--dir', dir, '--interval', '10s'], env)]);
    for (const d of [a, b]) await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 30_000, message: 'both daemons reconcile' });
    const dup = duplicates(emu, orgId);
    assert.equal(dup.count, 0, dup.tags.join(', '));
    assert.ok(ownedCount(emu, orgId) > 0);
    const problems = writesInsideHoldings(emu, [...holdingsOf(a), ...holdingsOf(b)]);
    assert.deepEqual(problems, []);
    await cleanPlan(dir, env);
  });

  test('e2e writers: two daemons of different managers settle: conflicts on both sides, 0 writes in a quiet window of 2+ cycles each', async (t) => {
    const { emu, env } = await startTestEmulator(t);
    const repoA = await tempRepo(t);
    const repoB = await tempRepo(t);
    const kinB = [{ ...ACCOUNTS[0]!, name: 'kin-b' }];
    await writeRepo(repoA, ACCOUNTS, [dest('x', [1]), dest('y', [2])], { manager: 'team-a' });
    // B wants y too (with other segments) and has its own w on its own account.
    await writeRepo(repoB, kinB, [dest('y', [3], { account: 'kin-b' }), dest('w', [4], { account: 'kin-b' })], { manager: 'team-b' });
    const a = await startDaemon(t, ['--dir', repoA, '--interval', '3s'], env);
    await eventually(async () => (await a.status()).lastCycle?.result === 'success', { timeoutMs: 30_000, message: 'A reconciles' });
    const b = await startDaemon(t, ['--dir', repoB, '--interval', '3s'], env);
    const conflicted = async (d: RunningDaemon, name: string) => (await d.status()).entities.some((e) => e.name === name && e.reason === 'Conflict');
    await eventually(() => conflicted(b, 'y'), { timeoutMs: 30_000, message: 'B reports y as a conflict' });
    // Now A's config also wants w, which B made: A reports a conflict too.
    await writeRepo(repoA, ACCOUNTS, [dest('x', [1]), dest('y', [2]), dest('w', [5])], { manager: 'team-a' });
    await eventually(() => conflicted(a, 'w'), { timeoutMs: 30_000, message: 'A reports w as a conflict' });
    const message = (await a.status()).entities.find((e) => e.name === 'w')?.message ?? '';
    assert.match(message, /team-b/, 'the conflict names the other manager');
    emu.admin.resetRequests();
    await delay(8_000); // at least two cycles of each daemon (3 s ±10 %)
    const writes = emu.admin.requests().filter((r) => r.write);
    assert.deepEqual(writes.map((w) => `${w.method} ${w.path} ${w.status}`), [], 'no writes in the quiet window');
    assert.ok(emu.admin.requests().length > 0, 'both daemons kept reconciling (reads)');
    assert.deepEqual(writers(emu), []);
  });

  test('e2e writers: a daemon follows a config folder whose files are written while another apply runs', async (t) => {
    const { emu, env, orgId } = await startTestEmulator(t);
    const dir = await tempRepo(t);
    await writeRepo(dir, ACCOUNTS, [dest('a', [1]), dest('b', [2]), dest('c', [3])]);
    const d = await startDaemon(t, ['--dir', dir, '--interval', '10s'], env);
    const apply = runCli(['apply', '--dir', dir, '--auto-approve', '--lock-timeout', '2m'], { env, timeoutMs: 120_000 });
    await writeFile(join(dir, 'm', 'dest-prod-a.yaml'), (await import('yaml')).stringify((await import('../helpers/repo.ts')).destinationDoc(dest('a', [1, 4]))));
    assert.equal((await apply).code, 0);
    await eventually(async () => (await d.status()).entities.find((e) => e.name === 'a')?.reason !== undefined, { timeoutMs: 30_000 });
    await eventually(async () => (await runCli(['plan', '--dir', dir, '--detailed-exitcode'], { env })).code === 0, { timeoutMs: 30_000, intervalMs: 500, message: 'converges' });
    assert.equal(duplicates(emu, orgId).count, 0);
  });
});
