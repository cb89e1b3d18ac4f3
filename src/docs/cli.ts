// docs/reference/cli.md from the command registry: each command's summary, flags (read from the
// help text, the one place flags are described) and exit codes, then the help text itself.
import type { Command } from '../cli/command.ts';
import { exitCodesOf } from '../cli/command.ts';
import { code, fence, page, table } from './markdown.ts';

export interface FlagRow {
  flag: string; // e.g. --out FILE
  description: string;
}

/** The flags a help text lists: lines that start with two spaces and a dash, with their continuation lines. */
export function flagsOfUsage(usage: string): FlagRow[] {
  const rows: FlagRow[] = [];
  for (const line of usage.split('\n')) {
    // a flag, at most one argument word (DIR, apply|observe, HOST:PORT), then the description
    const start = /^ {2}(-{1,2}[a-z][\w-]*)(?: (\S+))?(?: +(.*))?$/.exec(line);
    if (start) {
      rows.push({ flag: start[2] ? `${start[1]} ${start[2]}` : (start[1] as string), description: (start[3] ?? '').trim() });
      continue;
    }
    const last = rows.at(-1);
    if (last && /^ {6,}\S/.test(line)) last.description = `${last.description} ${line.trim()}`.trim();
  }
  return rows;
}

function commandSection(c: Command): string {
  const flags = flagsOfUsage(c.usage);
  return [
    `## flowsync ${c.name}`,
    '',
    c.summary,
    '',
    '### Flags',
    '',
    table(['Flag', 'What it does'], flags.map((f) => [code(f.flag), f.description])),
    '',
    '### Exit codes',
    '',
    table(['Code', 'When'], exitCodesOf(c).map((e) => [String(e.code), e.when])),
    '',
    '### Help text',
    '',
    fence(c.usage),
  ].join('\n');
}

export function renderCliReference(commands: readonly Command[]): string {
  return page(
    'CLI reference',
    [
      'Every command of `flowsync`, its flags and its exit codes, as `flowsync <command> --help` prints them. Connection settings come from flags, then `FLOWSYNC_*` environment variables, then flowsync.yaml.',
      table(['Command', 'What it does'], commands.map((c) => [`[${c.name}](#flowsync-${c.name})`, c.summary])),
    ],
    commands.map(commandSection),
  );
}
