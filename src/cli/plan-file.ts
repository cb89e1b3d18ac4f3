// Saved plans (`plan --out FILE`, read back by `apply FILE`): the boundary where a file becomes a
// Plan again. Apart from the views (render/json.ts writes the JSON), as Terraform keeps its
// planfile apart from its views. The schema's validator is plan-validator.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from '../domain/plan.ts';
import { PLAN_FORMAT_VERSION } from '../domain/plan.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { validators } from './plan-validator.ts';

export function parsePlanJson(text: string, source = 'plan file'): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FlowsyncError('FS_PLAN_INVALID', `${source} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const version = (data as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== PLAN_FORMAT_VERSION) {
    throw new FlowsyncError('FS_PLAN_INVALID', `${source} has formatVersion ${JSON.stringify(version)}; this flowsync reads version ${PLAN_FORMAT_VERSION}.`, {
      hint: 'Make the plan again with this version of flowsync (`flowsync plan --out FILE`).',
    });
  }
  const check = validators().plan;
  if (!check(data)) {
    const errors = (check.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new FlowsyncError('FS_PLAN_INVALID', `${source} does not match schemas/plan.schema.json: ${errors.join('; ')}`, { details: { errors } });
  }
  return data as Plan;
}

/** Reads and validates the saved plan `file` (relative to `cwd`). */
export async function readPlanFile(file: string, cwd: string): Promise<Plan> {
  const text = await readFile(path.resolve(cwd, file), 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new FlowsyncError('FS_CLI_USAGE', `apply: cannot read plan file ${file}: ${err.code ?? err.message}`);
  });
  return parsePlanJson(text, file);
}
