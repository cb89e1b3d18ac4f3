// Which imported entities flowsync already owns, and by which manager (the tag's m=), so that
// import says "already managed by …" instead of implying they are untagged. Pure.
import { parseOwnerTag } from '../domain/owner-tag.ts';
import type { ImportSelection } from './select.ts';

export interface OwnedImport {
  /** The plan address, e.g. 'prod/destination/summer'. */
  address: string;
  /** The tag's manager; undefined for a tag written before managers existed. */
  manager: string | undefined;
}

export interface Ownership {
  owned: OwnedImport[];
  /** Imported entities without any flowsync tag. */
  untagged: number;
}

export function ownershipOf(sel: ImportSelection): Ownership {
  const owned: OwnedImport[] = [];
  let untagged = 0;
  const add = (address: string, descriptions: string[]) => {
    const tag = descriptions.map((d) => parseOwnerTag(d).tag).find((t) => t !== undefined);
    if (tag) owned.push({ address, manager: tag.manager });
    else untagged++;
  };
  for (const a of sel.accounts) if (!a.managedElsewhere) add(`${a.sandbox}/account/${a.name}`, [a.live.description]);
  for (const d of sel.destinations) add(`${d.sandbox}/destination/${d.name}`, [d.liveFlow.description, d.liveTarget.description]);
  return { owned, untagged };
}

/** One line per owned entity: who manages it, and what that means for this config. */
export function ownershipLines(own: Ownership, manager: string): string[] {
  if (own.owned.length === 0) return [];
  const lines = ['Already managed by flowsync (the ownership tags name the manager):'];
  for (const o of own.owned) {
    const who =
      o.manager === undefined
        ? 'a tag written before managers existed; this config takes it over'
        : o.manager === manager
          ? `manager ${o.manager}, this config`
          : `manager ${o.manager}, another config: not adopted, and plan reports it as a conflict`;
    lines.push(`  ${o.address} (${who})`);
  }
  return lines;
}
