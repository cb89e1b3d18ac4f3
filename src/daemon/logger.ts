// The daemon's pino logger: JSON lines by default, pretty only on a terminal, and a redaction
// list so secret-ish fields never reach a log whatever object is logged.
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { useColor } from '../render/color.ts';
import { redactSecrets } from '../domain/redact.ts';

export type { Logger };

const SECRET_KEYS = ['secretKey', 'sasKey', 'clientSecret', 'accessToken', 'token', 'password', 'secret', 'authorization', 'Authorization'];

/** pino redact paths for each secret-ish key at the top level and up to three levels down. */
export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LoggerOptions {
  level?: string; // default 'info'
  /** Where lines go; default stdout. */
  stream?: DestinationStream | (NodeJS.WritableStream & { isTTY?: boolean });
  /** Human-readable output; default: when the stream is a TTY. */
  pretty?: boolean;
  /** For NO_COLOR / FORCE_COLOR / TERM; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const stream = opts.stream ?? process.stdout;
  const usePretty = opts.pretty ?? Boolean((stream as { isTTY?: boolean }).isTTY);
  const options = {
    level: opts.level ?? 'info',
    base: { name: 'flowsync' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Keys catch structured secrets; this catches secret values inside messages (an API's echo).
    hooks: { streamWrite: (line: string) => redactSecrets(line) },
  };
  if (usePretty) {
    return pino(options, pretty({ destination: stream as NodeJS.WritableStream, colorize: useColor(stream as { isTTY?: boolean }, opts.env ?? process.env), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }));
  }
  return pino(options, stream as DestinationStream);
}
