// Running the real flowsync CLI against a generated repo and checking what it left in the emulator.
import type { Emulator, StoreSnapshot } from '../../src/emulator/types.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';
import type { BenchEmulator } from './emulator.ts';
import type { GeneratedRepo } from './generate.ts';
import { cliArgv, runMeasured, type ChildRun } from './measure.ts';

/** `flowsync <args>` run from the repo root (where flowsync.yaml is), measured, with the emulator's env. */
export async function flowsync(args: string[], repo: Pick<GeneratedRepo, 'dir' | 'env'>, bench: BenchEmulator, env: Record<string, string> = {}): Promise<ChildRun> {
  return runMeasured(await cliArgv(args), { cwd: repo.dir, env: { ...bench.env, ...repo.env, ...env } });
}

/** Throws with the command's output when it exited with a code not in `ok`. */
export function expectExit(run: ChildRun, what: string, ok: number[] = [0]): ChildRun {
  if (!ok.includes(run.code)) {
    throw new Error(`${what} exited ${run.code}\n--- stdout (tail)\n${run.stdout.slice(-3000)}\n--- stderr (tail)\n${run.stderr.slice(-3000)}`);
  }
  return run;
}

interface FlowDoc {
  name?: string;
  description?: string;
  transformations?: { params?: { segmentSelectors?: { selectors?: { value?: { id?: string } }[] }; profileSelectors?: { selectors?: unknown[] } } }[];
}

function flowsByDestination(snapshot: StoreSnapshot): Map<string, FlowDoc> {
  const out = new Map<string, FlowDoc>();
  for (const [scope, collections] of Object.entries(snapshot.scopes)) {
    const sandbox = scope.slice(scope.lastIndexOf('/') + 1);
    for (const f of collections.flows as FlowDoc[]) {
      const tag = parseOwnerTag(f.description).tag;
      const name = tag?.kind === 'destination' && tag.name ? tag.name : f.name;
      if (name) out.set(`${sandbox}/${name}`, f);
    }
  }
  return out;
}

/** Segment ids live on the flow of one destination (by flowsync's ownership tag, else by flow name). */
export function liveSegments(emu: Emulator, sandbox: string, destination: string): string[] {
  const flow = flowsByDestination(emu.admin.snapshot()).get(`${sandbox}/${destination}`);
  return (flow?.transformations?.[0]?.params?.segmentSelectors?.selectors ?? []).map((s) => s.value?.id ?? '');
}

/** Throws unless every destination of the repo is live with all its segments and attributes. */
export function expectConverged(emu: Emulator, repo: Pick<GeneratedRepo, 'destinations'>, what: string): void {
  const flows = flowsByDestination(emu.admin.snapshot());
  const wrong: string[] = [];
  for (const d of repo.destinations) {
    const f = flows.get(`${d.sandbox}/${d.name}`);
    const params = f?.transformations?.[0]?.params;
    const segs = new Set((params?.segmentSelectors?.selectors ?? []).map((s) => s.value?.id));
    const attrs = params?.profileSelectors?.selectors?.length ?? 0;
    if (!f || attrs !== d.profileAttributes.length || segs.size !== d.segments.length || d.segments.some((s) => !segs.has(s.id))) {
      wrong.push(`${d.sandbox}/${d.name}`);
    }
  }
  if (wrong.length) throw new Error(`${what}: ${wrong.length} of ${repo.destinations.length} destinations not live as declared, e.g. ${wrong.slice(0, 3).join(', ')}`);
}
