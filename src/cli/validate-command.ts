// `flowsync validate [DIR]`: load the config repo, print every diagnostic, exit 0 when valid.
import path from 'node:path';
import { hasErrors } from '../domain/diagnostics.ts';
import { loadRepo } from '../manifest/index.ts';
import { useColor } from '../render/color.ts';
import { countLine, diagnosticsJson, renderDiagnosticsText } from '../render/diagnostics.ts';
import { oneOf, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { FlowsyncError } from '../domain/errors.ts';

const USAGE = `Usage: flowsync validate [DIR] [flags]

Checks the config repo in DIR (default: the current folder): flowsync.yaml, every manifest under
its manifest folders (schemas, names, references, naming rules, guardrails) and that every secret
reference resolves. Exit 0 when valid (warnings allowed), 1 when not.

Flags:
  --dir DIR           the config repo folder (same as the DIR argument)
  --output FORMAT     text (default) or json ({formatVersion: 1, valid, errors, warnings, diagnostics})
  --no-secrets        do not read secret values: unresolvable references become warnings
                      (for CI jobs that have no access to the secrets)
`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check flowsync.yaml and the manifests (file:line:column diagnostics)',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('validate', argv, { dir: { type: 'string' }, output: { type: 'string' }, 'no-secrets': { type: 'boolean' } });
    const output = oneOf('validate', 'output', values.output, ['text', 'json'] as const, 'text');
    if (positionals.length > 1 || (positionals.length === 1 && values.dir !== undefined)) {
      throw new FlowsyncError('FS_CLI_USAGE', 'validate: give the config repo folder once (DIR or --dir)');
    }
    const dir = values.dir ?? positionals[0] ?? '.';
    const root = path.resolve(io.cwd, dir);
    const repo = await loadRepo(root, { env: io.env, resolveSecrets: !values['no-secrets'] });
    const valid = !hasErrors(repo.diagnostics);
    const prefix = path.relative(io.cwd, root).split(path.sep).join('/');
    if (output === 'json') {
      io.stdout.write(`${JSON.stringify({ ...diagnosticsJson(repo.diagnostics), root: prefix || '.' }, null, 2)}\n`);
      return valid ? 0 : 1;
    }
    const color = useColor(io.stdout, io.env);
    io.stdout.write(renderDiagnosticsText(repo.diagnostics, { color, filePrefix: prefix }));
    const { accounts, destinations, sandboxes } = repo.desired;
    const counts = countLine(repo.diagnostics);
    io.stdout.write(
      valid
        ? `valid: ${accounts.length} account(s) and ${destinations.length} destination(s) in sandbox(es) ${sandboxes.join(', ')}; ${counts}\n`
        : `invalid: ${counts}\n`,
    );
    return valid ? 0 : 1;
  },
};
