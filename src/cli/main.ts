// The CLI: parse the command name, run it, turn the result into an exit code. No logic here.
// Entry: cmd/flowsync.ts, run through tsx in development and bundled into the package's bin
// (dist/cli/flowsync.mjs, built by cmd/build.ts).
import { COMMANDS } from './registry.ts';
import { helpText, processIO } from './command.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { withCredentials } from './credentials.ts';
import { useColor } from '../render/color.ts';
import { formatError } from '../render/error.ts';

const HELP = `flowsync: GitOps for Adobe Experience Platform streaming destinations

Usage: flowsync <command> [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)}${c.summary}`).join('\n')}

Run \`flowsync help <command>\` (or \`flowsync <command> --help\`) for a command's flags.
`;

async function main(argv: string[]): Promise<number> {
  const io = processIO();
  const [name, ...rest] = argv;
  // `help CMD` is `CMD --help`
  if (name === 'help' && rest.length > 0) return main([rest[0]!, '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(HELP);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') return main(['version', ...rest]);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new FlowsyncError('FS_CLI_UNKNOWN_COMMAND', `unknown command "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(helpText(command));
    return 0;
  }
  return command.run(rest, { ...io, env: await withCredentials(io.env) });
}

/** Runs one CLI invocation and sets process.exitCode; never throws. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    process.stderr.write(formatError(err, { color: useColor(process.stderr, process.env) }));
    process.exitCode = 1;
  }
}
