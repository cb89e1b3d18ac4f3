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
  /** Returns the process exit code. Throw FlowsyncError for failures; cmd/flowsync.ts prints them. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export function processIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}
