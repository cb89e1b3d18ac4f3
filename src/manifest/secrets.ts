// Secret references ({ fromEnv } / { fromFile }) and the one place their values are held.
// Values never enter a diagnostic, an error message or a printable structure.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { FlowsyncError } from '../domain/errors.ts';
import { rememberSecret } from '../domain/redact.ts';
import { isInside, readText } from './files.ts';
import { LIMITS } from './limits.ts';

export type SecretRef = { fromEnv: string } | { fromFile: string };

export function isSecretRef(value: unknown): value is SecretRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const v = (value as Record<string, unknown>)[keys[0]!];
  return (keys[0] === 'fromEnv' || keys[0] === 'fromFile') && typeof v === 'string';
}

/** "environment variable KINESIS_SECRET_KEY" / "file secrets/key": names the source, never the value. */
export function describeRef(ref: SecretRef): string {
  return 'fromEnv' in ref ? `environment variable ${ref.fromEnv}` : `file ${ref.fromFile}`;
}

export interface RefFailure {
  ok: false;
  code: 'FS_SECRET_UNRESOLVED' | 'FS_SECRET_OUTSIDE_REPO' | 'FS_SECRET_BLANK';
  reason: string; // e.g. "environment variable X is not set"
  hint: string;
}
export type RefResult = { ok: true; value: string } | RefFailure;

export interface RefContext {
  root: string;
  env: NodeJS.ProcessEnv;
}

const unresolved = (reason: string, hint: string): RefFailure => ({ ok: false, code: 'FS_SECRET_UNRESOLVED', reason, hint });
/** A value of only spaces or newlines is a mistake (an editor's stray line, `export X="   "`), never a secret. */
const blank = (source: string): RefFailure => ({ ok: false, code: 'FS_SECRET_BLANK', reason: `${source} holds only whitespace`, hint: `Put the secret itself in ${source}.` });

/** Checks that a fromFile path stays inside the repo (lexically and after following symlinks). */
async function secretFilePath(file: string, root: string): Promise<{ ok: true; abs: string; exists: boolean } | RefFailure> {
  const outside: RefFailure = {
    ok: false,
    code: 'FS_SECRET_OUTSIDE_REPO',
    reason: `file ${file} is outside the repository`,
    hint: 'fromFile paths are relative to the config repo root and must stay inside it; use fromEnv for secrets kept elsewhere.',
  };
  if (path.isAbsolute(file) || /^[A-Za-z]:[\\/]/.test(file) || file.includes('\0')) return outside;
  const abs = path.resolve(root, file);
  if (!isInside(path.resolve(root), abs)) return outside;
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    return { ok: true, abs, exists: false };
  }
  if (!isInside(await realpath(root), real)) return outside;
  return { ok: true, abs, exists: true };
}

/**
 * Resolves a reference to its value. With `read: false` it only checks that the value is there
 * (the variable is set, the file exists inside the repo) and returns ''.
 */
export async function tryResolveRef(ref: SecretRef, ctx: RefContext, read = true): Promise<RefResult> {
  if ('fromEnv' in ref) {
    const value = ctx.env[ref.fromEnv];
    if (value === undefined) return unresolved(`environment variable ${ref.fromEnv} is not set`, `Set ${ref.fromEnv} in the environment that runs flowsync (CI secret, shell export), or run \`flowsync validate --no-secrets\` to check the manifests without secrets.`);
    if (value === '') return unresolved(`environment variable ${ref.fromEnv} is empty`, `Give ${ref.fromEnv} a value.`);
    if (value.trim() === '') return blank(`environment variable ${ref.fromEnv}`);
    return { ok: true, value: read ? value : '' };
  }
  const checked = await secretFilePath(ref.fromFile, ctx.root);
  if (!checked.ok) return checked;
  if (!checked.exists) return unresolved(`file ${ref.fromFile} does not exist`, 'Create the file (relative to the config repo root; keep it out of git with .gitignore) or fix the path.');
  if (!read) {
    const st = await stat(checked.abs);
    return st.isFile() ? { ok: true, value: '' } : unresolved(`file ${ref.fromFile} is not a regular file`, 'Point fromFile at a file.');
  }
  const codes = { read: 'FS_SECRET_UNRESOLVED', tooLarge: 'FS_SECRET_UNRESOLVED', encoding: 'FS_SECRET_UNRESOLVED' };
  const res = await readText(checked.abs, ref.fromFile, LIMITS.secretFileBytes, codes);
  if ('diagnostic' in res) return unresolved(`file ${ref.fromFile} cannot be used: ${res.diagnostic.summary.replace(`${ref.fromFile} `, '')}`, res.diagnostic.hint ?? 'Fix the file.');
  const value = res.text.replace(/\r?\n$/, '');
  if (value === '') return unresolved(`file ${ref.fromFile} is empty`, 'Write the secret into the file.');
  if (value.trim() === '') return blank(`file ${ref.fromFile}`);
  return { ok: true, value };
}

/** For the API client (clientSecret, accessToken, webhookUrl): the value, or a FlowsyncError naming the reference. */
export async function resolveSecretRef(ref: SecretRef, ctx: RefContext): Promise<string> {
  const res = await tryResolveRef(ref, ctx);
  if (res.ok) {
    rememberSecret(res.value);
    return res.value;
  }
  throw new FlowsyncError(res.code, `cannot resolve secret: ${res.reason}`, { hint: res.hint });
}

/**
 * Resolved secret auth params per account. Printing it in any way (JSON, inspect, String) shows
 * only how many accounts it holds.
 */
export class Secrets {
  readonly #byAccount = new Map<string, Readonly<Record<string, string>>>();

  constructor(entries: Iterable<{ sandbox: string; account: string; values: Record<string, string> }> = []) {
    for (const e of entries) this.#byAccount.set(`${e.sandbox}\0${e.account}`, Object.freeze({ ...e.values }));
  }

  /** The secret params (e.g. { secretKey }) of an account, or undefined when none were resolved. */
  forAccount(sandbox: string, account: string): Record<string, string> | undefined {
    const values = this.#byAccount.get(`${sandbox}\0${account}`);
    return values ? { ...values } : undefined;
  }

  get size(): number {
    return this.#byAccount.size;
  }

  toString(): string {
    return `[Secrets: ${this.#byAccount.size} account(s), values redacted]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
