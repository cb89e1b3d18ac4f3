// Runs one CLI command in this process with its own streams, working folder and environment (the
// CommandIO it takes): for a terminal on stdin, or a working folder outside the repository (where a
// child process could not load tsx). Errors are printed as the binary prints them, with exit 1.
import { PassThrough } from 'node:stream';
import type { Command, CommandIO } from '../../src/cli/command.ts';
import { formatError } from '../../src/render/error.ts';
import type { CliResult } from './cli.ts';

export async function runInProcess(
  command: Command,
  argv: string[],
  opts: { cwd: string; env: Record<string, string | undefined>; /** a terminal on stdin typing this at the question (undefined: Ctrl-D) */ terminal?: { answer: string | undefined } },
): Promise<CliResult> {
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.terminal !== undefined });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    if (opts.terminal && /Enter a value: $/.test(err)) (opts.terminal.answer === undefined ? stdin.end() : stdin.write(opts.terminal.answer));
  });
  if (!opts.terminal) stdin.end();
  const io: CommandIO = { stdin, stdout, stderr, env: { NO_COLOR: '1', ...opts.env }, cwd: opts.cwd };
  let code: number;
  try {
    code = await command.run(argv, io);
  } catch (e) {
    err += formatError(e, { color: false });
    code = 1;
  }
  return { code, stdout: out, stderr: err };
}
