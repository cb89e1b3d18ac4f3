// Scenario 5: commit to converged. `flowsync run` (the real CLI, a child process) follows a local git
// repository of N destinations that is already live; 20 commits each replace one segment of one
// destination; the clock runs from the start of the edit (file write, then `git commit`, then for
// the webhook trigger the signed POST) to the moment the new segment is on the flow in the
// emulator (polled every 5 ms in-process). Two triggers: a folder watch (`--dir`, chokidar) and a
// webhook (`--repo` with polling off, a push event signed with the shared secret). Commits are
// spaced by SPACING_MS so each one meets an idle daemon, as separate merges do.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveSegments } from '../lib/cli.ts';
import { applyDir } from '../lib/core.ts';
import { startDaemon, until, type RunningDaemon } from '../lib/daemon.ts';
import { startBenchEmulator, type BenchEmulator } from '../lib/emulator.ts';
import { generateRepo, git, writeDestination, type GeneratedRepo } from '../lib/generate.ts';
import { percentile, sleep } from '../lib/measure.ts';
import { row, type Row } from '../lib/report.ts';
import { createRng } from '../lib/rng.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';

const N = envNumber('BENCH_DAEMON_N', 10);
const COMMITS = envNumber('BENCH_DAEMON_COMMITS', 20);
const LATENCY_MS = envNumber('BENCH_DAEMON_LATENCY_MS', 50);
const SPACING_MS = envNumber('BENCH_DAEMON_SPACING_MS', 500);
const WEBHOOK_SECRET = 'bench-webhook-secret';

/** Makes COMMITS one-segment commits; returns each one's commit-to-live time in ms. */
async function commitLoop(repo: GeneratedRepo, bench: BenchEmulator, daemon: RunningDaemon, trigger: 'watch' | 'webhook'): Promise<number[]> {
  const rng = createRng(trigger === 'watch' ? 101 : 202);
  const times: number[] = [];
  for (let i = 0; i < COMMITS; i++) {
    const d = repo.destinations[i % repo.destinations.length]!;
    const slot = i % d.segments.length;
    const fresh = { id: rng.uuid(), name: `Bench audience ${trigger} ${i}` };
    bench.emu.admin.addAudience({ sandbox: d.sandbox, ...fresh }); // the audience exists in AEP before a commit activates it
    const t0 = Date.now();
    d.segments[slot] = fresh;
    await writeDestination(repo, d);
    await git(repo.dir, 'commit', '-q', '-am', `${d.name}: replace segment ${slot}`);
    if (trigger === 'webhook') {
      const after = (await git(repo.dir, 'rev-parse', 'HEAD')).trim();
      const status = await daemon.webhook({ ref: 'refs/heads/main', after }, WEBHOOK_SECRET);
      if (status !== 202) throw new Error(`webhook answered ${status}`);
    }
    await until(() => liveSegments(bench.emu, d.sandbox, d.name).includes(fresh.id), 30_000, `segment ${fresh.id} on ${d.name} (${trigger})`);
    times.push(Date.now() - t0);
    await sleep(SPACING_MS);
  }
  return times;
}

export const scenario: Scenario = {
  name: 'commit-to-converged',
  summary: 'daemon: commit to live, p50/p95, webhook and folder watch',
  async run() {
    const bench = await startBenchEmulator();
    const repo = await generateRepo({ n: N, git: true, api: bench.api });
    bench.register(repo);
    const cache = await mkdtemp(join(tmpdir(), 'flowsync-bench-cache-'));
    const env = { ...bench.env, ...repo.env, BENCH_WEBHOOK_SECRET: WEBHOOK_SECRET };
    const rows: Row[] = [];
    try {
      await applyDir(repo.dir, { ...process.env, ...repo.env }, bench.client);
      bench.emu.admin.setFaults({ latencyMs: LATENCY_MS });
      const runs: { trigger: 'watch' | 'webhook'; args: string[] }[] = [
        { trigger: 'watch', args: ['--dir', repo.dir, '--interval', '1h'] },
        { trigger: 'webhook', args: ['--repo', repo.dir, '--branch', 'main', '--poll', '0', '--interval', '1h', '--cache-dir', cache, '--webhook-secret-env', 'BENCH_WEBHOOK_SECRET'] },
      ];
      for (const r of runs) {
        const daemon = await startDaemon(r.args, { cwd: repo.dir, env });
        try {
          const times = await commitLoop(repo, bench, daemon, r.trigger);
          const c = `${r.trigger}, N=${N}, ${COMMITS} commits, ${LATENCY_MS} ms`;
          rows.push(row({ case: c, metric: 'commit to live p50', value: percentile(times, 50) / 1000, unit: 's', target: { op: '<', value: 1 } }));
          rows.push(row({ case: c, metric: 'commit to live p95', value: percentile(times, 95) / 1000, unit: 's', note: `min ${(Math.min(...times) / 1000).toFixed(2)} s, max ${(Math.max(...times) / 1000).toFixed(2)} s` }));
        } finally {
          await daemon.stop();
        }
      }
      return {
        setup: `${N} destinations in a local git repo, applied in-process first; emulator in-process with ${LATENCY_MS} ms latency; \`flowsync run\` as a child process (--dir for the watch, --repo + --poll 0 + signed push webhook); commits ${SPACING_MS} ms apart.`,
        rows,
      };
    } finally {
      await bench.close();
      await rm(repo.dir, { recursive: true, force: true });
      await rm(cache, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
