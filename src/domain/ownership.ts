// Ownership without a state file: every entity flowsync creates carries a tag at the end of its
// description, e.g. "Summer campaign [flowsync:destination/summer-campaign h=3f2a9c01d4e5]".
//   kind/name  which manifest owns the entity (names are unique per kind and sandbox)
//   h=         digest of the desired spec last applied: a diff while it still matches the manifest
//              is live drift, a diff after it changed is a manifest change
//   c=         credential fingerprint (accounts only): a secret change is detected without storing it
// Entities without a tag are never changed or deleted, except an explicit adoption of an entity
// whose name and shape match a manifest (see README "Ownership").

export type OwnerKind = 'account' | 'destination' | 'profile-store';

export interface OwnerTag {
  kind: OwnerKind;
  name: string; // '' for profile-store
  specHash?: string;
  credentialFingerprint?: string;
}

const TAG_RE = /\s*\[flowsync:(account|destination|profile-store)(?:\/([A-Za-z0-9._-]+))?((?: [hc]=[0-9a-f]+)*)\]\s*$/;

export function formatOwnerTag(tag: OwnerTag): string {
  let text = `[flowsync:${tag.kind}${tag.name ? `/${tag.name}` : ''}`;
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
    const [key, value] = part.split('=') as [string, string];
    if (key === 'h') tag.specHash = value;
    if (key === 'c') tag.credentialFingerprint = value;
  }
  return { userDescription: raw.slice(0, match.index).trim(), tag };
}
