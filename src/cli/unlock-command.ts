// `flowsync unlock SANDBOX`: frees a sandbox's writer lease, an expired one always, a live one only
// with --force (Terraform's force-unlock). Prints the holder it freed.
import { FlowsyncError } from '../domain/errors.ts';
import { describeHolder, unlockLease } from '../lease/index.ts';
import { parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, connectWithConfigOnly } from './common.ts';

const USAGE = `Usage: flowsync unlock SANDBOX [flags]

Frees the writer lease of a sandbox that a run left behind. An expired lease is freed; a live one
only with --force. The deletion ledger and the managers it records are kept.

Flags:
  --force             free a live lease too. Only when you know its holder is gone: it stops at
                      its next renewal, but a write already in flight finishes.
  --dir DIR           the config repo folder whose flowsync.yaml holds the connection settings and
                      lease.clockSkew (default: the current folder; flowsync.yaml is optional)
${CONNECT_USAGE}
`;

export const unlockCommand: Command = {
  name: 'unlock',
  summary: 'Free a sandbox\'s writer lease left by a run that is gone',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('unlock', argv, { dir: { type: 'string' }, force: { type: 'boolean' }, ...CONNECT_OPTIONS });
    const [sandbox, ...extra] = positionals;
    if (!sandbox || extra.length > 0) throw new FlowsyncError('FS_CLI_USAGE', `unlock: takes exactly one SANDBOX (got ${positionals.length})`, { hint: 'Run `flowsync unlock --help`.' });
    const connected = await connectWithConfigOnly(values, io);
    if (!connected) return 1;
    const { config, client } = connected;
    try {
      const result = await unlockLease(client, sandbox, { force: values.force === true, clockSkewMs: config.lease.clockSkewMs });
      const now = Date.now();
      if (result.freed && result.previous) io.stdout.write(`Freed the writer lease of sandbox ${sandbox}, held by ${describeHolder(result.previous, now)}.\n`);
      else if (result.previous) io.stdout.write(`The writer lease of sandbox ${sandbox} is free; nothing to do.\n`);
      else io.stdout.write(`Sandbox ${sandbox} has no writer lease; nothing to do.\n`);
      return 0;
    } finally {
      client.close();
    }
  },
};
