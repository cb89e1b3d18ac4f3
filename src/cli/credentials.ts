// Secrets as files in a folder: systemd's LoadCredential= puts each credential in a file under
// $CREDENTIALS_DIRECTORY (and a mounted Kubernetes Secret looks the same). A file there named like
// an environment variable (KINESIS_SECRET_KEY, FLOWSYNC_CLIENT_SECRET) stands for that variable
// wherever flowsync reads one: `fromEnv` references, FLOWSYNC_CLIENT_SECRET, --webhook-secret-env,
// --git-token-env, --notify-url-env. So the manifests stay the same under CI (variables) and under
// systemd (files). A variable that is set wins over a file of the same name.
//
// The values go into the environment object the command gets, not into process.env: they are never
// inherited by child processes (git) nor visible in /proc/PID/environ.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { rememberSecret } from '../domain/redact.ts';
import { FlowsyncError } from '../domain/errors.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_BYTES = 64 * 1024;

/** `env` plus one variable per credential file; `env` itself when CREDENTIALS_DIRECTORY is unset. */
export async function withCredentials(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (!dir) return env;
  const fail = (what: string, err?: unknown) =>
    new FlowsyncError('FS_CREDENTIALS_DIRECTORY', `CREDENTIALS_DIRECTORY=${dir}: ${what}`, err === undefined ? {} : { cause: err });
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw fail(`cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of names.filter((n) => NAME.test(n)).sort()) {
    if (env[name] !== undefined && env[name] !== '') continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch((err: unknown) => {
      throw fail(`cannot read ${name}`, err);
    });
    if (!info.isFile()) continue; // e.g. Kubernetes' ..data folder
    if (info.size > MAX_BYTES) throw fail(`${name} is larger than 64 KiB`);
    const raw = await readFile(file).catch((err: unknown) => {
      throw fail(`cannot read ${name}`, err);
    });
    let value: string;
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(raw).replace(/\r?\n$/, '');
    } catch {
      throw fail(`${name} is not UTF-8 text`);
    }
    rememberSecret(value);
    out[name] = value;
  }
  return out;
}
