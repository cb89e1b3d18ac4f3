// In-process reconcile against the emulator: load a repo, plan, apply with recompute, as the CLI
// does, for tests that need to reach inside (racing writers, request counts).
import { FlowServiceClient } from '../../src/api/index.ts';
import { loadRepo } from '../../src/manifest/index.ts';
import { clientOptions } from '../../src/reconcile/connect.ts';
import { applyLive, makePlan, readLive, verifyApplied, type PlanInput } from '../../src/reconcile/reconcile.ts';
import { writePass } from '../../src/reconcile/writer.ts';

export async function openRepo(root: string, env: Record<string, string>) {
  const repo = await loadRepo(root, { env });
  const errors = repo.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`test repo invalid: ${errors.map((d) => `${d.file}:${d.line} ${d.summary}`).join('; ')}`);
  return repo;
}

export async function testClient(root: string, env: Record<string, string>, overrides: Partial<ConstructorParameters<typeof FlowServiceClient>[0]> = {}) {
  const repo = await openRepo(root, env);
  const opts = await clientOptions(repo.config, { root, env });
  return new FlowServiceClient({ ...opts, backoff: { baseMs: 5, maxMs: 50 }, maxRetryAfterMs: 2_000, ...overrides });
}

export async function reconcileOnce(root: string, env: Record<string, string>, client: FlowServiceClient, opts: { prune?: boolean } = {}) {
  const repo = await openRepo(root, env);
  const input: PlanInput = { desired: repo.desired, prune: opts.prune ?? false, now: new Date(), manager: repo.manager };
  const live = await readLive(client, repo.desired);
  const plan = makePlan(input, live);
  const result = await applyLive(plan, { client, secrets: repo.secrets, input, live });
  const verification = await verifyApplied(client, input, result);
  return { plan, result, verification, repo };
}

export async function planOnly(root: string, env: Record<string, string>, client: FlowServiceClient, opts: { prune?: boolean } = {}) {
  const repo = await openRepo(root, env);
  const live = await readLive(client, repo.desired);
  return makePlan({ desired: repo.desired, prune: opts.prune ?? false, now: new Date(), manager: repo.manager }, live);
}

/**
 * One reconcile the way every writing path runs it: plan, and when there is something to write,
 * take the sandboxes' writer leases (waiting up to `lockTimeoutMs`), re-read, re-plan and apply.
 */
export async function reconcileAsWriter(root: string, env: Record<string, string>, client: FlowServiceClient, opts: { prune?: boolean; lockTimeoutMs?: number; command?: string } = {}) {
  const repo = await openRepo(root, env);
  const input: PlanInput = { desired: repo.desired, prune: opts.prune ?? false, now: new Date(), manager: repo.manager };
  const live = await readLive(client, repo.desired);
  const plan = makePlan(input, live);
  return writePass({
    client,
    secrets: repo.secrets,
    input,
    live,
    plan,
    lease: { config: repo.config, manager: repo.manager, command: opts.command ?? 'test writer', lockTimeoutMs: opts.lockTimeoutMs ?? 60_000 },
    concurrency: repo.config.reconcile.concurrency,
    config: repo.config,
    allowMassDelete: false,
  });
}

/** `client`, except that just before its first PATCH of a flow `race` runs (someone editing in the UI meanwhile). */
export function racingClient(client: FlowServiceClient, race: (sandbox: string) => void): { client: FlowServiceClient; raced: () => boolean } {
  let raced = false;
  const racing = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'patch') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<FlowServiceClient['patch']>) => {
        const [sandbox, collection] = args;
        if (!raced && collection === 'flows') {
          raced = true;
          race(sandbox);
        }
        return target.patch(...args);
      };
    },
  });
  return { client: racing, raced: () => raced };
}
