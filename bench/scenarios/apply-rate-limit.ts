// Scenario 3: `flowsync apply` of N new destinations while the emulator allows R requests per second
// (over it: 429 with Retry-After until the 1 s window ends) and adds 50 ms to every answer. The
// floor is the time the requests flowsync needed take at exactly R per second: needed / R, where
// needed = the Flow Service requests that were not refused (what a perfect pacer would send).
import { rm } from 'node:fs/promises';
import { expectConverged, expectExit, flowsync } from '../lib/cli.ts';
import { startBenchEmulator } from '../lib/emulator.ts';
import { applyDir } from '../lib/core.ts';
import { generateRepo } from '../lib/generate.ts';
import { row } from '../lib/report.ts';
import { apiSpanMs, summarize } from '../lib/requests.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';

const N = envNumber('BENCH_RATE_N', 100);
const R = envNumber('BENCH_RATE_R', 25);
const LATENCY_MS = envNumber('BENCH_RATE_LATENCY_MS', 50);

export const scenario: Scenario = {
  name: 'apply-rate-limit',
  summary: 'apply under a rate limit vs the floor',
  async run() {
    const bench = await startBenchEmulator({ faults: { latencyMs: LATENCY_MS, rateLimit: R } });
    const repo = await generateRepo({ n: N, api: bench.api });
    bench.register(repo);
    try {
      const apply = expectExit(await flowsync(['apply', '--auto-approve'], repo, bench), 'flowsync apply');
      expectConverged(bench.emu, repo, 'flowsync apply under a rate limit');
      const log = bench.emu.admin.requests();
      const req = summarize(log);
      const spanS = apiSpanMs(log) / 1000;
      const needed = req.flowService - req.throttled;
      const floorS = needed / R;
      const wallS = apply.wallMs / 1000;
      const c = `N=${N}, R=${R}/s, ${LATENCY_MS} ms`;

      // Experiment: the same apply in-process with the API client's own pacer (its `budget` option,
      // a token bucket at R per second) instead of learning the limit from 429s. Not reachable from
      // the CLI today; shows what pacing would buy.
      bench.emu.admin.reset();
      bench.emu.admin.setFaults({ latencyMs: LATENCY_MS, rateLimit: R });
      await applyDir(repo.dir, { ...process.env, ...repo.env }, bench.client, 4, { budget: { requestsPerSecond: R, burst: 1 } });
      expectConverged(bench.emu, repo, 'paced in-process apply');
      const paced = bench.emu.admin.requests();
      const pacedReq = summarize(paced);
      const pacedFloor = (pacedReq.flowService - pacedReq.throttled) / R;
      return {
        setup: `${N} generated destinations over ${repo.sandboxes.length} sandboxes, empty org, emulator in-process with rateLimit=${R} and ${LATENCY_MS} ms latency; flowsync apply by its CLI.`,
        rows: [
          row({ case: c, metric: 'apply wall (CLI, start-up included)', value: wallS, unit: 's' }),
          row({ case: c, metric: 'Flow Service requests needed (not 429)', value: needed, unit: 'req', note: `${req.writes} write attempts incl. refused ones` }),
          row({ case: c, metric: 'requests refused with 429', value: req.throttled, unit: 'req' }),
          row({ case: c, metric: 'floor = needed / R', value: floorS, unit: 's' }),
          row({ case: c, metric: 'wall / floor', value: wallS / floorS, unit: '', target: { op: '<=', value: 1.15 } }),
          row({ case: c, metric: 'API span (first request to last answer) / floor', value: spanS / floorS, unit: '', note: `${spanS.toFixed(1)} s: the wall without CLI start-up and loading` }),
          row({
            case: c,
            metric: 'experiment: paced client (budget R/s), API span / floor',
            value: apiSpanMs(paced) / 1000 / pacedFloor,
            unit: '',
            note: `in-process core apply; ${pacedReq.throttled} refused with 429, floor ${pacedFloor.toFixed(1)} s`,
          }),
        ],
      };
    } finally {
      await bench.close();
      await rm(repo.dir, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
