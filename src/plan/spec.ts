// What each owned entity should look like: the meaningful fields hashed into its ownership tag
// (`h=`), and the description (user text + tag) the planner writes. The hashed fields are exactly
// the fields the planner compares, so "tag hash equals desired hash" means "the manifest did not
// change since the last apply" and any live difference is drift.
import type { DesiredAccount, DesiredDestination } from '../domain/model.ts';
import { specHash } from '../domain/fingerprint.ts';
import { describeWithTag, type OwnerTag } from '../domain/ownership.ts';
import { DESTINATION_TYPE_SPECS } from '../domain/specs.ts';

/** Base connection: type (connection spec), name, description and the non-secret auth params. */
export function accountHash(a: DesiredAccount): string {
  return specHash({ kind: 'account', type: a.type, name: a.name, description: a.description, authParams: a.authParams });
}

/** Target connection: the account it hangs off, type, name, description, params and format. */
export function targetHash(d: DesiredDestination): string {
  return specHash({ kind: 'target', account: d.account, type: d.type, name: d.name, description: d.description, target: d.target, format: d.format });
}

/** Flow: name, description, enabled and the selector sets (segment labels are not compared). */
export function flowHash(d: DesiredDestination): string {
  return specHash({
    kind: 'flow',
    name: d.name,
    description: d.description,
    enabled: d.enabled,
    segments: d.segments.map((s) => s.id),
    profileAttributes: d.profileAttributes,
  });
}

export function accountTag(a: DesiredAccount): OwnerTag {
  const tag: OwnerTag = { kind: 'account', name: a.name, specHash: accountHash(a) };
  if (a.credentialFingerprint) tag.credentialFingerprint = a.credentialFingerprint;
  return tag;
}

export function targetTag(d: DesiredDestination): OwnerTag {
  return { kind: 'destination', name: d.name, specHash: targetHash(d) };
}

export function flowTag(d: DesiredDestination): OwnerTag {
  return { kind: 'destination', name: d.name, specHash: flowHash(d) };
}

export const PROFILE_STORE_TAG: OwnerTag = { kind: 'profile-store', name: '' };

export function taggedDescription(userDescription: string, tag: OwnerTag): string {
  return describeWithTag(userDescription, tag);
}

export function specFor(type: DesiredAccount['type']) {
  return DESTINATION_TYPE_SPECS[type];
}

export function sameTag(a: OwnerTag | undefined, b: OwnerTag): boolean {
  return (
    !!a && a.kind === b.kind && a.name === b.name && (a.specHash ?? '') === (b.specHash ?? '') &&
    (a.credentialFingerprint ?? '') === (b.credentialFingerprint ?? '')
  );
}
