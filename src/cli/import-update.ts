// `flowsync import --update [SANDBOX/]NAME`: a change made in the AEP UI to a destination flowsync
// manages, written into that destination's manifest file so that it can be reviewed and committed
// instead of healed away. Reads the live state; writes one file; sends nothing to the API.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FlowsyncError } from '../domain/errors.ts';
import { parseOwnerTag } from '../domain/owner-tag.ts';
import { EnvNames, selectSandbox, updateManifestText } from '../import/index.ts';
import { isSharedManifest } from '../import/update.ts';
import { withAudienceNames } from '../import/audience-names.ts';
import { loadRepo, type LoadedRepo } from '../manifest/index.ts';
import type { AudienceList } from '../plan/audiences.ts';
import { readAudienceLists } from '../reconcile/audiences.ts';
import type { ConnectFlags } from '../reconcile/connect.ts';
import { connect } from '../reconcile/connect.ts';
import { renderDiagnosticsText } from '../render/diagnostics.ts';
import { readLiveState } from '../state/index.ts';
import type { CommandIO } from './command.ts';

const fail = (message: string, hint?: string) => new FlowsyncError('FS_IMPORT_UPDATE', message, hint ? { hint } : {});

function pick(repo: LoadedRepo, target: string, sandboxFlag: string | undefined) {
  const slash = target.indexOf('/');
  const sandbox = slash >= 0 ? target.slice(0, slash) : sandboxFlag;
  const name = slash >= 0 ? target.slice(slash + 1) : target;
  const found = repo.desired.destinations.filter((d) => d.name === name && (sandbox === undefined || d.sandbox === sandbox));
  if (found.length === 0) {
    throw fail(`import --update ${target}: no StreamingDestination manifest named ${name}${sandbox ? ` in sandbox ${sandbox}` : ''} under ${repo.root}; nothing was written`, 'Name a destination the manifests hold, as SANDBOX/NAME (`flowsync plan` lists them); to write manifests for destinations that have none, run `flowsync import` without --update.');
  }
  if (found.length > 1) throw fail(`import --update ${target}: destination ${name} is in sandboxes ${found.map((d) => d.sandbox).join(', ')}`, `Name one: flowsync import --update ${found[0]!.sandbox}/${name}`);
  return found[0]!;
}

export async function importUpdate(target: string, opts: { repo: LoadedRepo; sandbox?: string; flags: ConnectFlags; output: 'text' | 'json' }, io: CommandIO): Promise<number> {
  const { repo } = opts;
  const d = pick(repo, target, opts.sandbox);
  const address = `${d.sandbox}/destination/${d.name}`;
  const client = await connect(repo.config, { root: repo.root, env: io.env, flags: opts.flags });
  let live;
  let audiences: ReadonlyMap<string, AudienceList>;
  try {
    const state = await readLiveState(client, [d.sandbox], { concurrency: repo.config.reconcile.concurrency });
    audiences = await readAudienceLists(client, [d.sandbox], new Map());
    const sb = state.sandboxes[d.sandbox];
    // Nothing is reserved: the owned destination keeps its tag's name, which is the manifest's.
    const selected = sb && withAudienceNames(selectSandbox(d.sandbox, sb, new Set(), new EnvNames()), audiences);
    live = selected?.destinations.find((x) => x.name === d.name && [x.liveFlow.description, x.liveTarget.description].some((desc) => parseOwnerTag(desc).tag?.name === d.name));
  } finally {
    client.close();
  }
  if (!live) {
    throw fail(`import --update ${address}: no live dataflow in sandbox ${d.sandbox} carries the ownership tag of destination ${d.name}; nothing was written`, 'It has not been created yet (plan shows a create) or it was adopted under another name; `flowsync plan` shows which.');
  }
  const manager = parseOwnerTag(live.liveFlow.description).tag?.manager ?? parseOwnerTag(live.liveTarget.description).tag?.manager;
  if (manager !== undefined && manager !== repo.manager) {
    throw fail(`import --update ${address}: the live dataflow ${live.liveFlow.id} is managed by ${manager}, not by this config (${repo.manager}); nothing was written`, 'Update the manifest of the config that manages it.');
  }
  const file = path.join(repo.root, d.source.file);
  const shown = path.relative(io.cwd, file).split(path.sep).join('/');
  const before = await readFile(file, 'utf8');
  if (isSharedManifest(before, d)) {
    throw fail(`import --update ${address}: ${shown} holds destination ${d.name} for several sandboxes (metadata.sandboxes); nothing was written`, `A live change in one sandbox belongs in spec.overrides.${d.sandbox} of that manifest: write it there by hand (\`flowsync plan --sandbox ${d.sandbox}\` shows the drift), or set drift: warn to keep it without healing.`);
  }
  const list = audiences.get(d.sandbox);
  const named = (name: string) => (list && 'audiences' in list ? list.audiences.filter((a) => a.name === name) : []);
  const update = updateManifestText(before, d, live, repo.config.sandbox, (name) => (named(name).length === 1 ? named(name)[0]!.id : undefined));
  if (!update) throw fail(`import --update ${address}: ${shown} no longer holds its manifest; nothing was written`, 'Run again once the file is saved.');
  if (update.changes.length > 0) {
    await writeFile(file, update.text);
    // The file must still load: if not, put it back as it was.
    const check = await loadRepo(repo.root, { env: io.env, resolveSecrets: false });
    const errors = check.diagnostics.filter((x) => x.severity === 'error' && x.file === d.source.file);
    if (errors.length > 0) {
      await writeFile(file, before);
      throw new FlowsyncError('FS_IMPORT_INVALID', `import --update ${address}: the live state does not make a valid manifest; ${shown} was left as it was:\n${renderDiagnosticsText(errors, { color: false })}`);
    }
  }
  if (opts.output === 'json') {
    io.stdout.write(`${JSON.stringify({ formatVersion: 1, updated: update.changes.length > 0 ? shown : null, destination: address, changes: update.changes }, null, 2)}\n`);
  } else if (update.changes.length === 0) {
    io.stdout.write(`${address} already matches its live state; ${shown} was not changed.\n`);
  } else {
    io.stdout.write(
      [
        `Updated ${shown}: ${address} now holds its live state (${live.liveFlow.id}):`,
        ...update.changes.map((c) => `  ${c}`),
        '',
        `Review and commit it (git add ${shown} && git commit). Until the commit reaches what the daemon follows,`,
        `a daemon with drift: heal still puts the manifest's old state back. The next apply only refreshes`,
        'the ownership tag.',
        '',
      ].join('\n'),
    );
  }
  return 0;
}
