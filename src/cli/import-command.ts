// `flowsync import`: brownfield adoption. Reads the live destination dataflows of some sandboxes,
// writes manifests for them (secrets as references to fill in) and, unless --no-adopt, tags the
// imported entities as flowsync's so that the next plan is empty.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowsyncError } from '../domain/errors.ts';
import type { DriftPolicy } from '../domain/model.ts';
import { managedKey, ownershipLines, ownershipOf, planAdoption, renderFiles, runAdoption, selectImports, withoutInvalid, type AdoptionOutcome, type ImportSelection, type ManifestFile } from '../import/index.ts';
import { withAudienceNames, withSelectedSegments } from '../import/audience-names.ts';
import { loadRepo, type LoadedRepo } from '../manifest/index.ts';
import { readAudienceLists } from '../reconcile/audiences.ts';
import { connect } from '../reconcile/connect.ts';
import { underWriteLeases } from '../reconcile/writer.ts';
import { renderDiagnosticsText } from '../render/diagnostics.ts';
import { formatError } from '../render/error.ts';
import { readLiveState } from '../state/index.ts';
import { oneOf, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { importUpdate } from './import-update.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, LOCK_TIMEOUT_USAGE, connectFlags, loadRepoOrReport, lockTimeoutFlag, useColor } from './common.ts';

const USAGE = `Usage: flowsync import [flags]

For an org whose destinations were made by hand: reads the live Amazon Kinesis and Azure Event
Hubs dataflows (fed by the Profile Store) of the given sandboxes and writes manifests for them,
one file per destination and an accounts file per sandbox. Secrets cannot be read from the API:
they are written as { fromEnv: NAME } references, and the names to set are printed.
Then (unless --no-adopt) flowsync takes ownership of what it imported: one If-Match PATCH per
entity writes the ownership tag and the manifest name, so that the next plan shows no changes.
Entities import did not select are never touched. Existing files are never overwritten without
--force.

Flags:
  --sandbox S         a sandbox to import (repeatable; default: the config's default sandbox)
  --dir ROOT          the config repo folder (default: the current folder)
  --out DIR           where to write the manifests (default: ROOT/imported)
  --no-adopt          only write files; change nothing in the org
  --force             overwrite files that already exist
  --output FORMAT     text (default) or json
  --update [SANDBOX/]NAME
                      keep a change made in the AEP UI: write the live state of that destination
                      into its existing manifest file (other documents, comments and secret
                      references kept) to commit it, instead of letting drift: heal undo it;
                      sends nothing to the API
${LOCK_TIMEOUT_USAGE}
${CONNECT_USAGE}

Exit code: 0 when the files were written (and every adoption write succeeded), 1 otherwise.
`;

const SANDBOX_RE = /^[a-z][a-z0-9-]{0,255}$/;
const FLOWSYNC_SCHEMAS = fileURLToPath(new URL('../../schemas/', import.meta.url));

const posix = (p: string) => p.split(path.sep).join('/');
const exists = (p: string) => stat(p).then(() => true, () => false);

/** Names of manifests outside the import folder: import references or skips them, never duplicates them. */
function managedNames(repo: LoadedRepo, outDir: string): Set<string> {
  const inOut = (file: string) => !path.relative(outDir, path.resolve(repo.root, file)).startsWith('..');
  const keys = new Set<string>();
  for (const a of repo.desired.accounts) if (!inOut(a.source.file)) keys.add(managedKey(a.sandbox, 'account', a.name));
  for (const d of repo.desired.destinations) if (!inOut(d.source.file)) keys.add(managedKey(d.sandbox, 'destination', d.name));
  return keys;
}

/** The schemas folder as seen from the import folder: the repo's own copy, else flowsync's. */
async function schemasFrom(root: string, outDir: string): Promise<string> {
  const own = path.join(root, 'schemas');
  const dir = (await exists(path.join(own, 'account.schema.json'))) ? own : FLOWSYNC_SCHEMAS;
  return posix(path.relative(outDir, dir)) || '.';
}

/** Loads the files from a scratch folder: checked before anything is written, and the model adoption hashes. */
async function loadBack(files: ManifestFile[], io: CommandIO) {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'flowsync-import-'));
  try {
    for (const f of files) {
      await mkdir(path.dirname(path.join(scratch, f.path)), { recursive: true });
      await writeFile(path.join(scratch, f.path), f.text);
    }
    const repo = await loadRepo(scratch, { env: io.env, resolveSecrets: false });
    const errorsByFile = new Map<string, string[]>();
    for (const d of repo.diagnostics) {
      if (d.severity !== 'error') continue;
      const file = (d.file ?? '').split(path.sep).join('/');
      errorsByFile.set(file, [...(errorsByFile.get(file) ?? []), `${d.code} ${d.summary}`]);
    }
    return { desired: repo.desired, errorsByFile, diagnostics: repo.diagnostics };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Files that validate, with the model they load to; destinations whose file would not validate are skipped. */
async function validFiles(first: ImportSelection, render: (sel: ImportSelection) => ManifestFile[], io: CommandIO) {
  let sel = first;
  for (let attempt = 0; ; attempt++) {
    const files = render(sel);
    if (files.length === 0) return { sel, files, desired: { accounts: [], destinations: [], sandboxes: [] } };
    const loaded = await loadBack(files, io);
    if (loaded.errorsByFile.size === 0) return { sel, files, desired: loaded.desired };
    const fewer = attempt === 0 ? withoutInvalid(sel, loaded.errorsByFile) : undefined;
    if (!fewer) {
      throw new FlowsyncError('FS_IMPORT_INVALID', `import: the manifests made from the live state do not validate; nothing was written:\n${renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === 'error'), { color: false })}`);
    }
    sel = fewer;
  }
}

function covered(repo: LoadedRepo, outDir: string): boolean {
  return repo.config.manifests.some((m) => !path.relative(path.resolve(repo.root, m), outDir).startsWith('..'));
}

/** What the imported destinations' `drift` is, and how to keep a UI change instead of healing it. */
function driftLines(sel: ImportSelection, kept: ReadonlyMap<string, DriftPolicy>): string[] {
  if (sel.destinations.length === 0) return [];
  const keptHere = sel.destinations.flatMap((d) => {
    const policy = kept.get(`${d.sandbox}/${d.name}`);
    return policy ? [`drift: ${policy} kept from the existing manifest: ${d.sandbox}/${d.name}`] : [];
  });
  const lines = [
    'drift: heal in the imported destinations (the default) unless an existing manifest of the same name said otherwise:',
    'a healing daemon puts a change made in the AEP UI back at its next cycle. To keep such a change, run',
    '`flowsync import --update SANDBOX/NAME` (it writes the live state into the manifest file) and commit the file;',
    'set `drift: warn` in a manifest to only report changes.',
    ...keptHere,
  ];
  return ['', ...lines];
}

function renderText(sel: ImportSelection, files: ManifestFile[], outcomes: AdoptionOutcome[] | undefined, ctx: { shown: (f: string) => string; sandboxes: string[]; noAdopt: boolean; note?: string; manager: string; keptDrift: ReadonlyMap<string, DriftPolicy> }): string {
  const lines: string[] = [];
  const accounts = sel.accounts.filter((a) => !a.managedElsewhere).length;
  lines.push(`Imported ${sel.destinations.length} destination(s) and ${accounts} account(s) from sandbox(es) ${ctx.sandboxes.join(', ')}:`);
  for (const f of files) lines.push(`  + ${ctx.shown(f.path)}  (${f.kind === 'accounts' ? `accounts: ${f.names.join(', ')}` : `destination ${f.names[0]}`})`);
  if (files.length === 0) lines.push('  (no destination dataflows to import)');
  if (sel.skipped.length > 0) {
    lines.push('', 'Skipped:');
    for (const s of sel.skipped) lines.push(`  ${s.sandbox}: ${s.entity}: ${s.reason}`);
  }
  if (outcomes) {
    lines.push('', outcomes.length === 0 ? 'Adoption: nothing to write, flowsync already owns every imported entity.' : 'Adoption (one If-Match PATCH per entity):');
    for (const o of outcomes) {
      const w = o.write;
      const head = `  ${o.status === 'adopted' ? '~' : '!'} ${w.address}: ${w.entity} "${w.liveName}" (${w.entityId})`;
      lines.push(o.status === 'adopted' ? head : `${head} FAILED ${o.error!.code}: ${o.error!.message}`);
      for (const c of w.changes) lines.push(`        ${c}`);
    }
  }
  const own = ownershipOf(sel);
  const ownedLines = ownershipLines(own, ctx.manager);
  if (ownedLines.length > 0) lines.push('', ...ownedLines);
  if (!outcomes && ctx.noAdopt) {
    lines.push('', 'Nothing was written to the org (--no-adopt).');
    if (own.untagged > 0) lines.push(`${own.untagged} imported ${own.untagged === 1 ? 'entity carries' : 'entities carry'} no flowsync tag yet: until ${own.untagged === 1 ? 'it does' : 'they do'}, plan treats those whose live name differs from the manifest name as missing and would create new ones; run import without --no-adopt to take them over.`);
  }
  lines.push(...driftLines(sel, ctx.keptDrift));
  if (sel.envVars.length > 0) {
    lines.push('', 'Set these environment variables before plan and apply (secrets cannot be read from the API):');
    const width = Math.max(...sel.envVars.map((e) => e.name.length));
    for (const e of sel.envVars) lines.push(`  ${e.name.padEnd(width)}  ${e.param} of account ${e.sandbox}/${e.account}`);
  }
  if (ctx.note) lines.push('', ctx.note);
  return `${lines.join('\n')}\n`;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Write manifests for destinations that already exist and adopt them (brownfield)',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('import', argv, {
      sandbox: { type: 'string', multiple: true },
      dir: { type: 'string' },
      out: { type: 'string' },
      'no-adopt': { type: 'boolean' },
      force: { type: 'boolean' },
      output: { type: 'string' },
      'lock-timeout': { type: 'string' },
      update: { type: 'string' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length > 0) throw new FlowsyncError('FS_CLI_USAGE', `import: unexpected argument ${positionals.join(' ')} (use --dir ROOT and --out DIR)`);
    const output = oneOf('import', 'output', values.output, ['text', 'json'] as const, 'text');
    for (const s of values.sandbox ?? []) {
      if (!SANDBOX_RE.test(s)) throw new FlowsyncError('FS_CLI_USAGE', `import: --sandbox "${s}" is not a sandbox name (lowercase letters, digits, -; starting with a letter)`);
    }
    // import is how an empty config repo gets its first manifests.
    const repo = await loadRepoOrReport(values.dir ?? '.', io, { resolveSecrets: false, allowEmpty: true });
    if (!repo) return 1;
    if (values.update !== undefined) {
      const extra = (['out', 'no-adopt', 'force'] as const).filter((f) => values[f] !== undefined);
      if (extra.length > 0 || (values.sandbox?.length ?? 0) > 1) throw new FlowsyncError('FS_CLI_USAGE', `import: --update takes no ${extra.map((f) => `--${f}`).join(', ') || 'second --sandbox'} (it writes the manifest file that already holds the destination)`);
      return importUpdate(values.update, { repo, ...(values.sandbox?.[0] ? { sandbox: values.sandbox[0] } : {}), flags: connectFlags(values), output }, io);
    }
    const outDir = values.out ? path.resolve(io.cwd, values.out) : path.join(repo.root, 'imported');
    const sandboxes = [...new Set(values.sandbox ?? [repo.config.sandbox])].sort();
    const client = await connect(repo.config, { root: repo.root, env: io.env, flags: connectFlags(values) });
    try {
      const live = await readLiveState(client, sandboxes, { concurrency: repo.config.reconcile.concurrency });
      const audiences = await readAudienceLists(client, sandboxes, new Map());
      const schemasFromOut = await schemasFrom(repo.root, outDir);
      // An existing manifest's drift policy is kept (re-import with --force); the rest get heal.
      const keptDrift = new Map(repo.desired.destinations.filter((d) => d.drift !== 'heal').map((d) => [`${d.sandbox}/${d.name}`, d.drift]));
      const selected = withAudienceNames(selectImports(live, sandboxes, managedNames(repo, outDir)), audiences);
      const valid = await validFiles(selected, (s) => renderFiles(s, { schemasFromOut, drift: keptDrift }), io);
      const { sel, files } = valid;
      const desired = withSelectedSegments(valid.desired, sel);
      const shown = (f: string) => posix(path.relative(io.cwd, path.join(outDir, f)));
      const clashes: string[] = [];
      for (const f of files) if (await exists(path.join(outDir, f.path))) clashes.push(shown(f.path));
      if (clashes.length > 0 && !values.force) {
        throw new FlowsyncError('FS_IMPORT_EXISTS', `import: ${clashes.length === 1 ? 'file' : 'files'} ${clashes.join(', ')} already ${clashes.length === 1 ? 'exists' : 'exist'}; nothing was written`);
      }
      for (const f of files) {
        const file = path.join(outDir, f.path);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, f.text, { flag: values.force ? 'w' : 'wx' });
      }
      // Tagged entities whose manifests plan cannot see would look deleted (and --prune would remove
      // them): adopt only when the config repo reads the import folder.
      const readByPlan = covered(repo, outDir);
      let outcomes: AdoptionOutcome[] | undefined;
      if (!values['no-adopt'] && readByPlan) {
        const writes = planAdoption(sel, desired, repo.manager);
        // Adoption writes under the writer lease of each sandbox it tags. Every write is an If-Match
        // PATCH computed from the read above: a stale one fails with 412, so no re-read is needed.
        const lease = { config: repo.config, manager: repo.manager, command: 'flowsync import', lockTimeoutMs: lockTimeoutFlag('import', values['lock-timeout']) };
        const written = [...new Set(writes.map((w) => w.sandbox))];
        outcomes = written.length === 0 ? [] : await underWriteLeases(client, written, live, { ...lease, concurrency: repo.config.reconcile.concurrency, reread: false }, () => runAdoption(client, writes));
      }
      const failed = outcomes?.filter((o) => o.status === 'failed') ?? [];
      const relOut = posix(path.relative(repo.root, outDir));
      const shownRoot = posix(path.relative(io.cwd, repo.root)) || '.';
      const adoptLater = values['no-adopt'] ? '' : ' Nothing was adopted: flowsync would own entities whose manifests plan does not read. Then run `flowsync import --force` again to adopt them.';
      const note = readByPlan
        ? `Next: set the variables above, then \`flowsync plan ${shownRoot}\` should show no changes.`
        : relOut.startsWith('..') || path.isAbsolute(relOut)
          ? `The files are outside the config repo ${shownRoot}: move them into one of its manifest folders.${adoptLater}`
          : `Add "${relOut}" to \`manifests\` in flowsync.yaml so that plan and apply read the imported files.${adoptLater}`;
      if (output === 'json') {
        io.stdout.write(`${JSON.stringify({
          formatVersion: 1,
          out: shown('.') || '.',
          sandboxes,
          files: files.map((f) => ({ path: shown(f.path), kind: f.kind, sandbox: f.sandbox, names: f.names })),
          envVars: sel.envVars,
          skipped: sel.skipped,
          alreadyManaged: ownershipOf(sel).owned,
          keptDrift: Object.fromEntries(sel.destinations.flatMap((d) => (keptDrift.has(`${d.sandbox}/${d.name}`) ? [[`${d.sandbox}/${d.name}`, keptDrift.get(`${d.sandbox}/${d.name}`)]] : []))),
          adoption: outcomes
            ? outcomes.map((o) => ({ address: o.write.address, entity: o.write.entity, id: o.write.entityId, liveName: o.write.liveName, changes: o.write.changes, status: o.status, ...(o.error ? { error: o.error } : {}) }))
            : null,
        }, null, 2)}\n`);
      } else io.stdout.write(renderText(sel, files, outcomes, { shown, sandboxes, noAdopt: !!values['no-adopt'], note, manager: repo.manager, keptDrift }));
      if (failed.length > 0) {
        const err = new FlowsyncError('FS_IMPORT_ADOPT', `import: ${failed.length} adoption write(s) failed (${failed.map((o) => o.write.entityId).join(', ')}); the files were written`);
        io.stderr.write(formatError(err, { color: useColor(io.stderr, io.env) }));
        return 1;
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
