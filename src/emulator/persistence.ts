// State file: the whole store as JSON, written to a temp file in the same folder and renamed over the
// old one (rename is atomic, so a kill at any moment leaves the old or the new file, never half of one).
// Writes are debounced; flush() writes synchronously so close never loses an acknowledged write.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PersistedStore } from './store.ts';

export function loadState(file: string): PersistedStore | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const data = JSON.parse(text) as PersistedStore;
  if (data.version !== 1 || typeof data.scopes !== 'object' || typeof data.tokenKey !== 'string') {
    throw new Error(`emulator state file ${file} is not a flowsync emulator state (version 1)`);
  }
  return data;
}

/** Writes `text` to `file` atomically: temp file in the same folder, fsync, rename. */
export function writeAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
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
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
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
      writeAtomic(this.file, JSON.stringify(this.serialize()));
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err as Error;
      this.dirty = true;
    }
  }
}
