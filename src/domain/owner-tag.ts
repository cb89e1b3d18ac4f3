// Ownership without a state file: every entity flowsync creates carries a tag at the end of its
// description, e.g. "Summer campaign [flowsync:destination/summer-campaign m=github.com/acme/aep h=3f2a9c01d4e5]".
//   kind/name  which manifest owns the entity (names are unique per kind and sandbox)
//   m=         the manager: the config that manages the entity (docs/concepts/several-writers.md "Managers");
//              a tag without it was written before managers existed (legacy) and is taken over once
//   h=         digest of the desired spec last applied: a diff while it still matches the manifest
//              is live drift, a diff after it changed is a manifest change
//   c=         credential fingerprint (accounts only): a secret change is detected without storing it
// Entities without a tag are never changed or deleted, except an explicit adoption of an entity
// whose name and shape match a manifest (see docs/concepts/ownership.md). This module is the one place
// that knows the tag's text, and the hashes the planner stores in it.
import type { DesiredAccount, DesiredDestination } from './model.ts';
import { specHash } from './fingerprint.ts';

export type OwnerKind = 'account' | 'destination' | 'profile-store';

export interface OwnerTag {
  kind: OwnerKind;
  name: string; // '' for profile-store
  /** Absent on tags written before managers existed. */
  manager?: string;
  specHash?: string;
  credentialFingerprint?: string;
}

/** Same charset and length as the config schema's `manager`. */
export const MANAGER_RE = /^[A-Za-z0-9._/-]{1,128}$/;

const TAG_RE = /\s*\[flowsync:(account|destination|profile-store)(?:\/([A-Za-z0-9._-]+))?((?: m=[A-Za-z0-9._/-]{1,128})?(?: [hc]=[0-9a-f]+)*)\]\s*$/;

export function formatOwnerTag(tag: OwnerTag): string {
  let text = `[flowsync:${tag.kind}${tag.name ? `/${tag.name}` : ''}`;
  if (tag.manager) text += ` m=${tag.manager}`;
  if (tag.specHash) text += ` h=${tag.specHash}`;
  if (tag.credentialFingerprint) text += ` c=${tag.credentialFingerprint}`;
  return `${text}]`;
}

/** The description to send: the user's text followed by the tag. */
export function describeWithTag(userDescription: string, tag: OwnerTag): string {
  const text = userDescription.trim();
  return text ? `${text} ${formatOwnerTag(tag)}` : formatOwnerTag(tag);
}

/** Split a live description into the user's text and the tag (undefined when not flowsync's). */
export function parseOwnerTag(description: string | undefined): { userDescription: string; tag?: OwnerTag } {
  const raw = description ?? '';
  const match = TAG_RE.exec(raw);
  if (!match) return { userDescription: raw.trim() };
  const tag: OwnerTag = { kind: match[1] as OwnerKind, name: match[2] ?? '' };
  for (const part of (match[3] ?? '').trim().split(' ').filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'm') tag.manager = value;
    if (key === 'h') tag.specHash = value;
    if (key === 'c') tag.credentialFingerprint = value;
  }
  return { userDescription: raw.slice(0, match.index).trim(), tag };
}

export function tagOf(description: string | undefined): OwnerTag | undefined {
  return parseOwnerTag(description).tag;
}

export type Owner = 'mine' | 'legacy' | 'foreign';

/** Whose entity a tag marks, seen from `myManager`. */
export function ownerOf(tag: OwnerTag, myManager: string): Owner {
  if (tag.manager === undefined) return 'legacy';
  return tag.manager === myManager ? 'mine' : 'foreign';
}

/** Mine or legacy: the entities this manager may write. */
export function isOurs(tag: OwnerTag | undefined, myManager: string): tag is OwnerTag {
  return !!tag && ownerOf(tag, myManager) !== 'foreign';
}

export function sameTag(a: OwnerTag | undefined, b: OwnerTag): boolean {
  return (
    !!a && a.kind === b.kind && a.name === b.name && (a.manager ?? '') === (b.manager ?? '') && (a.specHash ?? '') === (b.specHash ?? '') &&
    (a.credentialFingerprint ?? '') === (b.credentialFingerprint ?? '')
  );
}

// ---- the spec hashes (h=): exactly the fields the planner compares, so "tag hash equals desired
// hash" means "the manifest did not change since the last apply" and any live difference is drift.

/** Base connection: type (connection spec), name, description and the non-secret auth params. */
export function accountHash(a: DesiredAccount): string {
  return specHash({ kind: 'account', type: a.type, name: a.name, description: a.description, authParams: a.authParams });
}

// The planner hashes two of these per destination on every plan: their keys are written in
// canonical (sorted) order, so canonicalJson finds nothing to reorder and copies nothing.

/** Target connection: the account it hangs off, type, name, description, params and format. */
export function targetHash(d: DesiredDestination): string {
  return specHash({ account: d.account, description: d.description, format: d.format, kind: 'target', name: d.name, target: d.target, type: d.type });
}

/** Flow: name, description, enabled and the selector sets (segment labels are not compared). */
export function flowHash(d: DesiredDestination): string {
  return specHash({
    description: d.description,
    enabled: d.enabled,
    kind: 'flow',
    name: d.name,
    profileAttributes: d.profileAttributes,
    segments: d.segments.map((s) => s.id),
  });
}

export function accountTag(a: DesiredAccount, manager: string): OwnerTag {
  const tag: OwnerTag = { kind: 'account', name: a.name, manager, specHash: accountHash(a) };
  if (a.credentialFingerprint) tag.credentialFingerprint = a.credentialFingerprint;
  return tag;
}

export function targetTag(d: DesiredDestination, manager: string): OwnerTag {
  return { kind: 'destination', name: d.name, manager, specHash: targetHash(d) };
}

export function flowTag(d: DesiredDestination, manager: string): OwnerTag {
  return { kind: 'destination', name: d.name, manager, specHash: flowHash(d) };
}

export function profileStoreTag(manager: string): OwnerTag {
  return { kind: 'profile-store', name: '', manager };
}
