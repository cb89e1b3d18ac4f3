// Parsed and classified manifest files by content, for a process that loads the same repo again
// and again (the daemon, every cycle): a file whose bytes did not change is neither parsed nor
// validated again. The key is everything parsing and classifying depend on: the file's path, the
// sha256 of its text and the config's default sandbox. Files with errors are not kept (a secret
// written in plain text is one), and entries the latest load did not use are dropped, so the cache
// never holds more than two loads' files.
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../domain/diagnostics.ts';
import type { BrokenManifest, Manifest } from './documents.ts';

export interface ParsedFile {
  manifests: readonly Manifest[];
  broken: readonly BrokenManifest[];
  diagnostics: readonly Diagnostic[];
}

export class ParseCache {
  private current = new Map<string, ParsedFile>();
  private previous = new Map<string, ParsedFile>();
  /** Files served from the cache and files parsed, since the cache was made (for tests and benchmarks). */
  readonly counts = { hits: 0, misses: 0 };

  static key(file: string, text: string, defaultSandbox: string): string {
    return `${createHash('sha256').update(text).digest('base64')} ${defaultSandbox} ${file}`;
  }

  get(key: string): ParsedFile | undefined {
    const hit = this.current.get(key) ?? this.previous.get(key);
    if (hit) this.current.set(key, hit);
    if (hit) this.counts.hits++;
    else this.counts.misses++;
    return hit;
  }

  set(key: string, parsed: ParsedFile): void {
    if (parsed.diagnostics.some((d) => d.severity === 'error')) return;
    this.current.set(key, parsed);
  }

  /** The end of one load: what it did not use goes. */
  sweep(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get size(): number {
    return new Set([...this.current.keys(), ...this.previous.keys()]).size;
  }
}
