// Checks that span documents or need more than a schema: unique names, account references and
// types, target params per type, duplicate segments and attributes, XDM rules, guardrails.
import type { Diagnostic } from '../domain/diagnostics.ts';
import { DESTINATION_TYPE_SPECS } from '../domain/specs.ts';
import { diag, formatPath } from './diag.ts';
import type { AccountManifest, BrokenManifest, DestinationManifest, Manifest } from './documents.ts';
import { GUARDRAILS } from './limits.ts';
import { didYouMean } from './schema-diagnostics.ts';

/** A document listing several sandboxes yields one manifest per sandbox: its findings name which. */
export const where = (m: Manifest, p: (string | number)[], key = false) => ({ file: m.doc.file, ...m.doc.locate(p, { key }), path: formatPath(p), ...(m.shared ? { sandbox: m.sandbox } : {}) });
const posText = (m: Manifest) => `${m.doc.file}:${m.doc.start.line}`;

/** Later manifests with a name already taken are duplicates; the first one stays valid. */
export function checkUniqueNames(manifests: readonly Manifest[]): { duplicates: Set<Manifest>; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  const duplicates = new Set<Manifest>();
  const first = new Map<string, Manifest>();
  for (const m of manifests) {
    const key = `${m.kind}\0${m.sandbox}\0${m.name}`;
    const prev = first.get(key);
    if (!prev) {
      first.set(key, m);
      continue;
    }
    duplicates.add(m);
    out.push(
      diag('error', 'FS_MANIFEST_DUPLICATE_NAME', `${m.kind} ${m.name} in sandbox ${m.sandbox} is already defined at ${posText(prev)}`, 'Names are unique per kind and sandbox: rename one of them or delete the copy.', where(m, ['metadata', 'name'])),
    );
  }
  return { duplicates, diagnostics: out };
}

/** The account each destination uses; errors for missing ones (unless that account only failed its schema). */
export function checkAccountRefs(destinations: readonly DestinationManifest[], accounts: readonly AccountManifest[], broken: readonly BrokenManifest[]): { resolved: Map<DestinationManifest, AccountManifest>; diagnostics: Diagnostic[] } {
  const out: Diagnostic[] = [];
  const resolved = new Map<DestinationManifest, AccountManifest>();
  const byKey = new Map<string, AccountManifest>();
  for (const a of accounts) if (!byKey.has(`${a.sandbox}\0${a.name}`)) byKey.set(`${a.sandbox}\0${a.name}`, a); // the first of duplicates
  const brokenKeys = new Set(broken.filter((b) => b.kind === 'DestinationAccount').map((b) => `${b.sandbox}\0${b.name}`));
  for (const d of destinations) {
    const account = byKey.get(`${d.sandbox}\0${d.spec.account}`);
    if (account) {
      resolved.set(d, account);
      continue;
    }
    if (brokenKeys.has(`${d.sandbox}\0${d.spec.account}`)) continue; // its own errors are reported
    const elsewhere = accounts.filter((a) => a.name === d.spec.account).map((a) => a.sandbox);
    const inSandbox = accounts.filter((a) => a.sandbox === d.sandbox).map((a) => a.name);
    const guess = didYouMean(d.spec.account, inSandbox);
    const hint = elsewhere.length
      ? `Account ${d.spec.account} exists in sandbox ${elsewhere.join(', ')}; a destination and its account must be in the same sandbox (set metadata.sandbox on both).`
      : guess
        ? `Did you mean ${guess}? Accounts in sandbox ${d.sandbox}: ${inSandbox.join(', ')}.`
        : `Add a DestinationAccount named ${d.spec.account} in sandbox ${d.sandbox}${inSandbox.length ? `, or use one of: ${inSandbox.join(', ')}` : ''}.`;
    out.push(diag('error', 'FS_MANIFEST_ACCOUNT_NOT_FOUND', `spec.account: no DestinationAccount ${d.spec.account} in sandbox ${d.sandbox}`, hint, where(d, ['spec', 'account'])));
  }
  return { resolved, diagnostics: out };
}

/** Target params must be those of the account's type: required ones present, foreign ones absent. */
export function checkTarget(d: DestinationManifest, account: AccountManifest): Diagnostic[] {
  const out: Diagnostic[] = [];
  const spec = DESTINATION_TYPE_SPECS[account.spec.type];
  const allowed = new Set([...spec.targetParams, ...spec.optionalTargetParams]);
  for (const key of Object.keys(d.spec.target)) {
    if (!allowed.has(key)) {
      out.push(
        diag('error', 'FS_MANIFEST_TARGET', `spec.target.${key} does not apply to ${account.spec.type} destinations (account ${account.name})`, `${spec.displayName} targets take: ${[...allowed].join(', ')}.`, where(d, ['spec', 'target', key], true)),
      );
    }
  }
  for (const key of spec.targetParams) {
    if (d.spec.target[key] !== undefined) continue;
    if (key === 'region' && typeof account.spec.auth.region === 'string') continue; // defaults to the account's region
    const hint = key === 'region' ? 'Set spec.target.region, or give the account a plain (not referenced) auth.region to default to.' : `${spec.displayName} targets need ${spec.targetParams.join(' and ')}.`;
    out.push(diag('error', 'FS_MANIFEST_TARGET', `spec.target.${key} is required for ${account.spec.type} destinations`, hint, where(d, ['spec', 'target'], true)));
  }
  return out;
}

export function checkSegmentsAndAttributes(d: DestinationManifest): Diagnostic[] {
  const out: Diagnostic[] = [];
  const segments = d.spec.segments ?? [];
  // By id, and by name among the entries without an id (a name and an id of one audience meet at plan time).
  // Two maps rather than one of composed keys: 200,000 entries at 10,000 destinations made as many key strings.
  const seenId = new Map<string, number>();
  const seenName = new Map<string, number>();
  segments.forEach((s, i) => {
    const id = s.id?.toLowerCase();
    const seen = id !== undefined ? seenId : seenName;
    const key = id ?? s.name ?? '';
    const prev = seen.get(key);
    if (prev !== undefined) {
      const what = id !== undefined ? `segment ${id}` : `audience ${JSON.stringify(s.name)}`;
      out.push(diag('error', 'FS_MANIFEST_DUPLICATE_SEGMENT', `spec.segments[${i}]: ${what} is already listed at spec.segments[${prev}]`, 'List each audience once.', where(d, ['spec', 'segments', i, id !== undefined ? 'id' : 'name'])));
    } else seen.set(key, i);
  });
  const attrs = d.spec.profileAttributes ?? [];
  const seenAttr = new Map<string, number>();
  attrs.forEach((a, i) => {
    const prev = seenAttr.get(a);
    if (prev !== undefined) {
      out.push(diag('error', 'FS_MANIFEST_DUPLICATE_ATTRIBUTE', `spec.profileAttributes[${i}]: ${a} is already listed at spec.profileAttributes[${prev}]`, 'List each attribute once.', where(d, ['spec', 'profileAttributes', i])));
    } else seenAttr.set(a, i);
    const dot = a.indexOf('.');
    const root = dot < 0 ? a : a.slice(0, dot);
    if (root === 'segmentMembership') {
      out.push(diag('error', 'FS_MANIFEST_ATTRIBUTE_PATH', `spec.profileAttributes[${i}]: segmentMembership cannot be selected`, 'Audience membership is exported automatically for the segments listed in spec.segments; remove this entry.', where(d, ['spec', 'profileAttributes', i])));
    } else if (root === 'identityMap') {
      out.push(diag('warning', 'FS_MANIFEST_ATTRIBUTE_PATH', `spec.profileAttributes[${i}]: identityMap is always exported in full`, 'Remove this entry; it has no effect.', where(d, ['spec', 'profileAttributes', i])));
    }
  });
  const guard = (count: number, limit: { soft: number; hard: number }, field: string, what: string) => {
    if (count > limit.hard) {
      out.push(diag('error', 'FS_MANIFEST_GUARDRAIL', `spec.${field} lists ${count} ${what}; flowsync refuses more than ${limit.hard} (Adobe guardrail: ${limit.soft} per dataflow)`, `Split the ${what} over several destinations.`, where(d, ['spec', field])));
    } else if (count > limit.soft) {
      out.push(diag('warning', 'FS_MANIFEST_GUARDRAIL', `spec.${field} lists ${count} ${what}; Adobe's guardrail is ${limit.soft} per dataflow`, `Above the guardrail AEP may slow down or refuse the dataflow; split the ${what} over several destinations.`, where(d, ['spec', field])));
    }
  };
  guard(segments.length, GUARDRAILS.segmentsPerDataflow, 'segments', 'segments');
  guard(attrs.length, GUARDRAILS.attributesPerDataflow, 'profileAttributes', 'attributes');
  return out;
}

export function checkDescription(m: Manifest): Diagnostic[] {
  if (!m.spec.description || !/\[flowsync:/i.test(m.spec.description)) return [];
  return [diag('error', 'FS_MANIFEST_DESCRIPTION', 'spec.description must not contain "[flowsync:"', 'flowsync appends its ownership tag to the description itself; remove the tag text.', where(m, ['spec', 'description']))];
}

/** Destinations per sandbox (destinations sorted by sandbox, name). */
export function checkDestinationsPerSandbox(destinations: readonly DestinationManifest[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bySandbox = new Map<string, DestinationManifest[]>();
  for (const d of destinations) bySandbox.set(d.sandbox, [...(bySandbox.get(d.sandbox) ?? []), d]);
  const { soft, hard } = GUARDRAILS.destinationsPerSandbox;
  for (const [sandbox, list] of bySandbox) {
    if (list.length <= soft) continue;
    const over = list[list.length > hard ? hard : soft]!;
    const error = list.length > hard;
    out.push(
      diag(
        error ? 'error' : 'warning',
        'FS_MANIFEST_GUARDRAIL',
        error ? `sandbox ${sandbox} has ${list.length} destinations; flowsync refuses more than ${hard} (Adobe guardrail: ${soft})` : `sandbox ${sandbox} has ${list.length} destinations; Adobe's guardrail is ${soft} per sandbox`,
        'Merge destinations that share a target, or spread them over sandboxes.',
        where(over, ['metadata', 'name']),
      ),
    );
  }
  return out;
}
