// E2E: gradual deletion cannot empty an org. The per-plan ratio never trips when destinations go
// one file or one commit at a time; the rolling deletion budget, whose memory lives in each
// sandbox's lease entity (shared by the daemon and the CLI, kept across restarts), does.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { tempRepo, writeRepo } from '../helpers/repo.ts';
import { ACCOUNTS, configRemote, dest, flowsIn, startDaemon } from './harness.ts';

const TEN = Array.from({ length: 10 }, (_, i) => dest(`d${i}`, [i + 1]));
const PRUNE = { reconcile: { prune: true } };
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('e2e budget: destination files removed 0.4 s apart under a daemon stop at the budget, not at an empty org', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const dir = await tempRepo(t);
  await writeRepo(dir, ACCOUNTS, TEN, PRUNE);
  const d = await startDaemon(t, ['--dir', dir, '--interval', '10s'], env);
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 30_000 });
  assert.equal(flowsIn(emu, orgId).length, 10);
  for (let i = 0; i < 10; i++) {
    await rm(join(dir, 'm', `dest-prod-d${i}.yaml`));
    await delay(400);
  }
  const refused = await eventually(
    async () => {
      const s = await d.status();
      return s.lastCycle?.result === 'refused' ? s : undefined;
    },
    { timeoutMs: 30_000, message: 'the budget refuses the rest' },
  );
  // Which guard speaks depends on how many removals one cycle saw: the budget when they came one by
  // one, the ratio when several piled up during a cycle. Either way the org is not emptied.
  assert.match(refused!.lastCycle?.error?.message ?? '', /FS_APPLY_DELETE_BUDGET|FS_APPLY_MASS_DELETE/);
  // 10 destinations + account + Profile Store pair = 23 owned; half of them may go in the window.
  const left = flowsIn(emu, orgId).length;
  assert.ok(left >= 4, `the budget kept most of the org (${left} dataflows left)`);
  // The CLI shares the budget: the same deletions by hand are refused too, without the flag.
  const cli = await runCli(['apply', '--dir', dir, '--auto-approve', '--prune', '--lock-timeout', '1m'], { env, timeoutMs: 90_000 });
  assert.equal(cli.code, 1, cli.stdout + cli.stderr);
  assert.match(cli.stderr, /FS_APPLY_DELETE_BUDGET|FS_APPLY_MASS_DELETE/);
  assert.equal(flowsIn(emu, orgId).length, left);
});

test('e2e budget: commits each deleting 40 % of what is left are refused by the second', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const remote = await configRemote(t);
  const first = await remote.commit(TEN, PRUNE);
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h'], env);
  await eventually(async () => (await d.status()).revision.inForce === first, { timeoutMs: 20_000 });
  const cycle = async (rev: string) => {
    assert.equal(await d.webhook({ ref: 'refs/heads/main' }), 202);
    return (await eventually(async () => {
      const s = await d.status();
      return s.lastCycle?.revision === rev && s.lastCycle.trigger === 'webhook' ? s : undefined;
    }, { timeoutMs: 20_000, message: `no cycle of ${rev}` }))!;
  };
  const second = await remote.commit(TEN.slice(4), PRUNE, 'drop 40 %');
  assert.equal((await cycle(second)).lastCycle?.result, 'success');
  assert.equal(flowsIn(emu, orgId).length, 6);
  // The daemon restarts: the budget's memory is in the lease entity, not in the process.
  d.proc.kill('SIGTERM');
  await d.exited;
  const d2 = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h'], env);
  await eventually(async () => (await d2.status()).lastCycle !== null, { timeoutMs: 20_000 });
  const third = await remote.commit(TEN.slice(7), PRUNE, 'drop 40 % of the rest');
  assert.equal(await d2.webhook({ ref: 'refs/heads/main' }), 202);
  const s = (await eventually(async () => {
    const st = await d2.status();
    return st.lastCycle?.revision === third && st.lastCycle.trigger === 'webhook' ? st : undefined;
  }, { timeoutMs: 20_000 }))!;
  assert.equal(s.lastCycle?.result, 'refused', JSON.stringify(s.lastCycle));
  assert.match(s.lastCycle?.error?.message ?? '', /FS_APPLY_DELETE_BUDGET/);
  assert.equal(flowsIn(emu, orgId).length, 6, 'nothing of the second 40 % was deleted');
});
