// docs/reference/status.md from the StatusDocument type the daemon serves at GET /status.
import type { TypeField } from './ts-interface.ts';
import { code, page, table } from './markdown.ts';

/** The daemon's GET /status (from its type) and, when given, `flowsync status --output json` (from its schema section). */
export function renderStatusReference(fields: readonly TypeField[], conditions: readonly string[], commandSection?: string): string {
  return page(
    '/status reference',
    [
      'The daemon (`flowsync run`) answers `GET /status` with the first document below (`version` changes when a field changes meaning or goes away; new fields may appear without it). Times are ISO 8601 UTC strings. `counts` holds one number per condition: ' +
        `${conditions.map(code).join(', ')}.` +
        (commandSection ? ' The `flowsync status` command, which reads the org directly and needs no daemon, prints the second with `--output json`.' : ''),
    ],
    [
      `## GET /status\n\n${table(['Field', 'Type', 'Always there', 'What it holds'], fields.map((f) => [code(f.path), f.type, f.optional ? 'no' : 'yes', f.doc]))}`,
      ...(commandSection ? [commandSection] : []),
    ],
  );
}
