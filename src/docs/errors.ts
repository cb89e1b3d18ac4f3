// docs/reference/errors.md from the error registry and the diagnostic codes. docs/errors.md stays
// hand-written (what each code means, in a sentence a user can act on) and is kept in step by
// test/unit/errors.test.ts; this page is the registry's own hint for each, which the CLI prints.
import { code, page, table } from './markdown.ts';

export function renderErrorsReference(errors: Readonly<Record<string, string>>, diagnosticCodes: readonly string[]): string {
  const rows = [
    ...Object.entries(errors).map(([c, hint]) => [c, 'error', hint]),
    ...diagnosticCodes.map((c) => [c, 'diagnostic', '']),
  ].sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
  return page(
    'Error codes reference',
    [
      'Every code flowsync can show. An **error** stops the command and prints the hint below; a **diagnostic** is a finding about the manifests or flowsync.yaml, shown with its file and line (several at once), and carries its own hint. What each code means and how to solve it, in words: [Error codes](../errors.md).',
    ],
    [table(['Code', 'Kind', 'Hint printed with it'], rows.map(([c, kind, hint]) => [`${code(c as string)}`, kind as string, hint as string]))],
  );
}
