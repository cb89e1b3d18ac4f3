// The planner's tests apply plans with the same pure Flow Service stand-in `plan --base` uses
// (src/review/simulate.ts), but fail loudly on anything the API would refuse.
import type { LiveState } from '../../src/domain/model.ts';
import type { Action } from '../../src/domain/plan.ts';
import { simulatePlan } from '../../src/review/simulate.ts';

export class Simulator {
  live: LiveState;

  constructor(live: LiveState) {
    this.live = structuredClone(live);
  }

  apply(actions: readonly Action[]): void {
    const result = simulatePlan(this.live, actions);
    if (result.refused.length > 0) {
      throw new Error(`the API would refuse: ${result.refused.map((r) => `${r.action}: ${r.reason}`).join('; ')}`);
    }
    this.live = result.live;
  }
}
