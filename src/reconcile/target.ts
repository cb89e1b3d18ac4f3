// What a run is aimed at: the endpoint and org its requests go to (flags > FLOWSYNC_* environment >
// flowsync.yaml, the order connect.ts builds the client in), the config folder and its manager.
// Plans show and record these; a saved plan is applied only to the target it was made for.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { clientOptionsFromEnv } from '../api/index.ts';
import { FlowsyncError } from '../domain/errors.ts';
import type { Plan } from '../domain/plan.ts';
import type { FlowsyncConfig } from '../manifest/index.ts';
import type { ConnectFlags } from './connect.ts';

export interface Target {
  endpoint: string;
  org?: string;
}

/** The endpoint and org requests go to, resolved as the client resolves them. */
export function effectiveTarget(config: Pick<FlowsyncConfig, 'org' | 'api'>, env: NodeJS.ProcessEnv, flags: ConnectFlags = {}): Target {
  const fromEnv = clientOptionsFromEnv(env);
  const org = flags.org ?? fromEnv.orgId ?? config.org;
  return { endpoint: flags.endpoint ?? fromEnv.endpoint ?? config.api.endpoint, ...(org ? { org } : {}) };
}

/** The org as an optional PlanInput field. */
export function orgOf(target: { org?: string }): { org?: string } {
  return target.org ? { org: target.org } : {};
}

/** What a plan records of its target (PlanInput fields): the endpoint without any user:password@. */
export async function planTarget(
  config: Pick<FlowsyncConfig, 'org' | 'api'>,
  root: string,
  env: NodeJS.ProcessEnv,
  flags: ConnectFlags = {},
): Promise<{ endpoint: string; org?: string; configDir: string }> {
  const target = effectiveTarget(config, env, flags);
  return { ...target, endpoint: withoutCredentials(target.endpoint), configDir: await configDirOf(root) };
}

/**
 * The config folder as a saved plan records it: inside a git work tree its path from the tree's
 * root (`git:manifests`, `git:.`), so a plan made in one CI checkout applies in another checkout of
 * the same repo (the manager names the repo); elsewhere its real absolute path.
 */
export async function configDirOf(root: string): Promise<string> {
  const real = await realpath(root).catch(() => path.resolve(root));
  for (let dir = real; ; dir = path.dirname(dir)) {
    if (await stat(path.join(dir, '.git')).then(() => true, () => false)) return `git:${path.relative(dir, real).split(path.sep).join('/') || '.'}`;
    if (path.dirname(dir) === dir) return real;
  }
}

function withoutCredentials(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return endpoint;
  }
}

type Recorded = Pick<Plan, 'endpoint' | 'org' | 'configDir' | 'manager' | 'sandboxes'>;

/** How a saved plan's recorded target differs from this run's, one line per field ([] when it matches). */
export function targetMismatches(saved: Recorded, now: Omit<Recorded, 'sandboxes'> & { sandboxes: readonly string[] }): string[] {
  const problems: string[] = [];
  const field = (name: string, was: string | undefined, is: string | undefined) => {
    if (was === undefined) problems.push(`${name}: the plan does not record the ${name} it was made for (this run: ${is ?? 'none'})`);
    else if (was !== is) problems.push(`${name}: the plan was made for ${was}, this run uses ${is ?? 'none'}`);
  };
  field('endpoint', saved.endpoint, now.endpoint);
  field('org', saved.org, now.org);
  field('config dir', saved.configDir, now.configDir);
  field('manager', saved.manager, now.manager);
  const missing = now.sandboxes.filter((s) => !saved.sandboxes.includes(s));
  if (missing.length > 0) problems.push(`sandboxes: the config names ${missing.join(', ')}, which the plan did not read (it read ${saved.sandboxes.join(', ') || 'none'})`);
  return problems;
}

/** A saved plan applies only to the target it was made for: checked before any request. */
export function refuseOtherTarget(saved: Recorded, now: Omit<Recorded, 'sandboxes'> & { sandboxes: readonly string[] }, file: string): void {
  const problems = targetMismatches(saved, now);
  if (problems.length === 0) return;
  throw new FlowsyncError('FS_APPLY_PLAN_TARGET', `refusing to apply ${file}: it was made for another target; nothing was read or written:\n  - ${problems.join('\n  - ')}`, {
    details: { problems },
  });
}
