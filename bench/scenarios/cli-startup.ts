// Scenario 7: the CLI as a user meets it (the package's bin, dist/cli/flowsync.mjs), on the example
// config repo (manifests/): wall time of `flowsync --help` (the floor every command pays),
// `flowsync validate` and `flowsync plan` against the emulator with the example already applied.
// Each command runs BENCH_CLI_RUNS times (default 7); the median is the number, min and max in notes.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/registry.ts';
import { startBenchEmulator } from '../lib/emulator.ts';
import { applyDir } from '../lib/core.ts';
import { cliArgv, median, REPO_ROOT, runMeasured, sourcesArgv } from '../lib/measure.ts';
import { row, type Row } from '../lib/report.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';

const RUNS = envNumber('BENCH_CLI_RUNS', 7);
const EXAMPLE = join(REPO_ROOT, 'manifests');

/** Every `fromEnv` the example repo references, set to an obviously fake value (as `npm start` does). */
async function exampleEnv(dir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.ya?ml$/.test(e.name)) for (const m of (await readFile(p, 'utf8')).matchAll(/fromEnv:\s*([A-Za-z_][A-Za-z0-9_]*)/g)) env[m[1]!] = `fake-${m[1]!.toLowerCase()}`;
    }
  };
  await walk(dir);
  return env;
}

export const scenario: Scenario = {
  name: 'cli-startup',
  summary: '`flowsync validate` and `flowsync plan` on the example repo',
  async run() {
    const bench = await startBenchEmulator();
    try {
      const env = { ...(await exampleEnv(EXAMPLE)), ...bench.env };
      await applyDir(EXAMPLE, { ...process.env, ...env }, bench.client); // the example is live: `plan` shows the steady state
      const rows: Row[] = [];
      const c = `example repo, ${RUNS} runs`;
      const time = async (label: string, args: string[], ok: number[], target?: number, argv: (args: string[]) => string[] | Promise<string[]> = cliArgv) => {
        if (args[0] !== '--help' && !COMMANDS.some((cmd) => cmd.name === args[0])) {
          rows.push(row({ case: c, metric: label, value: null, unit: 's', note: `not measured: \`flowsync ${args[0]}\` is not registered in src/cli/registry.ts yet` }));
          return;
        }
        const walls: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const run = await runMeasured(await argv(args), { cwd: EXAMPLE, env });
          if (!ok.includes(run.code)) throw new Error(`flowsync ${args.join(' ')} exited ${run.code}: ${run.stderr.slice(-2000)}`);
          walls.push(run.wallMs / 1000);
        }
        rows.push(row({
          case: c,
          metric: `${label} (median wall)`,
          value: median(walls),
          unit: 's',
          ...(target ? { target: { op: '<', value: target } } : {}),
          note: `min ${Math.min(...walls).toFixed(2)} s, max ${Math.max(...walls).toFixed(2)} s`,
        }));
      };
      await time('flowsync --help', ['--help'], [0]);
      await time('flowsync validate', ['validate'], [0]);
      await time('flowsync plan', ['plan'], [0, 2], 1.5);
      // For comparison: the TypeScript sources through tsx, as in development (`npx tsx cmd/flowsync.ts`).
      await time('flowsync plan, sources via tsx', ['plan'], [0, 2], undefined, sourcesArgv);
      return { setup: `manifests/ (the example repo) applied in-process first; CLI runs as child processes from manifests/ with the emulator's FLOWSYNC_* env and fake secrets.`, rows };
    } finally {
      await bench.close();
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
