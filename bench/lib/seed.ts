// Seeding the emulator with a generated repo's destinations, created by flowsync itself (in-process
// load + plan + apply, no latency, 16 requests in flight), so the live entities carry real ownership
// tags and a plan against them is a no-op. A 10,000-destination seed takes ~30,000 writes, so the
// emulator's state file is kept in bench/.cache/ and reused while the generator input is the same;
// a scenario that finds the cached state no longer converged (the planner changed) calls `reseed`.
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyDir } from './core.ts';
import { startBenchEmulator, type BenchEmulator } from './emulator.ts';
import type { GeneratedRepo } from './generate.ts';
import type { FaultsInput } from '../../src/emulator/types.ts';

const CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));
const SEED_CONCURRENCY = 16;

export interface Seeded {
  bench: BenchEmulator;
  /** How the state got there: 'cache' (state file reused) or 'apply' (seeded now, with its wall time). */
  how: string;
  stateFile: string;
  reseed(): Promise<void>;
  close(): Promise<void>;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

// Seeding takes over entities of another manager (a cache written by an older flowsync or another
// manager name): the bench's state is its own.
const applyRepo = (repo: GeneratedRepo, bench: BenchEmulator): Promise<number> =>
  applyDir(repo.dir, { ...process.env, ...repo.env }, bench.client, SEED_CONCURRENCY, {}, true);

/**
 * An emulator holding `repo` applied. `key` names the cache entry (same key, same generated repo);
 * `faults` are set after seeding (seeding itself runs without latency).
 */
export async function seededEmulator(repo: GeneratedRepo, key: string, faults: FaultsInput = {}): Promise<Seeded> {
  await mkdir(CACHE_DIR, { recursive: true });
  const cached = join(CACHE_DIR, `${key}.json`);
  const work = await mkdtemp(join(tmpdir(), 'flowsync-bench-state-'));
  const stateFile = join(work, 'state.json');
  let how: string;
  let bench: BenchEmulator;
  const saveCache = async () => {
    await bench.close(); // flushes the state file
    await copyFile(stateFile, cached);
    bench = await startBenchEmulator({ stateFile });
    bench.register(repo);
  };
  if (await exists(cached)) {
    await copyFile(cached, stateFile);
    bench = await startBenchEmulator({ stateFile });
    bench.register(repo);
    how = `state reused from bench/.cache/${key}.json (seeded earlier by flowsync's own load+plan+apply)`;
  } else {
    bench = await startBenchEmulator({ stateFile });
    bench.register(repo);
    const t0 = Date.now();
    const actions = await applyRepo(repo, bench);
    await saveCache();
    how = `seeded by flowsync's own load+plan+apply in-process (${actions} actions, ${SEED_CONCURRENCY} in flight, no latency, ${((Date.now() - t0) / 1000).toFixed(1)} s), cached in bench/.cache/${key}.json`;
  }
  bench.emu.admin.setFaults(faults);
  bench.emu.admin.resetRequests();
  const seeded: Seeded = {
    get bench() {
      return bench;
    },
    get how() {
      return how;
    },
    stateFile,
    async reseed() {
      bench.emu.admin.setFaults({ latencyMs: 0, rateLimit: 0 });
      const actions = await applyRepo(repo, bench);
      await saveCache();
      how += `; the cached state was stale, re-converged with ${actions} actions`;
      bench.emu.admin.setFaults(faults);
      bench.emu.admin.resetRequests();
    },
    async close() {
      await bench.close();
      await rm(work, { recursive: true, force: true });
    },
  };
  return seeded;
}
