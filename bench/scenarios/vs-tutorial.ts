// Scenario 4: the same N destinations created (a) with the tutorial's calls one after another by
// plain HTTP, as a user scripting the tutorial or running its Postman collection would, and (b) with
// `flowsync apply --auto-approve` (the real CLI, a child process, start-up included), in the same
// run, against the emulator with 50 ms latency. Each way starts from an empty org.
import { rm } from 'node:fs/promises';
import { expectConverged, expectExit, flowsync } from '../lib/cli.ts';
import { startBenchEmulator } from '../lib/emulator.ts';
import { generateRepo } from '../lib/generate.ts';
import { measure } from '../lib/measure.ts';
import { row, type Row } from '../lib/report.ts';
import { apiSpanMs, summarize } from '../lib/requests.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';
import { runTutorialWay, type TutorialMode } from '../lib/tutorial-way.ts';

const N = envNumber('BENCH_TUTORIAL_N', 100);
const LATENCY_MS = envNumber('BENCH_TUTORIAL_LATENCY_MS', 50);
// The Postman-collection reading (all eight calls per destination) takes ~2x the scripted one; 0 skips it.
const WITH_COLLECTION = envNumber('BENCH_TUTORIAL_COLLECTION', 1) !== 0;
const TUNED = envNumber('BENCH_TUTORIAL_TUNED_CONCURRENCY', 16);

export const scenario: Scenario = {
  name: 'vs-tutorial',
  summary: "flowsync apply vs the tutorial's sequential calls",
  async run() {
    const bench = await startBenchEmulator({ faults: { latencyMs: LATENCY_MS } });
    const repo = await generateRepo({ n: N, api: bench.api });
    bench.register(repo);
    try {
      const c = `N=${N}, ${LATENCY_MS} ms`;
      const rows: Row[] = [];
      const tutorial: Record<string, { wallMs: number; requests: number }> = {};
      const modes: TutorialMode[] = WITH_COLLECTION ? ['scripted', 'collection'] : ['scripted'];
      for (const mode of modes) {
        bench.emu.admin.reset();
        bench.emu.admin.setFaults({ latencyMs: LATENCY_MS });
        const { value, sample } = await measure(() => runTutorialWay(repo, bench.tutorial, mode));
        expectConverged(bench.emu, repo, `tutorial way (${mode})`);
        const logged = summarize(bench.emu.admin.requests()).total;
        if (logged !== value.requests) throw new Error(`tutorial way (${mode}): sent ${value.requests} requests, emulator logged ${logged}`);
        tutorial[mode] = { wallMs: sample.wallMs, requests: value.requests };
        rows.push(row({ case: c, metric: `tutorial way (${mode}) wall`, value: sample.wallMs / 1000, unit: 's' }));
        rows.push(row({ case: c, metric: `tutorial way (${mode}) requests`, value: value.requests, unit: 'req' }));
      }

      // flowsync with its defaults (the comparison), then with more actions in flight (headroom).
      const runs: { label: string; args: string[] }[] = [
        { label: 'flowsync apply', args: ['apply', '--auto-approve'] },
        { label: `flowsync apply --concurrency ${TUNED}`, args: ['apply', '--auto-approve', '--concurrency', String(TUNED)] },
      ];
      for (const [i, r] of runs.entries()) {
        bench.emu.admin.reset();
        bench.emu.admin.setFaults({ latencyMs: LATENCY_MS });
        const apply = expectExit(await flowsync(r.args, repo, bench), r.label);
        expectConverged(bench.emu, repo, r.label);
        const log = bench.emu.admin.requests();
        const req = summarize(log);
        const target = i === 0 ? { speed: { op: '>=', value: 5 } as const, req: { op: '<=', value: 1 } as const } : undefined;
        rows.push(row({ case: c, metric: `${r.label}: wall (CLI, start-up included)`, value: apply.wallMs / 1000, unit: 's' }));
        rows.push(row({ case: c, metric: `${r.label}: API span (first request to last answer)`, value: apiSpanMs(log) / 1000, unit: 's', note: 'the wall without CLI start-up and loading' }));
        rows.push(row({ case: c, metric: `${r.label}: requests`, value: req.total, unit: 'req', note: `${req.reads} reads, ${req.writes} writes, ${req.ims} IMS` }));
        for (const [mode, base] of Object.entries(tutorial)) {
          rows.push(row({ case: c, metric: `${r.label}: speed-up vs tutorial (${mode})`, value: base.wallMs / apply.wallMs, unit: 'x', ...(target ? { target: target.speed } : {}) }));
          rows.push(row({ case: c, metric: `${r.label}: requests / tutorial (${mode})`, value: req.total / base.requests, unit: '', ...(target ? { target: target.req } : {}) }));
        }
      }
      return {
        setup: `${N} generated destinations over ${repo.sandboxes.length} sandboxes, emulator in-process with ${LATENCY_MS} ms latency, emptied before each way; tutorial by fetch, flowsync by its CLI.`,
        rows,
      };
    } finally {
      await bench.close();
      await rm(repo.dir, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
