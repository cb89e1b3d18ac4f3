// The npm package as users get it: `npm pack` in the repository (npm's prepack builds the bundle),
// then `npm install TARBALL` into an empty folder. The package has no dependencies, so the install
// runs --offline. Used by the package test and the installed-startup benchmark.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './measure.ts';

const run = promisify(execFile);

export interface PackResult {
  filename: string;
  size: number; // bytes of the tarball
  unpackedSize: number;
  files: { path: string }[];
}

export interface Installed {
  pack: PackResult;
  tarball: string;
  /** The folder it is installed in (remove it when done). */
  prefix: string;
  /** node_modules/.bin/flowsync of the installed copy. */
  bin: string;
}

/**
 * An environment as on a machine that only has the package installed: no tsx loader
 * (NODE_OPTIONS) and no npm lifecycle variables of the repo; this Node first on PATH.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter), HOME: process.env.HOME, NO_COLOR: '1', ...extra };
}

/** Packs the repository and installs the tarball into a new temp folder. */
export async function packAndInstall(): Promise<Installed> {
  const prefix = await mkdtemp(join(tmpdir(), 'flowsync-install-'));
  const out = await mkdtemp(join(prefix, 'pack-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: REPO_ROOT, maxBuffer: 16 << 20, timeout: 180_000 });
  const [pack] = JSON.parse(packed.stdout) as PackResult[];
  if (!pack) throw new Error(`npm pack printed no result: ${packed.stdout.slice(0, 500)}`);
  const tarball = join(out, pack.filename);
  const installDir = join(prefix, 'app');
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--prefix', installDir, tarball], { cwd: prefix, env: userEnv(), timeout: 180_000 });
  return { pack, tarball, prefix, bin: join(installDir, 'node_modules', '.bin', 'flowsync') };
}
