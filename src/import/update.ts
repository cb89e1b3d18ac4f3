// `flowsync import --update NAME`, pure part: the live state of one destination written into the
// YAML text of its existing manifest file. Only the fields that differ are touched, in place: the
// file's other documents, its comments and its secret references stay as they are (a comment on a
// removed list item goes with the item).
import { isMap, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { canonicalJson } from '../domain/fingerprint.ts';
import type { DesiredDestination } from '../domain/model.ts';
import type { ImportedDestination } from './select.ts';

export interface ManifestUpdate {
  text: string;
  /** For people: 'enabled: true → false', '+ segment <id> (<name>)', … Empty when the file already matches. */
  changes: string[];
}

const SPEC = 'spec';

function findDoc(docs: Document.Parsed[], d: DesiredDestination, defaultSandbox: string): Document.Parsed | undefined {
  return docs.find((doc) => {
    const v = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown; sandbox?: unknown } } | null;
    return v?.kind === 'StreamingDestination' && v.metadata?.name === d.name && (v.metadata.sandbox ?? defaultSandbox) === d.sandbox;
  });
}

/**
 * True when the destination's document lists several sandboxes (metadata.sandboxes): its fields are
 * shared, so a change seen in one sandbox is not written into it (it belongs in spec.overrides.<sandbox>, by hand).
 */
export function isSharedManifest(text: string, d: DesiredDestination): boolean {
  return (parseAllDocuments(text) as Document.Parsed[]).some((doc) => {
    const v = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown; sandboxes?: unknown } } | null;
    return v?.kind === 'StreamingDestination' && v.metadata?.name === d.name && Array.isArray(v.metadata.sandboxes) && v.metadata.sandboxes.includes(d.sandbox);
  });
}

/** Brings a YAML list in line with `want` (by key): items not wanted are removed, missing ones appended. */
function syncList<T>(doc: Document.Parsed, key: string, have: T[], want: T[], id: (v: T) => string, label: (v: T) => string, changes: string[]): void {
  const wanted = new Set(want.map(id));
  const present = new Set(have.map(id));
  const gone = have.filter((v) => !wanted.has(id(v)));
  const added = want.filter((v) => !present.has(id(v)));
  if (gone.length === 0 && added.length === 0) return;
  for (const v of gone) changes.push(`- ${label(v)}`);
  for (const v of added) changes.push(`+ ${label(v)}`);
  const node = doc.getIn([SPEC, key], true) as Node | undefined;
  if (!isSeq(node)) {
    doc.setIn([SPEC, key], want);
    return;
  }
  node.items = node.items.filter((item) => {
    const value = (item as Node).toJSON?.() ?? item;
    return wanted.has(id(value as T));
  });
  for (const v of added) node.items.push(doc.createNode(v));
}

/**
 * The file's text with destination `d` (as the manifests say it) replaced by `live` (as the org
 * has it). undefined when the file holds no such document.
 */
export function updateManifestText(text: string, d: DesiredDestination, live: ImportedDestination, defaultSandbox: string, audienceId: (name: string) => string | undefined = () => undefined): ManifestUpdate | undefined {
  const docs = parseAllDocuments(text) as Document.Parsed[];
  const doc = findDoc(docs, d, defaultSandbox);
  if (!doc || !isMap(doc.get(SPEC, true))) return undefined;
  const changes: string[] = [];
  if (d.description !== live.description) {
    changes.push(`description ${JSON.stringify(d.description)} → ${JSON.stringify(live.description)}`);
    if (live.description) doc.setIn([SPEC, 'description'], live.description);
    else doc.deleteIn([SPEC, 'description']);
  }
  if (canonicalJson(d.target) !== canonicalJson(live.target)) {
    changes.push(`target ${canonicalJson(d.target)} → ${canonicalJson(live.target)}`);
    doc.setIn([SPEC, 'target'], { ...live.target });
  }
  if (d.enabled !== live.enabled) {
    changes.push(`enabled: ${d.enabled} → ${live.enabled}`);
    doc.setIn([SPEC, 'enabled'], live.enabled);
  }
  // A segment written by name is the audience the sandbox gives that name (audienceId); by id, that id.
  type Written = { id?: string; name?: string };
  const segId = (s: Written) => s.id?.toLowerCase() ?? (s.name !== undefined ? audienceId(s.name) : undefined) ?? `name:${s.name ?? ''}`;
  const segLabel = (s: Written) => (s.id ? `segment ${s.id}${s.name ? ` (${s.name})` : ''}` : `audience ${JSON.stringify(s.name)}`);
  const haveSegments = ((doc.getIn([SPEC, 'segments']) as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? []) as Written[];
  const wantSegments = live.writeSegments ?? live.segments.map((s) => (s.name ? { id: s.id, name: s.name } : { id: s.id }));
  syncList<Written>(doc, 'segments', haveSegments.filter((s) => typeof s?.id === 'string' || typeof s?.name === 'string'), wantSegments, segId, segLabel, changes);
  const haveAttrs = ((doc.getIn([SPEC, 'profileAttributes']) as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? []) as string[];
  syncList(doc, 'profileAttributes', haveAttrs.filter((a) => typeof a === 'string'), live.profileAttributes, (a) => a, (a) => `profile attribute ${a}`, changes);
  if (changes.length === 0) return { text, changes };
  return { text: docs.map((x) => x.toString({ lineWidth: 0 })).join(''), changes };
}
