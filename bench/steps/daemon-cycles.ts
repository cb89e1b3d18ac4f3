// Measured step of the steady-daemon scenario, in its own process: the daemon's own cycle
// (src/reconcile/cycle.ts, as `flowsync run` builds it once and calls it every interval) run again
// and again on an unchanged repo against an unchanged org. Each cycle's CPU time; RSS and live heap
// after the first cycle and after the last, to show whether anything piles up.
// Usage: node --expose-gc --import tsx bench/steps/daemon-cycles.ts <repo-dir> <cycles>
import { createCycle } from '../../src/reconcile/cycle.ts';
import { emitStepResult, measure, type Sample } from '../lib/measure.ts';

export interface DaemonCyclesStepResult {
  cycles: Sample[];
  results: string[];
  changes: number;
  /** After cycle 1 and after the last: RSS, and the heap in use after a full GC (MB). */
  rssMb: { first: number; last: number };
  heapMb: { first: number; last: number };
  requests: number;
}

const [dir, cyclesArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: daemon-cycles.ts <repo-dir> <cycles>');
const count = Number(cyclesArg ?? 100);
const gc = (globalThis as { gc?: () => void }).gc;
// RSS is read once it has settled: eight full GCs half a second apart. V8 shrinks its heap and it and
// the allocator give freed pages back over several GCs and seconds (in one run: 460, 374, 374, 374,
// 374, 374, 343 MB), so RSS read right after one gc() still held hundreds of MB already freed, and
// the row swung from -5 % to +81 % between runs of the same code.
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
const memory = async (collect = true) => {
  if (collect && gc) {
    for (let round = 0; round < 8; round++) {
      gc();
      await settle();
    }
    gc();
  }
  const m = process.memoryUsage();
  // BENCH_MEMORY=1: every cycle's memory on stderr (no GC forced between cycles), to tell V8's heap from malloc's.
  if (process.env.BENCH_MEMORY === '1') process.stderr.write(`memory${collect ? ' settled after full GCs' : ''}: ${JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 1048576)])))}\n`);
  return { rss: m.rss / 1048576, heap: m.heapUsed / 1048576 };
};
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
let requests = 0;
const cycle = createCycle({ env: process.env, connect: {}, allowMassDelete: false, onClientEvent: (e) => void (e.type === 'request' && requests++) });
const signal = new AbortController().signal;
const cycles: Sample[] = [];
const results: string[] = [];
let changes = 0;
let first = { rss: 0, heap: 0 };
for (let i = 0; i < count; i++) {
  const since = nowUs();
  const { value, sample } = await measure(() => cycle({ dir, revision: 'bench', trigger: i === 0 ? 'startup' : 'interval', mode: 'apply' }, signal));
  // On the CPU profile's clock, for `bench/profile-top.ts --since --until` (BENCH_PROFILE=1).
  if (process.env.BENCH_PROFILE === '1') process.stderr.write(`cycle ${i + 1}: --since ${since} --until ${nowUs()}\n`);
  cycles.push(sample);
  results.push(value.result);
  changes += value.changes.length;
  if (i === 0) first = await memory();
  else if (process.env.BENCH_MEMORY === '1' && i < count - 1) await memory(false);
}
const last = await memory();
emitStepResult({
  cycles,
  results,
  changes,
  rssMb: { first: first.rss, last: last.rss },
  heapMb: { first: first.heap, last: last.heap },
  requests,
} satisfies DaemonCyclesStepResult);
// The cycle keeps its API client (keep-alive sockets) for the next cycle, as the daemon does; a
// daemon closes it on shutdown, this step simply ends.
process.exit(0);
