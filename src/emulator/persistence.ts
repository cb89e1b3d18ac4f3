// State file: the whole store as JSON, written to a temp file in the same folder and renamed over the
// old one (rename is atomic, so a kill at any moment leaves the old or the new file, never half of one).
// Writes are debounced; flush() writes synchronously so close never loses an acknowledged write.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';
import type { PersistedStore } from './store.ts';

const tmpPrefix = (file: string) => `.${basename(file)}.`;

/** Removes temp files a killed emulator left next to the state file (the state file itself is intact). */
function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(tmpPrefix(file)) && name.endsWith('.tmp')) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        /* another process may have renamed it already */
      }
    }
  }
}

/** A state-file failure: names the file and what went wrong (a coded error, never FS_INTERNAL). */
export function stateError(file: string, what: string, cause?: unknown): FlowsyncError {
  const reason = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
  return new FlowsyncError('FS_EMULATOR_STATE', `emulator state file ${file}: ${what}${reason}`, cause === undefined ? {} : { cause });
}

/** Reads the state file (undefined when there is none yet), creating its folder for the first write. */
export function loadState(file: string): PersistedStore | undefined {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw stateError(file, 'cannot create its folder', err);
  }
  removeStaleTemps(file);
  if (!existsSync(file)) return undefined;
  let data: PersistedStore;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as PersistedStore;
  } catch (err) {
    throw stateError(file, 'cannot be read as JSON', err);
  }
  if (data === null || data.version !== 1 || typeof data.scopes !== 'object' || typeof data.tokenKey !== 'string') {
    throw stateError(file, 'is not a flowsync emulator state (version 1)');
  }
  return data;
}

/** Writes `text` to `file` atomically: temp file in the same folder, fsync, rename. */
export function writeAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `${tmpPrefix(file)}${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
}

export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastWriteMs = 0;
  lastError: Error | undefined;

  constructor(
    private readonly file: string,
    private readonly serialize: () => PersistedStore,
    private readonly debounceMs: number,
  ) {}

  /** Marks the store changed; a write follows within debounceMs. */
  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    // a big store takes a while to write: wait at least twice as long as the last write took
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, Math.max(this.debounceMs, 2 * this.lastWriteMs));
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    try {
      const started = performance.now();
      writeAtomic(this.file, JSON.stringify(this.serialize()));
      this.lastWriteMs = performance.now() - started;
      this.lastError = undefined;
    } catch (err) {
      if (!this.lastError) process.emitWarning(`flowsync emulator: cannot write state file ${this.file}: ${(err as Error).message}`);
      this.lastError = err as Error;
      this.dirty = true;
    }
  }
}
