// flowsync.yaml: optional, one document, schema-checked; every field has a default. Secret refs
// stay unresolved here (resolveSecretRef resolves them when a command needs them).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { hasErrors, type Diagnostic } from '../domain/diagnostics.ts';
import type { SourcePos } from '../domain/model.ts';
import { diag, formatPath } from './diag.ts';
import { isInside, readText } from './files.ts';
import { LIMITS } from './limits.ts';
import { schemaDiagnostics } from './schema-diagnostics.ts';
import { schemaErrors } from './schemas.ts';
import { isSecretRef, tryResolveRef, type SecretRef } from './secrets.ts';
import type { ParsedDoc } from './types.ts';
import { parseYamlFile } from './yaml-docs.ts';

export const CONFIG_FILE = 'flowsync.yaml';

export interface FlowsyncConfig {
  apiVersion: 'flowsync/v1';
  kind: 'Config';
  /** 'flowsync.yaml' when the file was read; undefined when every default applies. */
  file: string | undefined;
  /** Manifest folders relative to the root, '/' separated; '.' is the root. */
  manifests: string[];
  sandbox: string;
  /** IMS org id (…@AdobeOrg); '' when not set. */
  org: string;
  /**
   * Who manages the entities this config describes (written into every ownership tag, `m=`).
   * '' when flowsync.yaml leaves it out: the default is derived from the config repo's git remote
   * and sub-folder (see src/manifest/manager.ts), so CI and the daemon agree.
   */
  manager: string;
  api: {
    endpoint: string;
    imsEndpoint: string;
    clientId: string; // '' when not set
    clientSecret?: SecretRef;
    accessToken?: SecretRef;
    scope: string;
    /** The org's request quota, when known: the client never sends faster (0 = learn it from 429s). */
    requestsPerSecond: number;
    /** Client timeout of one request. */
    timeout: string;
    timeoutMs: number;
    /** How long a create whose answer was lost may still commit; lookups continue that long (>= timeout). */
    lateCommitWindow: string;
    lateCommitWindowMs: number;
    /** How long requests wait out an API outage (the circuit breaker's probe) before failing; 0s: at once. */
    outageWait: string;
    outageWaitMs: number;
    /** How long the open circuit breaker stops calling before it lets one probe through. */
    breakerCooldown: string;
    breakerCooldownMs: number;
    /** How long a write to a dataflow waits for the flow to settle (updating, enabling, disabling…). */
    settleTimeout: string;
    settleTimeoutMs: number;
  };
  /** The writer lease every writing run takes per (org, sandbox); see docs/concepts/several-writers.md. */
  lease: {
    duration: string;
    durationMs: number;
    /** How far two writers' clocks may disagree; an expired lease is taken only after duration + skew. */
    clockSkew: string;
    clockSkewMs: number;
  };
  reconcile: {
    prune: boolean;
    maxDeleteRatio: number;
    concurrency: number;
    /** An empty manifest set is refused (never "delete everything") unless this is true. */
    allowEmpty: boolean;
    /** Deletions (prune, orphans) allowed per rolling window, as a share of the owned entities. */
    deleteBudget: { share: number; window: string; windowMs: number };
    /** Look through the org's other sandboxes for entities of this manager (orphans). */
    scanSandboxes: boolean;
  };
  daemon: {
    suspend: boolean;
    interval: string;
    intervalMs: number;
    /**
     * How often an interval cycle reads every live entity in full; between those it reads only what
     * changed (src/reconcile/steady.ts). 0s: every cycle reads in full.
     */
    resync: string;
    resyncMs: number;
    notify: { webhookUrl?: SecretRef };
  };
}

export const MIN_DAEMON_INTERVAL_MS = 10_000;

export function defaultConfig(): FlowsyncConfig {
  return {
    apiVersion: 'flowsync/v1',
    kind: 'Config',
    file: undefined,
    manifests: ['.'],
    sandbox: 'prod',
    org: '',
    manager: '',
    api: {
      endpoint: 'https://platform.adobe.io',
      imsEndpoint: 'https://ims-na1.adobelogin.com/ims/token/v3',
      clientId: '',
      scope: 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext',
      requestsPerSecond: 0,
      timeout: '30s',
      timeoutMs: 30_000,
      lateCommitWindow: '60s',
      lateCommitWindowMs: 60_000,
      outageWait: '60s',
      outageWaitMs: 60_000,
      breakerCooldown: '10s',
      breakerCooldownMs: 10_000,
      settleTimeout: '60s',
      settleTimeoutMs: 60_000,
    },
    lease: { duration: '60s', durationMs: 60_000, clockSkew: '5s', clockSkewMs: 5_000 },
    reconcile: {
      prune: false,
      maxDeleteRatio: 0.5,
      concurrency: 16,
      allowEmpty: false,
      deleteBudget: { share: 0.5, window: '24h', windowMs: 86_400_000 },
      scanSandboxes: true,
    },
    daemon: { suspend: false, interval: '5m', intervalMs: 300_000, resync: '30m', resyncMs: 1_800_000, notify: {} },
  };
}

/** '1h30m' -> 5400000; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!/^(?:[0-9]{1,6}(?:ms|s|m|h))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const pick = <T>(v: unknown, fallback: T, ok: (x: unknown) => boolean): T => (v !== undefined && ok(v) ? (v as T) : fallback);
const isStr = (x: unknown) => typeof x === 'string' && x !== '';
const isBool = (x: unknown) => typeof x === 'boolean';

/** Defaults overlaid with every raw field of the right type (best effort when the file has errors). */
function merge(raw: Raw): FlowsyncConfig {
  const d = defaultConfig();
  const api = obj(raw.api);
  const rec = obj(raw.reconcile);
  const lease = obj(raw.lease);
  const budget = obj(rec.deleteBudget);
  const isDuration = (x: unknown) => typeof x === 'string' && parseDuration(x) !== undefined;
  const timeout = pick(api.timeout, d.api.timeout, isDuration);
  const lateCommitWindow = pick(api.lateCommitWindow, d.api.lateCommitWindow, isDuration);
  const outageWait = pick(api.outageWait, d.api.outageWait, isDuration);
  const breakerCooldown = pick(api.breakerCooldown, d.api.breakerCooldown, isDuration);
  const settleTimeout = pick(api.settleTimeout, d.api.settleTimeout, isDuration);
  const leaseDuration = pick(lease.duration, d.lease.duration, isDuration);
  const clockSkew = pick(lease.clockSkew, d.lease.clockSkew, isDuration);
  const budgetWindow = pick(budget.window, d.reconcile.deleteBudget.window, isDuration);
  const dae = obj(raw.daemon);
  const notify = obj(dae.notify);
  const manifests = Array.isArray(raw.manifests) && raw.manifests.length && raw.manifests.every(isStr) ? (raw.manifests as string[]) : d.manifests;
  const interval = pick(dae.interval, d.daemon.interval, (x) => typeof x === 'string' && parseDuration(x) !== undefined);
  const resync = pick(dae.resync, d.daemon.resync, (x) => typeof x === 'string' && parseDuration(x) !== undefined);
  const config: FlowsyncConfig = {
    ...d,
    file: CONFIG_FILE,
    manifests: [...new Set(manifests.map((m) => path.posix.normalize(m.replace(/\\/g, '/')).replace(/\/$/, '') || '.'))],
    sandbox: pick(raw.sandbox, d.sandbox, isStr),
    org: pick(raw.org, d.org, isStr),
    manager: pick(raw.manager, d.manager, isStr),
    api: {
      endpoint: pick(api.endpoint, d.api.endpoint, isStr).replace(/\/+$/, ''),
      imsEndpoint: pick(api.imsEndpoint, d.api.imsEndpoint, isStr),
      clientId: pick(api.clientId, d.api.clientId, isStr),
      scope: pick(api.scope, d.api.scope, isStr),
      requestsPerSecond: pick(api.requestsPerSecond, d.api.requestsPerSecond, (x) => typeof x === 'number' && x >= 0 && x <= 10_000),
      timeout,
      timeoutMs: parseDuration(timeout)!,
      lateCommitWindow,
      lateCommitWindowMs: parseDuration(lateCommitWindow)!,
      outageWait,
      outageWaitMs: parseDuration(outageWait)!,
      breakerCooldown,
      breakerCooldownMs: parseDuration(breakerCooldown)!,
      settleTimeout,
      settleTimeoutMs: parseDuration(settleTimeout)!,
    },
    lease: { duration: leaseDuration, durationMs: parseDuration(leaseDuration)!, clockSkew, clockSkewMs: parseDuration(clockSkew)! },
    reconcile: {
      prune: pick(rec.prune, d.reconcile.prune, isBool),
      maxDeleteRatio: pick(rec.maxDeleteRatio, d.reconcile.maxDeleteRatio, (x) => typeof x === 'number' && x >= 0 && x <= 1),
      concurrency: pick(rec.concurrency, d.reconcile.concurrency, (x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 32),
      allowEmpty: pick(rec.allowEmpty, d.reconcile.allowEmpty, isBool),
      deleteBudget: {
        share: pick(budget.share, d.reconcile.deleteBudget.share, (x) => typeof x === 'number' && x >= 0 && x <= 1),
        window: budgetWindow,
        windowMs: parseDuration(budgetWindow)!,
      },
      scanSandboxes: pick(rec.scanSandboxes, d.reconcile.scanSandboxes, isBool),
    },
    daemon: {
      suspend: pick(dae.suspend, d.daemon.suspend, isBool),
      interval,
      intervalMs: parseDuration(interval) ?? d.daemon.intervalMs,
      resync,
      resyncMs: parseDuration(resync) ?? d.daemon.resyncMs,
      notify: {},
    },
  };
  if (isSecretRef(api.clientSecret)) config.api.clientSecret = api.clientSecret;
  if (isSecretRef(api.accessToken)) config.api.accessToken = api.accessToken;
  if (isSecretRef(notify.webhookUrl)) config.daemon.notify.webhookUrl = notify.webhookUrl;
  return config;
}

async function checkValues(doc: ParsedDoc, config: FlowsyncConfig, root: string): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const at = (p: (string | number)[]) => ({ file: CONFIG_FILE, ...doc.locate(p), path: formatPath(p) });
  const raw = obj(doc.value);
  if (config.daemon.intervalMs < MIN_DAEMON_INTERVAL_MS && obj(raw.daemon).interval !== undefined) {
    out.push(diag('error', 'FS_CONFIG_INVALID', `daemon.interval must be at least 10s`, 'A shorter interval only burns API quota; use the webhook or `flowsync daemon --once` for faster feedback.', at(['daemon', 'interval'])));
  }
  if (config.api.lateCommitWindowMs < config.api.timeoutMs && obj(obj(raw.api)).lateCommitWindow !== undefined) {
    out.push(diag('error', 'FS_CONFIG_INVALID', `api.lateCommitWindow (${config.api.lateCommitWindow}) must be at least api.timeout (${config.api.timeout})`, 'A create whose answer timed out may still commit that late; lookups must go on at least as long as the timeout.', at(['api', 'lateCommitWindow'])));
  }
  if (config.api.timeoutMs < 1000 && obj(raw.api).timeout !== undefined) {
    out.push(diag('error', 'FS_CONFIG_INVALID', `api.timeout must be at least 1s`, 'Shorter timeouts turn slow answers into unknown outcomes.', at(['api', 'timeout'])));
  }
  if (config.reconcile.deleteBudget.windowMs > 86_400_000 || config.reconcile.deleteBudget.windowMs < 60_000) {
    out.push(diag('error', 'FS_CONFIG_INVALID', `reconcile.deleteBudget.window must be between 1m and 24h`, 'The lease entity keeps hourly deletion counts for a day; a longer window could not be remembered.', at(['reconcile', 'deleteBudget', 'window'])));
  }
  if (config.lease.durationMs < 5000 && obj(raw.lease).duration !== undefined) {
    out.push(diag('error', 'FS_CONFIG_INVALID', `lease.duration must be at least 5s`, 'The lease is renewed every third of its duration; shorter leases expire under a slow API.', at(['lease', 'duration'])));
  }
  const rootAbs = path.resolve(root);
  const folders = Array.isArray(raw.manifests) ? raw.manifests : [];
  for (let i = 0; i < folders.length; i++) {
    const folder = folders[i];
    if (typeof folder !== 'string' || folder === '') continue;
    const abs = path.resolve(rootAbs, folder);
    if (path.isAbsolute(folder) || !isInside(rootAbs, abs)) {
      out.push(diag('error', 'FS_CONFIG_MANIFESTS', `manifests[${i}] points outside the repository`, 'List folders relative to the config repo root, inside it.', at(['manifests', i])));
      continue;
    }
    const st = await stat(abs).catch(() => undefined);
    if (!st?.isDirectory()) {
      out.push(diag('error', 'FS_CONFIG_MANIFESTS', `manifests[${i}] (${folder}) is not a folder in the repository`, 'Create the folder or remove it from `manifests`.', at(['manifests', i])));
    }
  }
  const refs: [string[], SecretRef | undefined][] = [
    [['api', 'clientSecret'], config.api.clientSecret],
    [['api', 'accessToken'], config.api.accessToken],
    [['daemon', 'notify', 'webhookUrl'], config.daemon.notify.webhookUrl],
  ];
  for (const [p, ref] of refs) {
    if (!ref || !('fromFile' in ref)) continue;
    // Only where the file is; whether it exists matters when a command resolves it.
    const res = await tryResolveRef(ref, { root, env: {} }, false);
    if (!res.ok && res.code === 'FS_SECRET_OUTSIDE_REPO') out.push(diag('error', res.code, `${formatPath(p)}: ${res.reason}`, res.hint, at(p)));
  }
  return out;
}

const CONFIG_PARSE_CODES = { yaml: 'FS_CONFIG_YAML', tooDeep: 'FS_CONFIG_YAML', alias: 'FS_CONFIG_YAML', tooMany: 'FS_CONFIG_YAML' };

/** Reads flowsync.yaml at the root (optional). Never throws for user mistakes. */
/** `sandboxAt`: where flowsync.yaml sets `sandbox`, when it does (an unknown sandbox is reported there). */
export async function loadConfig(root: string): Promise<{ config: FlowsyncConfig; diagnostics: Diagnostic[]; sandboxAt?: SourcePos }> {
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) {
    return {
      config: defaultConfig(),
      diagnostics: [diag('error', 'FS_CONFIG_NOT_FOUND', `config repo folder ${root} does not exist or is not a folder`, 'Pass the config repo folder: `flowsync validate path/to/repo`.')],
    };
  }
  const abs = path.join(root, CONFIG_FILE);
  if (!(await stat(abs).catch(() => undefined))) return { config: defaultConfig(), diagnostics: [] };
  const read = await readText(abs, CONFIG_FILE, LIMITS.fileBytes, { read: 'FS_CONFIG_READ', tooLarge: 'FS_CONFIG_READ', encoding: 'FS_CONFIG_READ' });
  if ('diagnostic' in read) return { config: defaultConfig(), diagnostics: [read.diagnostic] };
  const parsed = parseYamlFile(CONFIG_FILE, read.text, CONFIG_PARSE_CODES);
  const diagnostics = [...parsed.diagnostics];
  if (hasErrors(diagnostics)) return { config: defaultConfig(), diagnostics };
  if (parsed.docs.length === 0) return { config: { ...defaultConfig(), file: CONFIG_FILE }, diagnostics };
  const doc = parsed.docs[0]!;
  if (parsed.docs.length > 1) {
    const extra = parsed.docs[1]!;
    diagnostics.push(diag('error', 'FS_CONFIG_INVALID', `${CONFIG_FILE} holds ${parsed.docs.length} documents; it must hold one`, 'Keep a single Config document; manifests go in the manifest folders.', { file: CONFIG_FILE, ...extra.start }));
  }
  diagnostics.push(...schemaDiagnostics(schemaErrors('config', doc.value), doc, { schema: 'FS_CONFIG_INVALID', plainSecret: 'FS_SECRET_PLAIN' }));
  const config = merge(obj(doc.value));
  diagnostics.push(...(await checkValues(doc, config, root)));
  const sandboxAt = typeof obj(doc.value).sandbox === 'string' ? { file: CONFIG_FILE, ...doc.locate(['sandbox']) } : undefined;
  return { config, diagnostics, ...(sandboxAt ? { sandboxAt } : {}) };
}
