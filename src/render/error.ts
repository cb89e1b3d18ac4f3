// How an error reaches a person: code, message, hint. Never a stack unless FLOWSYNC_DEBUG is set.
import { FlowsyncError } from '../domain/errors.ts';
import { redactSecrets } from '../domain/redact.ts';
import { painter } from './color.ts';

export function formatError(err: unknown, opts: { color: boolean }): string {
  return redactSecrets(formatRaw(err, opts));
}

function formatRaw(err: unknown, opts: { color: boolean }): string {
  const paint = painter(opts.color);
  const red = (s: string) => paint('red', s);
  const dim = (s: string) => paint('dim', s);
  if (err instanceof FlowsyncError) {
    let out = `${red(`Error ${err.code}:`)} ${err.message}\n${dim(`Hint: ${err.hint}`)}\n`;
    if (process.env.FLOWSYNC_DEBUG && err.stack) out += `${err.stack}\n`;
    return out;
  }
  const message = err instanceof Error ? err.message : String(err);
  let out = `${red('Error FS_INTERNAL:')} ${message}\n${dim('Hint: this is a bug in flowsync; run again with FLOWSYNC_DEBUG=1 and report the output.')}\n`;
  if (process.env.FLOWSYNC_DEBUG && err instanceof Error && err.stack) out += `${err.stack}\n`;
  return out;
}
