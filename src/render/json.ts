// The versioned plan JSON view (schemas/plan.schema.json): what `plan --output json` prints and
// `plan --out` saves. Reading a saved plan back is src/cli/plan-file.ts.
import type { Plan } from '../domain/plan.ts';
import { isSecretField } from './plan-common.ts';

export function renderPlanJson(plan: Plan): string {
  // Plans never hold secret values; a value under a secret param name is dropped all the same.
  return `${JSON.stringify(plan, (key, value: unknown) => (isSecretField(key) && key !== 'secretParams' && typeof value === 'string' ? undefined : value), 2)}\n`;
}
