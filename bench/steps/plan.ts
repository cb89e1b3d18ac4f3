// Measured step of scenario 1, run in its own process so its CPU time and peak RSS are flowsync's
// alone (the emulator runs in the parent): load + validate the repo, read live state, plan.
// Usage: node --import tsx bench/steps/plan.ts <repo-dir>   (FLOWSYNC_* env names the emulator)
import { performance } from 'node:perf_hooks';
import { loadValid, newClient, targetFromEnv } from '../lib/core.ts';
import { emitStepResult, measure, peakRssMb, type Sample } from '../lib/measure.ts';
import { planChanges } from '../../src/plan/index.ts';
import { readLiveState } from '../../src/state/index.ts';

export interface PlanStepResult {
  /** Process start to the first phase: node, tsx and flowsync's modules loading. */
  startupMs: number;
  load: Sample;
  read: Sample;
  plan: Sample;
  destinations: number;
  sandboxes: number;
  /** Actions plus conflicts: anything but 0 means the seed does not match the repo (the scenario seeds again). */
  actions: number;
  peakRssMb: number;
  /** Each phase's start and end on the CPU profile's clock (monotonic µs): `bench/profile-top.ts --since/--until`. */
  marks: Record<'load' | 'read' | 'plan', [number, number]>;
  /** Peak RSS (MB) by the end of each phase: which phase sets the process's peak. */
  peakRssAfter: Record<'load' | 'read' | 'plan', number>;
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
async function marked<T>(fn: () => Promise<T> | T, into: [number, number]): Promise<T> {
  into[0] = nowUs();
  try {
    return await fn();
  } finally {
    into[1] = nowUs();
  }
}
const marks: PlanStepResult['marks'] = { load: [0, 0], read: [0, 0], plan: [0, 0] };

const dir = process.argv[2];
if (!dir) throw new Error('usage: plan.ts <repo-dir>');
const startupMs = performance.now();
const peakRssAfter: PlanStepResult['peakRssAfter'] = { load: 0, read: 0, plan: 0 };
const load = await measure(() => marked(() => loadValid(dir, process.env), marks.load));
peakRssAfter.load = peakRssMb();
const client = newClient(targetFromEnv());
const read = await measure(() => marked(() => readLiveState(client, load.value.desired.sandboxes), marks.read));
peakRssAfter.read = peakRssMb();
const plan = await measure(() => marked(() => planChanges(load.value.desired, read.value, { prune: false, createdAt: new Date().toISOString(), manager: load.value.manager }), marks.plan));
peakRssAfter.plan = peakRssMb();
client.close();
emitStepResult({
  startupMs,
  load: load.sample,
  read: read.sample,
  plan: plan.sample,
  destinations: load.value.desired.destinations.length,
  sandboxes: load.value.desired.sandboxes.length,
  actions: plan.value.actions.length + plan.value.conflicts.length,
  peakRssMb: peakRssMb(),
  marks,
  peakRssAfter,
} satisfies PlanStepResult);
