// Scenario 9: the npm package as users install it. Packs the repository (prepack builds the
// bundle), installs the tarball into an empty folder, and times `flowsync --help` from the
// installed copy, run in another folder (the floor every command pays). BENCH_INSTALL_RUNS runs
// (default 5); the median is the number. Also the size of the tarball and of the install.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, runMeasured } from '../lib/measure.ts';
import { packAndInstall, userEnv } from '../lib/package.ts';
import { row } from '../lib/report.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';

const RUNS = envNumber('BENCH_INSTALL_RUNS', 5);

export const scenario: Scenario = {
  name: 'installed-startup',
  summary: '9. npm package: `flowsync --help` from an installed copy in another folder, install size',
  async run() {
    const installed = await packAndInstall();
    const elsewhere = await mkdtemp(join(tmpdir(), 'flowsync-elsewhere-'));
    try {
      const walls: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await runMeasured([installed.bin, '--help'], { cwd: elsewhere, env: userEnv() as Record<string, string> });
        if (r.code !== 0) throw new Error(`installed flowsync --help exited ${r.code}: ${r.stderr.slice(-2000)}`);
        walls.push(r.wallMs / 1000);
      }
      const du = await promisify(execFile)('du', ['-sk', join(installed.prefix, 'app', 'node_modules')]);
      const installedMb = Number(du.stdout.split('\t')[0]) / 1024;
      const c = `installed from the tarball, run from another folder`;
      return {
        setup: `npm pack of the repository (prepack builds dist/cli/flowsync.mjs), npm install --offline of the tarball into an empty temp folder, ${RUNS} runs of node_modules/.bin/flowsync --help from a third folder.`,
        rows: [
          row({ case: c, metric: `flowsync --help (median wall of ${RUNS})`, value: median(walls), unit: 's', target: { op: '<', value: 0.5 }, note: `min ${Math.min(...walls).toFixed(2)} s, max ${Math.max(...walls).toFixed(2)} s` }),
          row({ case: c, metric: 'tarball size', value: installed.pack.size / 1e6, unit: 'MB', note: `${installed.pack.files.length} files` }),
          row({ case: c, metric: 'installed size (node_modules)', value: installedMb, unit: 'MB', note: 'no dependencies: the bundle holds them' }),
        ],
      };
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
      await rm(installed.prefix, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
