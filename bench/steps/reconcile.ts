// Measured step of scenario 2, in its own process: one whole reconcile with flowsync's core
// (load + validate, read live state, plan, apply the plan), as a daemon cycle or `apply` does it.
// Usage: node --import tsx bench/steps/reconcile.ts <repo-dir>   (FLOWSYNC_* env names the emulator)
import { loadValid, newClient, reconcile, targetFromEnv } from '../lib/core.ts';
import { emitStepResult, measure, peakRssMb, type Sample } from '../lib/measure.ts';

export interface ReconcileStepResult {
  total: Sample;
  actions: number;
  /** Entities another manager owns (a seed cached by another manager): the scenario seeds again. */
  conflicts: number;
  applied: number;
  peakRssMb: number;
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: reconcile.ts <repo-dir>');
const client = newClient(targetFromEnv());
const { value, sample } = await measure(async () => reconcile(await loadValid(dir, process.env), client));
client.close();
emitStepResult({
  total: sample,
  actions: value.plan.actions.length,
  conflicts: value.plan.conflicts.length,
  applied: value.result.counts.applied,
  peakRssMb: peakRssMb(),
} satisfies ReconcileStepResult);
