// The top self-time functions of a V8 CPU profile (what `BENCH_PROFILE=1` writes to
// bench/.cache/profiles/), optionally only the samples of one phase: --since/--until are monotonic
// µs on the profile's clock (process.hrtime), as bench/steps/plan.ts reports its phases' `marks`.
// --inclusive counts each function's time with its callees (total time) instead of self time.
// Usage: npx tsx bench/profile-top.ts FILE.cpuprofile [--top 25] [--since US --until US] [--inclusive]
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function flag(argv: string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : undefined;
}

const argv = process.argv.slice(2);
const file = argv[0];
if (!file) throw new Error('usage: profile-top.ts FILE.cpuprofile [--top N] [--since US --until US]');
const top = flag(argv, '--top') ?? 25;
const since = flag(argv, '--since') ?? 0;
const until = flag(argv, '--until') ?? Number.POSITIVE_INFINITY;
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = argv.includes('--inclusive');
const label = (node: ProfileNode): string => {
  const f = node.callFrame;
  const where = f.url ? `${relative(process.cwd(), f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
/** The sampled function, or with --inclusive every distinct function on the sample's stack. */
const keysOf = (id: number): string[] => {
  if (!inclusive) return [label(byId.get(id)!)];
  const keys = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) keys.add(label(byId.get(at)!));
  return [...keys];
};
const selfUs = new Map<string, number>();
let at = profile.startTime;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at < since || at > until) continue;
  for (const key of keysOf(profile.samples[i]!)) selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
  total += delta;
}
process.stdout.write(`${(total / 1000).toFixed(0)} ms sampled\n`);
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}\n`);
}
