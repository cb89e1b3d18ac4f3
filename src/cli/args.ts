// Flag parsing on node:util parseArgs, turning its errors into FS_CLI_USAGE.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FlowsyncError } from '../domain/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    throw new FlowsyncError('FS_CLI_USAGE', `${command}: ${(err as Error).message}`, { hint: `Run \`flowsync ${command} --help\`.` });
  }
}

/** Reads an enum-valued flag, rejecting anything else with a usage error. */
export function oneOf<T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new FlowsyncError('FS_CLI_USAGE', `${command}: --${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

export function intFlag(command: string, flag: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new FlowsyncError('FS_CLI_USAGE', `${command}: --${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}
