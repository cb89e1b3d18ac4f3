// Paths as a person types them: apply's argument is a saved plan when it is a file and the config
// folder when it is a folder; commands print follow-up commands that run as printed.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';

/** apply's positional: a folder is the config repo (like --dir), anything else a plan file. */
export async function planFileOrDir(arg: string | undefined, dirFlag: string | undefined, cwd: string): Promise<{ planFile?: string; dir: string }> {
  if (arg === undefined) return { dir: dirFlag ?? '.' };
  const isDir = await stat(path.resolve(cwd, arg)).then((s) => s.isDirectory(), () => false);
  if (!isDir) return { planFile: arg, dir: dirFlag ?? '.' };
  if (dirFlag !== undefined) throw new FlowsyncError('FS_CLI_USAGE', `apply: ${arg} is a folder and --dir ${dirFlag} is given: give the config folder once (a saved plan is a file)`);
  return { dir: arg };
}

/** A word the shell passes through unchanged (quoted when it has spaces or other special characters). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that applies a saved plan, with --dir when the config folder is not the current one. */
export function applyCommandLine(planFile: string, dir: string, cwd: string): string {
  const needsDir = path.resolve(cwd, dir) !== path.resolve(cwd);
  return `flowsync apply ${shellWord(planFile)}${needsDir ? ` --dir ${shellWord(dir)}` : ''}`;
}
