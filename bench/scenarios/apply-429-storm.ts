// Scenario 8: `flowsync apply` of N new destinations while half of the emulator's answers are 429
// with Retry-After: 1 (a storm, not a rate limit: sending slower does not help). One 429 episode
// must cost one pause: the apply must not slow to a crawl. Target: 30 destinations in under 60 s.
import { rm } from 'node:fs/promises';
import { expectConverged, expectExit, flowsync } from '../lib/cli.ts';
import { startBenchEmulator } from '../lib/emulator.ts';
import { generateRepo } from '../lib/generate.ts';
import { row } from '../lib/report.ts';
import { summarize } from '../lib/requests.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';

const N = envNumber('BENCH_STORM_N', 30);
const RATE = envNumber('BENCH_STORM_THROTTLE', 0.5);

export const scenario: Scenario = {
  name: 'apply-429-storm',
  summary: 'apply under a 429 storm (50 % of answers, Retry-After: 1)',
  async run() {
    const bench = await startBenchEmulator({ faults: { throttleRate: RATE, retryAfterSeconds: 1, seed: 11 } });
    const repo = await generateRepo({ n: N, api: bench.api });
    bench.register(repo);
    try {
      const apply = expectExit(await flowsync(['apply', '--auto-approve'], repo, bench), 'flowsync apply');
      expectConverged(bench.emu, repo, 'flowsync apply under a 429 storm');
      const req = summarize(bench.emu.admin.requests());
      const wallS = apply.wallMs / 1000;
      const c = `N=${N}, ${RATE * 100} % 429, Retry-After 1 s`;
      return {
        setup: `${N} generated destinations over ${repo.sandboxes.length} sandboxes, empty org, emulator in-process with throttleRate=${RATE}, retryAfterSeconds=1; flowsync apply by its CLI.`,
        rows: [
          row({ case: c, metric: 'apply wall (CLI, start-up included)', value: wallS, unit: 's', target: { op: '<', value: 60 } }),
          row({ case: c, metric: 'Flow Service requests (429 included)', value: req.flowService, unit: 'req' }),
          row({ case: c, metric: 'requests refused with 429', value: req.throttled, unit: 'req' }),
          row({ case: c, metric: 'accepted requests per second', value: (req.flowService - req.throttled) / wallS, unit: 'req/s' }),
        ],
      };
    } finally {
      await bench.close();
      await rm(repo.dir, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
