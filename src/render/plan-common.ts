// Shared by the plan views: markers, grouping by sandbox and address, and the detail lines of each
// action. Plain strings only; colour and markup are added by each view. Never prints a secret:
// plans hold none, and any value under a secret param name is shown as "(redacted)" anyway.
import type { Action, Conflict, FieldChange, LabelChange, Orphan, Overwrite, Plan } from '../domain/plan.ts';
import { DESTINATION_TYPE_SPECS } from '../domain/specs.ts';
import { parseOwnerTag } from '../domain/owner-tag.ts';

export const MARKERS: Record<Action['change'], string> = { create: '+', update: '~', delete: '-', replace: '-/+' };

const SECRET_NAMES = new Set(Object.values(DESTINATION_TYPE_SPECS).flatMap((s) => [...s.secretParams]));
const PLACEHOLDERS = new Set(['(unknown)', '(changed)', '(from secret reference)']);

export function isSecretField(field: string): boolean {
  const last = field.split('.').pop() ?? field;
  return SECRET_NAMES.has(last);
}

export function formatValue(field: string, value: unknown): string {
  if (typeof value === 'string' && PLACEHOLDERS.has(value)) return value;
  if (isSecretField(field) && value !== undefined && value !== null) return '(redacted)';
  if (value === undefined || value === null) return '(none)';
  return JSON.stringify(value);
}

export function fieldLine(c: FieldChange): string {
  if (c.field === 'tag') return `ownership tag: ${String(c.from)} → ${String(c.to)}`;
  return `${c.field}: ${formatValue(c.field, c.from)} → ${formatValue(c.field, c.to)}`;
}

/**
 * Every write refreshes the ownership tag; the refresh is shown only when it is news: on an
 * adoption (no tag before), a takeover (another manager's or a pre-manager tag) or when it is the
 * only change.
 */
function changeLines(changes: FieldChange[], otherLines: number, takeover: boolean): DetailLine[] {
  const meaningful = changes.filter((c) => c.field !== 'tag');
  const shown = changes.filter((c) => c.field !== 'tag' || takeover || c.from === '(none)' || meaningful.length + otherLines === 0);
  return shown.map((c) => ({ text: fieldLine(c) }));
}

/** One detail line: a selector-level marker ('+', '-') or none for a field. */
export interface DetailLine {
  marker?: '+' | '-';
  text: string;
}

function userText(description: string): string {
  return parseOwnerTag(description).userDescription;
}

function segmentText(s: { id: string; name?: string }): string {
  return s.name ? `segment ${s.id} (${s.name})` : `segment ${s.id}`;
}

export function actionDetails(a: Action): DetailLine[] {
  switch (a.type) {
    case 'create-account':
      return [
        ...(userText(a.description) ? [{ text: `description: ${JSON.stringify(userText(a.description))}` }] : []),
        ...Object.keys(a.authParams).sort().map((k) => ({ text: `auth.${k}: ${formatValue(`auth.${k}`, a.authParams[k])}` })),
        ...a.secretParams.map((k) => ({ text: `auth.${k}: (from secret reference)` })),
      ];
    case 'update-account':
      return [
        ...changeLines(a.changes, a.rotateCredentials ? 1 : 0, a.origin === 'takeover'),
        ...(a.rotateCredentials ? [{ text: 'credentials: all auth params are sent again (secret values are read at apply time)' }] : []),
      ];
    case 'create-profile-store':
      return a.baseConnectionId ? [{ text: `reuses base connection ${a.baseConnectionId}` }] : [];
    case 'create-target-connection':
      return [
        { text: `account: ${a.account}${a.baseConnectionId ? ` (base connection ${a.baseConnectionId})` : ''}` },
        ...(userText(a.description) ? [{ text: `description: ${JSON.stringify(userText(a.description))}` }] : []),
        ...Object.keys(a.params).sort().map((k) => ({ text: `params.${k}: ${formatValue(k, a.params[k])}` })),
      ];
    case 'update-target-connection':
      return [...changeLines(a.changes, 0, a.origin === 'takeover'), ...overwriteLines(a.overwrites)];
    case 'create-flow':
      return [
        ...(userText(a.description) ? [{ text: `description: ${JSON.stringify(userText(a.description))}` }] : []),
        ...a.segments.map((s): DetailLine => ({ marker: '+', text: segmentText(s) })),
        ...a.profileAttributes.map((p): DetailLine => ({ marker: '+', text: `attribute ${p}` })),
        ...(a.enabled ? [] : [{ text: 'state: created, then disabled' }]),
      ];
    case 'update-flow':
      return [
        ...changeLines(a.changes, a.addSegments.length + a.removeSegments.length + a.addAttributes.length + a.removeAttributes.length, a.origin === 'takeover'),
        ...a.removeSegments.map((s): DetailLine => ({ marker: '-', text: segmentText(s) })),
        ...a.addSegments.map((s): DetailLine => ({ marker: '+', text: segmentText(s) })),
        ...a.removeAttributes.map((x): DetailLine => ({ marker: '-', text: `attribute ${x.path}` })),
        ...a.addAttributes.map((p): DetailLine => ({ marker: '+', text: `attribute ${p}` })),
        ...overwriteLines(a.overwrites),
      ];
    case 'set-flow-state':
      return [{ text: `state: ${JSON.stringify(a.from)} → ${JSON.stringify(a.to)}` }];
    default:
      return [{ text: `id: ${a.entityId}` }];
  }
}

/** A manifest change meeting a live change made elsewhere: the live values the update replaces, and who changed the entity last. */
function overwriteLines(o: Overwrite | undefined): DetailLine[] {
  if (!o) return [];
  const values = o.changes.map((c) => `${c.field} ${formatValue(c.field, c.from)}`).join(', ');
  return [{ text: `overwrites live values changed outside flowsync (${lastWriteText(o.lastWrite)}): ${values}` }];
}

export function actionHeadline(a: Action): string {
  return a.origin === 'manifest' ? a.summary : `${a.summary} [${a.origin}]`;
}

/** "prod/destination/summer-campaign" -> "destination summer-campaign". */
export function addressLabel(address: string): string {
  const [, kind, ...rest] = address.split('/');
  return kind === 'profile-store' ? 'Profile Store' : `${kind} ${rest.join('/')}`;
}

export interface AddressGroup {
  address: string;
  actions: Action[];
}

const KIND_ORDER: Record<string, number> = { account: 0, 'profile-store': 1, destination: 2 };

/** Actions by sandbox, then by address (accounts, Profile Store, destinations; by name), each in execution order. */
export function groupActions(plan: Plan): { sandbox: string; groups: AddressGroup[] }[] {
  const out: { sandbox: string; groups: AddressGroup[] }[] = [];
  for (const sandbox of plan.sandboxes) {
    const byAddress = new Map<string, Action[]>();
    for (const a of plan.actions.filter((x) => x.sandbox === sandbox)) byAddress.set(a.address, [...(byAddress.get(a.address) ?? []), a]);
    if (byAddress.size === 0) continue;
    const kind = (addr: string) => KIND_ORDER[addr.split('/')[1] ?? ''] ?? 3;
    const groups = [...byAddress]
      .sort(([x], [y]) => kind(x) - kind(y) || (x < y ? -1 : x > y ? 1 : 0))
      .map(([address, actions]) => ({ address, actions }));
    out.push({ sandbox, groups });
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the plan leaves for a person besides its actions: duplicates it deletes, orphans, conflicts. */
export function findingsText(s: Plan['summary']): string[] {
  return [
    s.duplicate > 0 ? `${plural(s.duplicate, 'duplicate')} to delete` : '',
    s.orphan > 0 ? `${plural(s.orphan, 'orphan')} (use --prune)` : '',
    s.conflict > 0 ? `${plural(s.conflict, 'conflict')} (another manager owns ${s.conflict === 1 ? 'it' : 'them'}; --force-conflicts takes ${s.conflict === 1 ? 'it' : 'them'} over)` : '',
  ].filter(Boolean);
}

/** "No changes" only when there is nothing to do and nothing to report: no action, duplicate, orphan or conflict. */
export function countsLine(plan: Plan): string {
  const s = plan.summary;
  const findings = findingsText(s);
  if (plan.actions.length === 0 && findings.length === 0) {
    // Drift left alone by its policy (warn, ignore) is not a change to make, but the state does differ.
    const reported = plan.drift.filter((d) => d.drift !== 'heal').length;
    if (reported > 0) return `No changes. ${reported} drifted ${reported === 1 ? 'entity is' : 'entities are'} reported only (see Drift above).`;
    return 'No changes. Live state matches the manifests.';
  }
  const counts = `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.replace} to replace`;
  return findings.length > 0 ? `${counts}; ${findings.join('; ')}.` : `${counts}.`;
}

const ENTITY_LABEL: Record<Conflict['entity'], string> = {
  'base-connection': 'base connection',
  'source-connection': 'source connection',
  'target-connection': 'target connection',
  flow: 'dataflow',
};

export function conflictText(c: Conflict): string {
  return `${c.address}: ${ENTITY_LABEL[c.entity]} ${JSON.stringify(c.name)} (${c.id}) is managed by ${c.manager}`;
}

export function orphanText(o: Orphan): string {
  const why = o.reason === 'no-manifest' ? 'no manifest' : `sandbox ${o.sandbox} is not in the config`;
  return `${o.address}: ${ENTITY_LABEL[o.entity]} ${JSON.stringify(o.name)} (${o.id}), ${why}`;
}

export const LABELS_TITLE = 'Audiences renamed in AEP (labels only: the same audiences stay activated, nothing is sent)';

export function labelText(l: LabelChange): string {
  return `${l.sandbox}/destination/${l.destination}: segment ${l.id}: ${JSON.stringify(l.from)} → ${JSON.stringify(l.to)}`;
}

export const CONFLICTS_TITLE = 'Conflicts (another manager owns these; nothing is written to them)';
export const ORPHANS_TITLE = 'Orphans (owned by this manager, no manifest; deleted only with --prune)';

export function driftVerdict(policy: 'heal' | 'warn' | 'ignore'): string {
  if (policy === 'heal') return 'will be healed by this plan';
  if (policy === 'warn') return 'reported only (drift: warn), not changed';
  return 'ignored (drift: ignore), not changed';
}

/** How to keep a change made outside flowsync instead of healing it: write it into the manifest and commit it. */
export function keepDriftHint(plan: Plan, code: (cmd: string) => string = (cmd) => cmd): string | undefined {
  const healed = plan.drift.filter((d) => d.drift === 'heal' && d.resource === 'destination');
  if (healed.length === 0) return undefined;
  const cmds = healed.map((d) => code(`flowsync import --update ${d.sandbox}/${d.destination}`));
  return `To keep a change made outside flowsync instead of healing it, write the live state into its manifest and commit that: ${cmds.join(', ')}`;
}

export function lastWriteText(w: { updatedAt: number; updatedBy: string; updatedClient?: string } | undefined): string {
  if (!w) return 'changed by an unknown writer';
  const client = w.updatedClient === 'exc_app' ? ' in the AEP UI' : w.updatedClient ? ` via ${w.updatedClient}` : '';
  return `changed by ${w.updatedBy}${client} at ${new Date(w.updatedAt).toISOString()}`;
}

export function driftChangeLine(c: FieldChange): string {
  if (c.from === 'present' && c.to === 'absent') return `${c.field}: added outside flowsync (not in the manifest)`;
  if (c.from === 'absent' && c.to === 'present') return `${c.field}: removed outside flowsync (in the manifest)`;
  return `${c.field}: live ${formatValue(c.field, c.from)}, manifest ${formatValue(c.field, c.to)}`;
}
