// Scenario 1: plan at scale. For N = 100, 1,000, 10,000 destinations already live (seeded by flowsync
// itself), a child process loads + validates the repo, reads live state and plans; we take each
// phase's wall and CPU time, the process's peak RSS, and the requests it sent against the minimum
// (list pages only). The plan must be empty: anything else means the seed is stale and is redone.
import { rm } from 'node:fs/promises';
import { generateRepo, type GeneratedRepo } from '../lib/generate.ts';
import { parseStepResult, runMeasured, stepArgv } from '../lib/measure.ts';
import { row, type Row } from '../lib/report.ts';
import { countsBySandbox, minimumListPages, summarize } from '../lib/requests.ts';
import { envList, isMain, main, type Scenario } from '../lib/scenario.ts';
import { seededEmulator, type Seeded } from '../lib/seed.ts';
import type { PlanStepResult } from '../steps/plan.ts';

const SIZES = envList('BENCH_PLAN_SIZES', [100, 1000, 10000]);
const SEED = 7;

async function measureOnce(repo: GeneratedRepo, seeded: Seeded): Promise<{ step: PlanStepResult; run: Awaited<ReturnType<typeof runMeasured>> }> {
  seeded.bench.emu.admin.resetRequests();
  const run = await runMeasured(stepArgv('plan', [repo.dir]), { env: { ...seeded.bench.env, ...repo.env } });
  return { step: parseStepResult<PlanStepResult>(run, 'plan step'), run };
}

async function one(n: number): Promise<{ rows: Row[]; setup: string }> {
  // One multi-document file per sandbox and no segment labels: 10,000 destinations then stay inside
  // the loader's limits (2,000 files, 16 MiB per run); the same layout at every N keeps them comparable.
  const repo = await generateRepo({ n, seed: SEED, layout: 'per-sandbox', segmentNames: false });
  const seeded = await seededEmulator(repo, `plan-n${n}-s${SEED}-per-sandbox-nolabels`);
  try {
    let { step, run } = await measureOnce(repo, seeded);
    if (step.actions > 0) {
      await seeded.reseed();
      ({ step, run } = await measureOnce(repo, seeded));
    }
    if (step.actions > 0) throw new Error(`N=${n}: the plan against the seeded org has ${step.actions} actions, expected none`);
    const req = summarize(seeded.bench.emu.admin.requests());
    const min = minimumListPages(countsBySandbox(seeded.bench.emu.admin.snapshot()), repo.sandboxes);
    const big = n >= 10000;
    const c = `N=${n}`;
    const phasesCpu = (step.load.cpuMs + step.read.cpuMs + step.plan.cpuMs) / 1000;
    return {
      setup: `N=${n}: ${repo.sandboxes.length} sandboxes, ${seeded.how}`,
      rows: [
        row({ case: c, metric: 'load+validate wall / CPU', value: step.load.wallMs / 1000, unit: 's', note: `CPU ${(step.load.cpuMs / 1000).toFixed(2)} s` }),
        row({ case: c, metric: 'read live state wall / CPU', value: step.read.wallMs / 1000, unit: 's', note: `CPU ${(step.read.cpuMs / 1000).toFixed(2)} s` }),
        row({ case: c, metric: 'diff+plan wall / CPU', value: step.plan.wallMs / 1000, unit: 's', note: `CPU ${(step.plan.cpuMs / 1000).toFixed(2)} s` }),
        row({ case: c, metric: 'CPU load+read+plan', value: phasesCpu, unit: 's', ...(big ? { target: { op: '<', value: 2 } } : {}) }),
        row({ case: c, metric: 'CPU whole process (node+tsx start-up incl.)', value: run.cpuMs / 1000, unit: 's', note: `start-up ${(step.startupMs / 1000).toFixed(2)} s wall` }),
        row({ case: c, metric: 'peak RSS', value: run.maxRssMb ?? step.peakRssMb, unit: 'MB', ...(big ? { target: { op: '<', value: 300 } } : {}) }),
        row({ case: c, metric: 'requests / list-page minimum', value: req.total / min, unit: '', target: { op: '<=', value: 1 }, note: `${req.total} sent (${req.writes} writes), minimum ${min}` }),
      ],
    };
  } finally {
    await seeded.close();
    await rm(repo.dir, { recursive: true, force: true });
  }
}

export const scenario: Scenario = {
  name: 'plan-scale',
  summary: 'plan at N = 100, 1,000, 10,000',
  async run() {
    const rows: Row[] = [];
    const setups: string[] = [];
    for (const n of SIZES) {
      const r = await one(n);
      rows.push(...r.rows);
      setups.push(r.setup);
    }
    return { setup: `emulator in-process, no latency; measured step in a child process (bench/steps/plan.ts). ${setups.join(' | ')}`, rows };
  },
};

if (isMain(import.meta.url)) await main(scenario);
