// Scenario 6: drift noticed. `flowsync run` (child process) watches a repo of N live destinations
// (drift: heal) with a short interval; an out-of-band edit through the emulator's admin API removes
// one segment the way a person in the AEP UI would. Two clocks start at the edit: detection ends
// at the daemon's `drift` log event for that destination, healing when the segment is back on the
// flow in the emulator. Detection is bounded by the interval (the drift is only seen by a cycle).
import { rm } from 'node:fs/promises';
import { liveSegments } from '../lib/cli.ts';
import { applyDir } from '../lib/core.ts';
import { startDaemon, until } from '../lib/daemon.ts';
import { startBenchEmulator } from '../lib/emulator.ts';
import { generateRepo } from '../lib/generate.ts';
import { percentile, sleep } from '../lib/measure.ts';
import { row } from '../lib/report.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';

const N = envNumber('BENCH_DRIFT_N', 5);
const EDITS = envNumber('BENCH_DRIFT_EDITS', 8);
const INTERVAL = process.env.BENCH_DRIFT_INTERVAL ?? '1s';
const LATENCY_MS = envNumber('BENCH_DRIFT_LATENCY_MS', 50);

export const scenario: Scenario = {
  name: 'drift',
  summary: 'daemon: out-of-band edit to detection and to healing',
  async run() {
    const bench = await startBenchEmulator();
    const repo = await generateRepo({ n: N, api: bench.api });
    bench.register(repo);
    try {
      await applyDir(repo.dir, { ...process.env, ...repo.env }, bench.client);
      bench.emu.admin.setFaults({ latencyMs: LATENCY_MS });
      const daemon = await startDaemon(['--dir', repo.dir, '--interval', INTERVAL], { cwd: repo.dir, env: { ...bench.env, ...repo.env } });
      const detect: number[] = [];
      const heal: number[] = [];
      try {
        for (let i = 0; i < EDITS; i++) {
          const d = repo.destinations[i % repo.destinations.length]!;
          const scope = Object.entries(bench.emu.admin.snapshot().scopes).find(([k]) => k.endsWith(`/${d.sandbox}`));
          const flow = scope?.[1].flows.find((f) => parseOwnerTag(f.description as string).tag?.name === d.name);
          if (!flow) throw new Error(`no live flow for ${d.sandbox}/${d.name}`);
          const removed = liveSegments(bench.emu, d.sandbox, d.name)[0]!;
          const t0 = Date.now();
          bench.emu.admin.outOfBandEdit({
            sandbox: d.sandbox,
            collection: 'flows',
            id: flow.id,
            ops: [{ op: 'remove', path: '/transformations/0/params/segmentSelectors/selectors/0' }],
          });
          const healed = until(() => liveSegments(bench.emu, d.sandbox, d.name).includes(removed), 60_000, `${d.name} healed`).then(() => Date.now() - t0);
          const seen = await daemon.waitEvent((e) => e.event === 'drift' && e.destination === d.name, t0, 60_000);
          detect.push(seen.time - t0);
          heal.push(await healed);
          await sleep(200);
        }
      } finally {
        await daemon.stop();
      }
      const c = `interval ${INTERVAL}, N=${N}, ${EDITS} edits, ${LATENCY_MS} ms`;
      return {
        setup: `${N} destinations (drift: heal) applied in-process first; emulator in-process with ${LATENCY_MS} ms latency; \`flowsync run --dir --interval ${INTERVAL}\` as a child process; edits through the emulator's admin outOfBandEdit (UI user).`,
        rows: [
          row({ case: c, metric: 'edit to detection p50', value: percentile(detect, 50) / 1000, unit: 's' }),
          row({ case: c, metric: 'edit to detection p95', value: percentile(detect, 95) / 1000, unit: 's', note: `max ${(Math.max(...detect) / 1000).toFixed(2)} s` }),
          row({ case: c, metric: 'edit to healed p50', value: percentile(heal, 50) / 1000, unit: 's' }),
          row({ case: c, metric: 'edit to healed p95', value: percentile(heal, 95) / 1000, unit: 's', note: `max ${(Math.max(...heal) / 1000).toFixed(2)} s` }),
        ],
      };
    } finally {
      await bench.close();
      await rm(repo.dir, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
