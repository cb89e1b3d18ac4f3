// Interactive confirmation on a terminal; anything but "yes" declines (as Terraform does), and so
// does the end of input (Ctrl-D), which says so. Only asked on a terminal: apply refuses up front
// when stdin is not one (see requireTerminal).
import { createInterface } from 'node:readline/promises';
import { FlowsyncError } from '../domain/errors.ts';
import type { CommandIO } from './command.ts';

export async function confirm(io: CommandIO, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: Boolean(io.stdin.isTTY) });
  // readline leaves the question pending forever when the input ends: the end of input is "no"
  const ended = new Promise<string | undefined>((resolve) => rl.once('close', () => resolve(undefined)));
  try {
    const answer = await Promise.race([rl.question(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `), ended]);
    if (answer === undefined) io.stderr.write('\n  no answer (end of input), taken as "no"\n');
    return answer?.trim() === 'yes';
  } finally {
    rl.close();
  }
}

/** Like Terraform's -input=false: without a terminal to ask on, a command that must ask refuses before doing anything. */
export function requireTerminal(io: CommandIO, command: string, flag: string): void {
  if (io.stdin.isTTY) return;
  throw new FlowsyncError('FS_APPLY_NOT_INTERACTIVE', `${command}: stdin is not a terminal, so there is no one to confirm the plan; nothing was read or written`, {
    hint: `Pass ${flag} to apply without asking (CI, scripts), or run it at a terminal to review and answer "yes".`,
  });
}
