// Interactive confirmation on a terminal; anything but "yes" declines (as Terraform does).
import { createInterface } from 'node:readline/promises';
import type { CommandIO } from './command.ts';

export async function confirm(io: CommandIO, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: Boolean(io.stdin.isTTY) });
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
