// .flowsync/demo.json: the URLs `npm start` really serves (after falling back to free ports), so
// `npm run demo` reaches the same emulator. FLOWSYNC_DEMO_FILE moves it (tests run several at once).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface DemoState {
  /** The emulator's base URL (Flow Service under /data/foundation/flowservice). */
  emulator: string;
  ims: string;
  /** The daemon's HTTP server: /status, /metrics, /healthz, /readyz (absent with FLOWSYNC_LISTEN=off). */
  status?: string;
  pid: number;
  startedAt: string;
}

export function demoFile(root: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(root, env.FLOWSYNC_DEMO_FILE ?? path.join('.flowsync', 'demo.json'));
}

export async function writeDemoState(file: string, state: DemoState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export async function readDemoState(file: string): Promise<DemoState | undefined> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<DemoState>;
    return typeof data.emulator === 'string' && typeof data.ims === 'string' ? (data as DemoState) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the file if it is still this process's (a newer `npm start` may have replaced it). */
export async function removeDemoState(file: string, pid: number): Promise<void> {
  if ((await readDemoState(file))?.pid === pid) await rm(file, { force: true });
}
