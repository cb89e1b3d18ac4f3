// A local folder of manifests, watched with chokidar. Bursts of file events (an editor saving,
// a `git checkout`) are debounced into one 'changed' event.
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { FlowsyncError } from '../domain/errors.ts';
import { isIgnoredPath } from './ignore.ts';
import { contentRevision, gitRevision } from './revision.ts';
import type { Snapshot, Source } from './types.ts';

export interface FolderSourceOptions {
  dir: string;
  debounceMs?: number; // default 150
  cwd?: string;
}

export class FolderSource extends EventEmitter implements Source {
  readonly kind = 'folder' as const;
  readonly dir: string;
  private readonly debounceMs: number;
  private watcher: FSWatcher | null = null;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private changedPaths = new Set<string>();

  constructor(opts: FolderSourceOptions) {
    super();
    this.dir = resolve(opts.cwd ?? process.cwd(), opts.dir);
    this.debounceMs = opts.debounceMs ?? 150;
  }

  describe(): string {
    return `folder ${this.dir}`;
  }

  async sync(): Promise<Snapshot> {
    const ok = await stat(this.dir).then((s) => s.isDirectory(), () => false);
    if (!ok) throw new FlowsyncError('FS_SOURCE_MISSING', `the watched folder ${this.dir} does not exist or is not a folder`);
    const revision = (await gitRevision(this.dir)) ?? (await contentRevision(this.dir));
    return { dir: this.dir, revision };
  }

  async start(): Promise<void> {
    if (this.watcher) return;
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      ignored: (path: string) => path !== this.dir && isIgnoredPath(path.slice(this.dir.length)),
    });
    watcher.on('all', (_event, path) => this.noteChange(path));
    watcher.on('error', () => {
      // A vanished folder is reported by the next sync; the watcher keeps going when it returns.
    });
    this.watcher = watcher;
    await new Promise<void>((done) => watcher.once('ready', () => done()));
  }

  async close(): Promise<void> {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
    await this.watcher?.close();
    this.watcher = null;
  }

  private noteChange(path: string): void {
    this.changedPaths.add(path.slice(this.dir.length + 1) || '.');
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      const paths = [...this.changedPaths].sort();
      this.changedPaths.clear();
      const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` and ${paths.length - 3} more` : '');
      this.emit('changed', `changed: ${shown}`);
    }, this.debounceMs);
  }
}
