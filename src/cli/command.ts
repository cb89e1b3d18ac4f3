// What every CLI command gets and returns. Commands take their effects (streams, env, cwd) as
// parameters so tests can run them in-process as well as through the real binary.

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string; // one line for `flowsync --help`
  usage: string; // full help text for `flowsync <command> --help`
  /** What each exit code means, when more than 0 success / 1 error (help and docs/reference/cli.md show it). */
  exitCodes?: readonly ExitCode[];
  /** Returns the process exit code. Throw FlowsyncError for failures; cmd/flowsync.ts prints them. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface ExitCode {
  code: number;
  when: string;
}

const DEFAULT_EXIT_CODES: readonly ExitCode[] = [
  { code: 0, when: 'success' },
  { code: 1, when: 'an error, invalid manifests or a usage mistake (the message says which)' },
];

export function exitCodesOf(command: Pick<Command, 'exitCodes'>): readonly ExitCode[] {
  return command.exitCodes ?? DEFAULT_EXIT_CODES;
}

/** `flowsync <command> --help`: the usage, then what each exit code means. */
export function helpText(command: Pick<Command, 'usage' | 'exitCodes'>): string {
  const usage = command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`;
  const codes = exitCodesOf(command).map((e) => `  ${String(e.code).padEnd(5)}${e.when}`);
  return `${usage}\nExit codes:\n${codes.join('\n')}\n`;
}

export function processIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}
