// The manifest loader's public face: a config repo folder -> config, desired state, secrets and
// every diagnostic of the run. User mistakes never throw; callers refuse to plan when
// hasErrors(diagnostics).
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { defaultManager } from './manager.ts';
import { intern } from '../domain/intern.ts';
import { sortDiagnostics, type Diagnostic } from '../domain/diagnostics.ts';
import type { DesiredAccount, DesiredDestination, DesiredState, SourcePos } from '../domain/model.ts';
import { buildAccount, buildDestination, byEntityKey } from './build.ts';
import { checkAccountRefs, checkDescription, checkDestinationsPerSandbox, checkSegmentsAndAttributes, checkTarget, checkUniqueNames } from './checks.ts';
import { CONFIG_FILE, loadConfig, type FlowsyncConfig } from './config.ts';
import { diag } from './diag.ts';
import { emptyFileDiagnostic, emptySetDiagnostic } from './empty.ts';
import { classify, type AccountManifest, type BrokenManifest, type DestinationManifest, type Manifest } from './documents.ts';
import { isInside, listManifestFiles, readText, rereadText } from './files.ts';
import { LIMITS } from './limits.ts';
import { Secrets } from './secrets.ts';
import { ParseCache, type ParsedFile } from './parse-cache.ts';
import { MANIFEST_PARSE_CODES, parseYamlFile } from './yaml-docs.ts';
import type { Reread } from './fast-yaml.ts';

export { CONFIG_FILE, defaultConfig, loadConfig, parseDuration, type FlowsyncConfig } from './config.ts';
export { describeRef, isSecretRef, resolveSecretRef, Secrets, type SecretRef } from './secrets.ts';
export { GUARDRAILS, LIMITS } from './limits.ts';
export { ParseCache } from './parse-cache.ts';

export interface LoadedRepo {
  root: string;
  config: FlowsyncConfig;
  /** Who manages this config's entities: `manager:` in flowsync.yaml, else derived (src/manifest/manager.ts). */
  manager: string;
  desired: DesiredState;
  secrets: Secrets;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Default true. false: secret values are not read; unresolvable references are warnings. */
  resolveSecrets?: boolean;
  /**
   * An empty manifest set is valid whatever reconcile.allowEmpty says: for readers that write
   * nothing from it on their own (import fills an empty repo).
   */
  allowEmpty?: boolean;
  /** Kept by a process that loads the repo again and again (the daemon): unchanged files are not parsed again. */
  parseCache?: ParseCache;
  /**
   * The files are deleted once loaded (plan --base's copy of a git revision): positions found later
   * come from texts the model keeps, instead of from the files read again.
   */
  transientFiles?: boolean;
}

const emptyState = (config: FlowsyncConfig): DesiredState => ({ accounts: [], destinations: [], sandboxes: [config.sandbox] });

/**
 * Starts reading items a few ahead of the one being processed (file I/O overlaps parsing), while
 * results are still consumed in order.
 */
function readAhead<T, R>(items: readonly T[], read: (item: T) => Promise<R>, window = 16): (index: number) => Promise<R> {
  const started = new Map<number, Promise<R>>();
  const start = (i: number) => {
    if (i < items.length && !started.has(i)) started.set(i, read(items[i]!));
  };
  return (index: number) => {
    for (let i = index; i < index + window; i++) start(i);
    const p = started.get(index)!;
    started.delete(index);
    return p;
  };
}

/** Reads every manifest file under the configured folders and classifies its documents. */
async function readManifests(root: string, config: FlowsyncConfig, cache: ParseCache | undefined, transientFiles: boolean): Promise<{ manifests: Manifest[]; broken: BrokenManifest[]; diagnostics: Diagnostic[]; files: number }> {
  const diagnostics: Diagnostic[] = [];
  const rootReal = await realpath(root);
  const folders: string[] = [];
  for (const folder of config.manifests) {
    const abs = path.resolve(root, folder);
    // loadConfig reports bad folders; skip them here.
    if (!isInside(root, abs)) continue;
    const real = await realpath(abs).catch(() => undefined);
    if (real && isInside(rootReal, real) && (await stat(real).catch(() => undefined))?.isDirectory()) folders.push(abs);
  }
  const listed = await listManifestFiles(root, rootReal, folders, CONFIG_FILE);
  diagnostics.push(...listed.diagnostics);
  const manifests: Manifest[] = [];
  const broken: BrokenManifest[] = [];
  let totalBytes = 0;
  const reads = readAhead(listed.files, (file) => readText(file.abs, file.rel, LIMITS.fileBytes, { read: 'FS_MANIFEST_READ', tooLarge: 'FS_MANIFEST_TOO_LARGE', encoding: 'FS_MANIFEST_ENCODING' }));
  for (const [i, file] of listed.files.entries()) {
    const read = await reads(i);
    if ('diagnostic' in read) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    totalBytes += read.bytes;
    if (totalBytes > LIMITS.totalBytes) {
      diagnostics.push(diag('error', 'FS_MANIFEST_TOO_LARGE', `manifests add up to more than ${LIMITS.totalBytes} bytes; stopped reading at ${file.rel}`, 'Narrow `manifests` in flowsync.yaml to the folders that hold manifests.', { file: file.rel }));
      break;
    }
    const blank = emptyFileDiagnostic(file.rel, read.text);
    if (blank) {
      diagnostics.push(blank);
      continue;
    }
    const key = cache ? ParseCache.key(file.rel, read.text, config.sandbox) : '';
    let parsed = cache?.get(key);
    if (!parsed) {
      // Positions a diagnostic asks for later are found in the file read again: the model does not
      // hold on to the texts (14.5 MB at 10,000 destinations, ~15 MB of peak RSS while live state is read).
      parsed = parseFile(file.rel, read.text, config.sandbox, transientFiles ? undefined : () => rereadText(file.abs, LIMITS.fileBytes));
      cache?.set(key, parsed);
    }
    diagnostics.push(...parsed.diagnostics);
    manifests.push(...parsed.manifests);
    broken.push(...parsed.broken);
  }
  cache?.sweep();
  return { manifests, broken, diagnostics, files: listed.files.length };
}

/** One file's documents, parsed and classified: a pure function of its path, text and the default sandbox. */
function parseFile(file: string, text: string, defaultSandbox: string, reread: Reread | undefined): ParsedFile {
  const parsed = parseYamlFile(file, text, MANIFEST_PARSE_CODES, reread);
  const out = { manifests: [] as Manifest[], broken: [] as BrokenManifest[], diagnostics: [...parsed.diagnostics] };
  for (const doc of parsed.docs) {
    const res = classify(doc, defaultSandbox);
    out.diagnostics.push(...res.diagnostics);
    out.manifests.push(...res.manifests);
    out.broken.push(...res.broken);
  }
  return out;
}

/** The first place that names each sandbox (see DesiredState.sandboxSources). */
function whereSandboxesAreNamed(defaultSandbox: string, configAt: SourcePos | undefined, manifests: readonly Manifest[]): Record<string, SourcePos> {
  const out: Record<string, SourcePos> = {};
  if (configAt) out[defaultSandbox] = configAt;
  for (const m of manifests) {
    if (out[m.sandbox]) continue;
    const meta = m.doc.value && typeof m.doc.value === 'object' ? (m.doc.value as { metadata?: { sandbox?: unknown } }).metadata : undefined;
    if (typeof meta?.sandbox === 'string') out[intern(m.sandbox)] = positionWhenRead(m.doc, ['metadata', 'sandbox']);
  }
  return out;
}

/**
 * A field's position, found when line or column is first read: only a diagnostic about the sandbox
 * reads it, and finding it parses the document again with the slow YAML parser (100 sandboxes: 55 ms
 * of every load). Plain own properties (getters), so it compares and serializes like { file, line, column }.
 */
function positionWhenRead(doc: Manifest['doc'], path: readonly string[]): SourcePos {
  let pos: { line: number; column: number } | undefined;
  const find = () => (pos ??= doc.locate(path));
  return {
    file: doc.file,
    get line() {
      return find().line;
    },
    get column() {
      return find().column;
    },
  };
}

export async function loadRepo(root: string, opts: LoadOptions = {}): Promise<LoadedRepo> {
  const env = opts.env ?? process.env;
  const resolveSecrets = opts.resolveSecrets ?? true;
  const rootAbs = path.resolve(root);
  const { config, diagnostics, sandboxAt } = await loadConfig(rootAbs);
  if (diagnostics.some((d) => d.code === 'FS_CONFIG_NOT_FOUND')) {
    return { root: rootAbs, config, manager: config.manager || defaultManager(rootAbs), desired: emptyState(config), secrets: new Secrets(), diagnostics };
  }
  const read = await readManifests(rootAbs, config, opts.parseCache, opts.transientFiles === true);
  diagnostics.push(...read.diagnostics);
  // Only when nothing else went wrong: a file that did not parse is not "empty", and blank files already say why.
  const readErrors = diagnostics.some((d) => d.severity === 'error' && d.code !== 'FS_MANIFEST_EMPTY_FILE');
  const emptySet = readErrors ? undefined : emptySetDiagnostic(config, read.manifests.length + read.broken.length, opts.allowEmpty === true || config.reconcile.allowEmpty);
  if (emptySet) diagnostics.push(emptySet);
  else if (read.files === 0 && !read.diagnostics.length) {
    diagnostics.push(diag('warning', 'FS_MANIFEST_NONE', `no manifest files (.yaml/.yml) found under ${config.manifests.join(', ')}`, 'Add manifests, or point `manifests` in flowsync.yaml at the folders that hold them.', config.file ? { file: config.file } : {}));
  }

  // Every check reports against one manifest; a manifest with an error stays out of the model.
  const bad = new Set<Manifest>();
  const report = (m: Manifest | undefined, diags: Diagnostic[]) => {
    diagnostics.push(...diags);
    if (m && diags.some((d) => d.severity === 'error')) bad.add(m);
  };
  const names = checkUniqueNames(read.manifests);
  diagnostics.push(...names.diagnostics);
  for (const m of read.manifests) {
    if (names.duplicates.has(m)) bad.add(m);
    report(m, checkDescription(m));
  }
  const accounts = read.manifests.filter((m): m is AccountManifest => m.kind === 'DestinationAccount');
  const destinations = read.manifests.filter((m): m is DestinationManifest => m.kind === 'StreamingDestination');
  const refs = checkAccountRefs(destinations, accounts, read.broken);
  diagnostics.push(...refs.diagnostics);
  for (const d of destinations) {
    const account = refs.resolved.get(d);
    if (!account) bad.add(d);
    else report(d, checkTarget(d, account));
    report(d, checkSegmentsAndAttributes(d));
  }
  diagnostics.push(...checkDestinationsPerSandbox([...destinations].sort(byEntityKey)));

  const desiredAccounts: DesiredAccount[] = [];
  const secretEntries: { sandbox: string; account: string; values: Record<string, string> }[] = [];
  for (const a of accounts) {
    if (bad.has(a)) continue;
    const { built, diagnostics: authDiags } = await buildAccount(a, { root: rootAbs, env }, resolveSecrets);
    diagnostics.push(...authDiags);
    desiredAccounts.push(built.account);
    if (built.secretValues) secretEntries.push({ sandbox: built.account.sandbox, account: built.account.name, values: built.secretValues });
  }
  const desiredDestinations: DesiredDestination[] = [];
  for (const d of destinations) {
    const account = refs.resolved.get(d);
    // A destination whose account is left out (its own errors say why) is left out with it.
    if (account && !bad.has(d) && !bad.has(account)) desiredDestinations.push(buildDestination(d, account));
  }
  const sandboxes = new Set([config.sandbox, ...read.manifests.map((m) => intern(m.sandbox))]);
  const sandboxSources = whereSandboxesAreNamed(config.sandbox, sandboxAt, read.manifests);
  const desired: DesiredState = {
    accounts: desiredAccounts.sort(byEntityKey),
    destinations: desiredDestinations.sort(byEntityKey),
    sandboxes: [...sandboxes].sort(),
    ...(Object.keys(sandboxSources).length ? { sandboxSources } : {}),
  };
  return { root: rootAbs, config, manager: config.manager || defaultManager(rootAbs), desired, secrets: new Secrets(secretEntries), diagnostics: sortDiagnostics(diagnostics) };
}
