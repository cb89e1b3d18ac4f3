// A destination's activation health as Kubernetes-style conditions for /status (as Flux reports
// Ready): `health` (type Healthy) and `lastRun` (type LastRunSucceeded), each with status
// True/False/Unknown, a reason, a message and the time its status last changed. Pure.
import type { Health } from '../health/rule.ts';
import type { ActivationStatus } from './types.ts';

export interface KubeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string; // ISO time
}

export interface HealthCondition extends KubeCondition {
  type: 'Healthy';
  /** The five-valued health (status says only True/False/Unknown). */
  health: Health;
}

export interface LastRunCondition extends KubeCondition {
  type: 'LastRunSucceeded';
  runId?: string;
  createdAt?: string;
  records?: { input: number; activated: number; failed: number };
}

const HEALTH_STATUS: Record<Health, KubeCondition['status']> = { Healthy: 'True', Degraded: 'False', Failed: 'False', Disabled: 'Unknown', Unknown: 'Unknown' };

/** The conditions of this cycle; a transition time moves only when the value changed since `prev`. */
export function activationConditions(
  a: ActivationStatus,
  prev: { health?: HealthCondition; lastRun?: LastRunCondition } | undefined,
  at: string,
): { health: HealthCondition; lastRun: LastRunCondition } {
  const healthSince = prev?.health && prev.health.health === a.health ? prev.health.lastTransitionTime : at;
  const health: HealthCondition = { type: 'Healthy', status: HEALTH_STATUS[a.health], health: a.health, reason: a.reason, message: a.message, lastTransitionTime: healthSince };
  const r = a.lastRun;
  const status: KubeCondition['status'] = !r ? 'Unknown' : r.status === 'failed' ? 'False' : 'True';
  const lastRun: LastRunCondition = r
    ? {
      type: 'LastRunSucceeded', status, reason: status === 'True' ? 'RunSucceeded' : 'RunFailed',
      message: `run ${r.id}: ${r.activated} of ${r.input} records activated, ${r.failed} failed`,
      lastTransitionTime: prev?.lastRun?.status === status ? prev.lastRun.lastTransitionTime : at,
      runId: r.id, createdAt: new Date(r.createdAt).toISOString(), records: { input: r.input, activated: r.activated, failed: r.failed },
    }
    : { type: 'LastRunSucceeded', status, reason: 'NoRuns', message: 'no finished run in the health window', lastTransitionTime: prev?.lastRun?.status === status ? prev.lastRun.lastTransitionTime : at };
  return { health, lastRun };
}
