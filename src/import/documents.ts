// Imported accounts and destinations → manifest files (YAML text), one file per destination and
// one accounts file per sandbox, each starting with the editor modeline. Pure: paths and text out.
import path from 'node:path';
import { Document, isMap, visit } from 'yaml';
import type { DriftPolicy } from '../domain/model.ts';
import type { ImportedAccount, ImportedDestination, ImportSelection } from './select.ts';

export interface ManifestFile {
  /** Relative to the import folder, '/' separated, e.g. 'prod/accounts.yaml'. */
  path: string;
  kind: 'accounts' | 'destination';
  sandbox: string;
  names: string[];
  text: string;
}

export interface RenderOptions {
  /** The schemas folder as the modeline should reach it from the import folder ('/' separated, relative or a URL). */
  schemasFromOut: string;
  /** Drift policies to keep (an existing manifest's), by `${sandbox}/${name}`; the rest get heal. */
  drift?: ReadonlyMap<string, DriftPolicy>;
}

/** One line, no control characters: live names go into comments. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

function accountDoc(a: ImportedAccount): Record<string, unknown> {
  const spec: Record<string, unknown> = { type: a.type };
  if (a.description) spec.description = a.description;
  spec.auth = { ...a.auth };
  return { apiVersion: 'flowsync/v1', kind: 'DestinationAccount', metadata: { name: a.name, sandbox: a.sandbox }, spec };
}

function destinationDoc(d: ImportedDestination, drift: DriftPolicy): Record<string, unknown> {
  const spec: Record<string, unknown> = { account: d.account };
  if (d.description) spec.description = d.description;
  spec.target = { ...d.target };
  spec.format = 'json';
  spec.enabled = d.enabled;
  spec.drift = drift;
  spec.segments = d.writeSegments ?? d.segments.map((s) => (s.name === undefined ? { id: s.id } : { id: s.id, name: s.name }));
  spec.profileAttributes = [...d.profileAttributes];
  return { apiVersion: 'flowsync/v1', kind: 'StreamingDestination', metadata: { name: d.name, sandbox: d.sandbox }, spec };
}

function yamlDoc(value: Record<string, unknown>, comment: string): string {
  const doc = new Document(value);
  // `{ fromEnv: NAME }` on one line, as the README writes references.
  visit(doc, { Map: (_key, node) => { if (isMap(node) && node.items.length === 1 && String((node.items[0]!.key as { value?: unknown }).value) === 'fromEnv') node.flow = true; } });
  doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
}

function modeline(filePath: string, schemasFromOut: string, schema: string): string {
  if (/^[a-z]+:\/\//.test(schemasFromOut)) return `# yaml-language-server: $schema=${schemasFromOut.replace(/\/$/, '')}/${schema}`;
  const up = path.posix.relative(path.posix.dirname(filePath), '.') || '.';
  return `# yaml-language-server: $schema=${path.posix.join(up, schemasFromOut, schema)}`;
}

/** The file name of a destination; `accounts.yaml` is the sandbox's accounts file. */
export function destinationFile(d: Pick<ImportedDestination, 'sandbox' | 'name'>): string {
  return `${d.sandbox}/${d.name === 'accounts' ? 'accounts-destination' : d.name}.yaml`;
}

export function renderFiles(sel: ImportSelection, opts: RenderOptions): ManifestFile[] {
  const files: ManifestFile[] = [];
  const sandboxes = [...new Set(sel.accounts.filter((a) => !a.managedElsewhere).map((a) => a.sandbox))].sort();
  for (const sandbox of sandboxes) {
    const accounts = sel.accounts.filter((a) => a.sandbox === sandbox && !a.managedElsewhere);
    const file = `${sandbox}/accounts.yaml`;
    const docs = accounts.map((a) =>
      yamlDoc(accountDoc(a), ` Imported from base connection "${oneLine(a.live.name)}" (${a.live.id}).\n Secrets are references: set ${Object.values(a.auth).filter((v) => typeof v !== 'string').map((v) => (v as { fromEnv: string }).fromEnv).join(', ')}.`),
    );
    files.push({ path: file, kind: 'accounts', sandbox, names: accounts.map((a) => a.name), text: `${modeline(file, opts.schemasFromOut, 'account.schema.json')}\n${docs.join('---\n')}` });
  }
  for (const d of sel.destinations) {
    const file = destinationFile(d);
    const comment = ` Imported from dataflow "${oneLine(d.liveFlow.name)}" (${d.liveFlow.id})\n and target connection "${oneLine(d.liveTarget.name)}" (${d.liveTarget.id}).`;
    files.push({ path: file, kind: 'destination', sandbox: d.sandbox, names: [d.name], text: `${modeline(file, opts.schemasFromOut, 'destination.schema.json')}\n${yamlDoc(destinationDoc(d, opts.drift?.get(`${d.sandbox}/${d.name}`) ?? 'heal'), comment)}` });
  }
  return files;
}

/**
 * The selection without the destinations whose file would not validate (a live value the manifests
 * cannot express, e.g. a segment id that is not a UUID): they are skipped with the reasons, so one
 * odd dataflow never blocks the others. undefined when an accounts file has errors.
 */
export function withoutInvalid(sel: ImportSelection, errorsByFile: ReadonlyMap<string, string[]>): ImportSelection | undefined {
  if ([...errorsByFile.keys()].some((f) => f.endsWith('/accounts.yaml'))) return undefined;
  const skipped = [...sel.skipped];
  const destinations = sel.destinations.filter((d) => {
    const errors = errorsByFile.get(destinationFile(d));
    if (!errors) return true;
    skipped.push({ sandbox: d.sandbox, entity: `dataflow "${oneLine(d.liveFlow.name)}" (${d.liveFlow.id})`, reason: `its manifest would not validate: ${errors.join('; ')}` });
    return false;
  });
  return { ...sel, destinations, skipped };
}
