// Scenario 2: a reconcile when nothing changed, at N = 1,000 destinations already live. flowsync's
// core (load, read, plan, apply) runs in a child process; when `flowsync apply` is registered the
// real CLI runs too. Requests must equal the list-page minimum (one walk per collection and
// sandbox, 100 per page, plus the IMS token), with zero writes.
import { rm } from 'node:fs/promises';
import { COMMANDS } from '../../src/cli/registry.ts';
import { expectExit, flowsync } from '../lib/cli.ts';
import { generateRepo } from '../lib/generate.ts';
import { parseStepResult, runMeasured, stepArgv } from '../lib/measure.ts';
import { row, type Row } from '../lib/report.ts';
import { countsBySandbox, minimumListPages, summarize } from '../lib/requests.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';
import { seededEmulator } from '../lib/seed.ts';
import type { ReconcileStepResult } from '../steps/reconcile.ts';

const N = envNumber('BENCH_NOOP_N', 1000);
const SEED = 7;

export const scenario: Scenario = {
  name: 'noop-reconcile',
  summary: 'no-op reconcile: requests vs the list-page minimum',
  async run() {
    // Same repo and cache key as plan-scale's N=1000, so one seed serves both.
    const repo = await generateRepo({ n: N, seed: SEED, layout: 'per-sandbox', segmentNames: false });
    const seeded = await seededEmulator(repo, `plan-n${N}-s${SEED}-per-sandbox-nolabels`);
    try {
      const admin = () => seeded.bench.emu.admin;
      const min = minimumListPages(countsBySandbox(admin().snapshot()), repo.sandboxes);
      const c = `N=${N}`;
      const rows: Row[] = [];
      const check = (label: string, wallMs: number) => {
        const req = summarize(admin().requests());
        rows.push(row({ case: c, metric: `${label}: wall`, value: wallMs / 1000, unit: 's' }));
        rows.push(row({ case: c, metric: `${label}: requests / list-page minimum`, value: req.total / min, unit: '', target: { op: '<=', value: 1 }, note: `${req.total} sent, minimum ${min}` }));
        rows.push(row({ case: c, metric: `${label}: writes`, value: req.writes, unit: 'req', target: { op: '==', value: 0 } }));
      };

      admin().resetRequests();
      let run = await runMeasured(stepArgv('reconcile', [repo.dir]), { env: { ...seeded.bench.env, ...repo.env } });
      let step = parseStepResult<ReconcileStepResult>(run, 'reconcile step');
      if (step.actions > 0) {
        await seeded.reseed(); // the cached seed predates a planner change
        run = await runMeasured(stepArgv('reconcile', [repo.dir]), { env: { ...seeded.bench.env, ...repo.env } });
        step = parseStepResult<ReconcileStepResult>(run, 'reconcile step');
      }
      check('core reconcile (in-process)', step.total.wallMs);

      if (COMMANDS.some((cmd) => cmd.name === 'apply')) {
        admin().resetRequests();
        const apply = expectExit(await flowsync(['apply', '--auto-approve'], repo, seeded.bench), 'flowsync apply (no-op)');
        check('flowsync apply CLI', apply.wallMs);
      } else {
        rows.push(row({ case: c, metric: 'flowsync apply CLI', value: null, unit: '', note: 'not measured: `flowsync apply` is not registered in src/cli/registry.ts yet' }));
      }
      return { setup: `${N} destinations over ${repo.sandboxes.length} sandboxes, no latency; ${seeded.how}`, rows };
    } finally {
      await seeded.close();
      await rm(repo.dir, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
