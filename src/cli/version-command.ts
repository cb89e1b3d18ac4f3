// `flowsync version`: the version and the git revision this copy was built from.
import { oneOf, parseFlags } from './args.ts';
import { buildInfo } from './build-info.ts';
import type { Command, CommandIO } from './command.ts';

const USAGE = `Usage: flowsync version [--output text|json]

Prints the flowsync version, the git revision it was built from ("unknown" when it was built
outside a git checkout; "-dirty" when the checkout had uncommitted changes) and the Node.js version
running it. \`flowsync --version\` is the same. The daemon reports the same in /status ("build")
and in the flowsync_build_info metric.

Flags:
  --output FORMAT     text (default) or json ({version, revision, node})
`;

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the version and the git revision flowsync was built from',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values } = parseFlags('version', argv, { output: { type: 'string' } }, false);
    const info = buildInfo();
    if (oneOf('version', 'output', values.output, ['text', 'json'] as const, 'text') === 'json') {
      io.stdout.write(`${JSON.stringify(info)}\n`);
    } else {
      io.stdout.write(`flowsync ${info.version} (revision ${info.revision}, node ${info.node})\n`);
    }
    return 0;
  },
};
