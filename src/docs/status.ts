// docs/reference/status.md from the StatusDocument type the daemon serves at GET /status.
import type { TypeField } from './ts-interface.ts';
import { code, page, table } from './markdown.ts';

export function renderStatusReference(fields: readonly TypeField[], conditions: readonly string[]): string {
  return page(
    '/status reference',
    [
      'The daemon (`flowsync run`) answers `GET /status` with this JSON document (`version` changes when a field changes meaning or goes away; new fields may appear without it). Times are ISO 8601 UTC strings. `counts` holds one number per condition: ' +
        `${conditions.map(code).join(', ')}.`,
    ],
    [table(['Field', 'Type', 'Always there', 'What it holds'], fields.map((f) => [code(f.path), f.type, f.optional ? 'no' : 'yes', f.doc]))],
  );
}
