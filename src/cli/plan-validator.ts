// The compiled validator of saved plans. From the sources it is compiled once, at the first saved plan;
// the bundle replaces this module with standalone code that cmd/build.ts generates from the same schema
// set (planSchemaSet), so `apply FILE` compiles no schema.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { planSchemaSet } from './plan-schema-set.ts';

let compiled: { plan: ValidateFunction } | undefined;

export function validators(): { plan: ValidateFunction } {
  if (compiled) return compiled;
  const { ajv, names } = planSchemaSet();
  const plan = ajv.getSchema(names.plan);
  if (!plan) throw new Error('the plan schema is not in its schema set');
  return (compiled = { plan });
}
