// Scenario 11: the daemon at scale when nothing changes. N = 10,000 destinations already live (the
// plan-scale seed); the daemon's own cycle runs 100 times in a child process on the unchanged repo.
// Each cycle re-reads live state (level-based: that is how drift is seen) but must not parse or
// validate an unchanged manifest again. Rows: CPU of the first (cold) cycle and of a steady no-op
// cycle, RSS and live heap after the last cycle against after the first (growth: a leak), and the
// requests per cycle against the list-page minimum.
import { rm } from 'node:fs/promises';
import { generateRepo } from '../lib/generate.ts';
import { median, parseStepResult, percentile, runMeasured, stepArgv } from '../lib/measure.ts';
import { row } from '../lib/report.ts';
import { countsBySandbox, minimumListPages, summarize } from '../lib/requests.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';
import { seededEmulator } from '../lib/seed.ts';
import type { DaemonCyclesStepResult } from '../steps/daemon-cycles.ts';

const N = envNumber('BENCH_STEADY_N', 10000);
const CYCLES = envNumber('BENCH_STEADY_CYCLES', 100);
const SEED = 7;

export const scenario: Scenario = {
  name: 'daemon-steady',
  summary: `no-op daemon cycles at N = ${N}: CPU per cycle, memory after ${CYCLES} cycles`,
  async run() {
    // Same repo and cache key as plan-scale's N=10000, so one seed serves both.
    const repo = await generateRepo({ n: N, seed: SEED, layout: 'per-sandbox', segmentNames: false });
    const seeded = await seededEmulator(repo, `plan-n${N}-s${SEED}-per-sandbox-nolabels`);
    try {
      const admin = seeded.bench.emu.admin;
      const pages = minimumListPages(countsBySandbox(admin.snapshot()), repo.sandboxes, 0);
      admin.resetRequests();
      const run = await runMeasured(stepArgv('daemon-cycles', [repo.dir, String(CYCLES)], ['--expose-gc']), { env: { ...seeded.bench.env, ...repo.env }, timeoutMs: 3_600_000 });
      const step = parseStepResult<DaemonCyclesStepResult>(run, 'daemon-cycles step');
      if (process.env.BENCH_PROFILE === '1' || process.env.BENCH_MEMORY === '1') process.stderr.write(run.stderr); // each cycle's --since/--until, or memory
      const bad = step.results.filter((r) => r !== 'success');
      if (bad.length > 0 || step.changes > 0) throw new Error(`N=${N}: ${bad.length} cycles were not success (${bad[0] ?? ''}), ${step.changes} changes; expected no-op cycles`);
      const steady = step.cycles.slice(1).map((s) => s.cpuMs / 1000);
      const growth = (m: { first: number; last: number }) => (m.last - m.first) / m.first;
      const summary = summarize(admin.requests());
      const logged = summary.total;
      const routes = Object.entries(summary.byRoute).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n / CYCLES}`).join(', ');
      // One IMS token for the whole run (the client is kept across cycles); the rest is per cycle.
      const perCycle = (logged - 1) / CYCLES;
      const c = `N=${N}, ${CYCLES} cycles`;
      return {
        setup: `${N} destinations over ${repo.sandboxes.length} sandboxes, no latency; ${seeded.how}; createCycle (the daemon's cycle) called ${CYCLES} times in a child process (bench/steps/daemon-cycles.ts)`,
        rows: [
          row({ case: c, metric: 'first cycle CPU (cold: parse, validate, fingerprints)', value: step.cycles[0]!.cpuMs / 1000, unit: 's' }),
          row({ case: c, metric: 'no-op cycle CPU (median of cycles 2..)', value: median(steady), unit: 's', target: { op: '<', value: 1 }, note: `p95 ${percentile(steady, 95).toFixed(2)} s, wall median ${(median(step.cycles.slice(1).map((s) => s.wallMs)) / 1000).toFixed(2)} s` }),
          row({ case: c, metric: `RSS growth, after cycle ${CYCLES} vs after cycle 1`, value: 100 * growth(step.rssMb), unit: '%', target: { op: '<', value: 5 }, note: `${step.rssMb.first.toFixed(0)} -> ${step.rssMb.last.toFixed(0)} MB` }),
          row({ case: c, metric: `live heap growth (after a full GC), cycle ${CYCLES} vs 1`, value: 100 * growth(step.heapMb), unit: '%', note: `${step.heapMb.first.toFixed(0)} -> ${step.heapMb.last.toFixed(0)} MB` }),
          row({ case: c, metric: 'requests per cycle', value: perCycle, unit: 'req', note: `list-page minimum ${pages}; per cycle by route: ${routes}` }),
        ],
      };
    } finally {
      await seeded.close();
      await rm(repo.dir, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
