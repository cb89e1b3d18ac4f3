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
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: plan.ts <repo-dir>');
const startupMs = performance.now();
const load = await measure(() => loadValid(dir, process.env));
const client = newClient(targetFromEnv());
const read = await measure(() => readLiveState(client, load.value.desired.sandboxes));
const plan = await measure(() => planChanges(load.value.desired, read.value, { prune: false, createdAt: new Date().toISOString(), manager: load.value.manager }));
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
} satisfies PlanStepResult);
