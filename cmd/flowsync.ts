#!/usr/bin/env -S node --import tsx
// CLI entry: parse the command name, run it, turn the result into an exit code. No logic here.
import { readFile } from 'node:fs/promises';
import { COMMANDS } from '../src/cli/registry.ts';
import { processIO } from '../src/cli/command.ts';
import { FlowsyncError } from '../src/domain/errors.ts';
import { formatError } from '../src/render/error.ts';

const HELP = `flowsync: GitOps for Adobe Experience Platform streaming destinations

Usage: flowsync <command> [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)}${c.summary}`).join('\n')}

Run \`flowsync <command> --help\` for a command's flags.
`;

async function main(argv: string[]): Promise<number> {
  const io = processIO();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(HELP);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout.write(`flowsync ${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new FlowsyncError('FS_CLI_UNKNOWN_COMMAND', `unknown command "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  return command.run(rest, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(formatError(err, { color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR }));
    process.exitCode = 1;
  },
);
