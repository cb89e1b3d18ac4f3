// Adoption: after import wrote the manifests, flowsync becomes the owner of what it imported, so
// that the next plan is empty. One If-Match PATCH per entity that differs from what the planner
// expects: the ownership tag (kind/name and the spec hash of the manifest as loaded back from the
// written files), the name, and for a target connection its params, for a dataflow duplicate or
// unusable selectors. An account's tag gets no credential fingerprint: flowsync never saw the secret.
import type { FlowServiceClient, PatchOperation } from '../api/index.ts';
import { canonicalJson } from '../domain/fingerprint.ts';
import type { DesiredState } from '../domain/model.ts';
import { accountHash, describeWithTag, flowTag, parseOwnerTag, tagOf, targetTag, type OwnerTag } from '../domain/owner-tag.ts';
import { diffSelectors, hasSelectorChanges, selectorOps } from '../plan/selectors.ts';
import type { ImportSelection } from './select.ts';

export interface AdoptionWrite {
  sandbox: string;
  /** e.g. 'prod/account/kinesis-prod', 'prod/destination/summer' (the plan's addresses). */
  address: string;
  entity: 'base connection' | 'target connection' | 'dataflow';
  collection: 'connections' | 'targetConnections' | 'flows';
  entityId: string;
  liveName: string;
  etag: string;
  ops: PatchOperation[];
  /** What changes, for people: 'name "A" → "a"', 'tag (none) → [flowsync:…]', 'params', 'selectors'. */
  changes: string[];
}

function identityOps(live: { name: string; description: string }, name: string, description: string, tag: OwnerTag) {
  const ops: PatchOperation[] = [];
  const changes: string[] = [];
  if (live.name !== name) {
    ops.push({ op: 'replace', path: '/name', value: name });
    changes.push(`name "${live.name}" → "${name}"`);
  }
  const want = describeWithTag(description, tag);
  if (live.description !== want) {
    ops.push({ op: 'replace', path: '/description', value: want });
    const parsed = parseOwnerTag(live.description);
    const before = parsed.tag ? describeWithTag('', parsed.tag) : '(none)';
    changes.push(`tag ${before} → ${describeWithTag('', tag)}`);
    if (parsed.userDescription !== description.trim()) changes.push(`description "${parsed.userDescription}" → "${description.trim()}"`);
  }
  return { ops, changes };
}

/** Another manager's entity is never adopted: plan reports it as a conflict instead. */
const foreign = (description: string, manager: string) => {
  const m = tagOf(description)?.manager;
  return m !== undefined && m !== manager;
};

/**
 * The writes that make `manager` the owner of the imported entities. `desired` is the state loaded
 * back from the written files (so the hashes are exactly what the planner will compute).
 */
export function planAdoption(sel: ImportSelection, desired: DesiredState, manager: string): AdoptionWrite[] {
  const writes: AdoptionWrite[] = [];
  const accounts = new Map(desired.accounts.map((a) => [`${a.sandbox}/${a.name}`, a]));
  const destinations = new Map(desired.destinations.map((d) => [`${d.sandbox}/${d.name}`, d]));
  for (const imported of sel.accounts) {
    const a = accounts.get(`${imported.sandbox}/${imported.name}`);
    if (imported.managedElsewhere || !a || foreign(imported.live.description, manager)) continue;
    const live = imported.live;
    const tag: OwnerTag = { kind: 'account', name: a.name, manager, specHash: accountHash(a) };
    // Already flowsync's with a credential fingerprint: keep it, the secret did not change.
    const kept = parseOwnerTag(live.description).tag;
    if (kept?.kind === 'account' && kept.name === a.name && kept.credentialFingerprint) tag.credentialFingerprint = kept.credentialFingerprint;
    const { ops, changes } = identityOps(live, a.name, a.description, tag);
    if (ops.length > 0) {
      writes.push({ sandbox: a.sandbox, address: `${a.sandbox}/account/${a.name}`, entity: 'base connection', collection: 'connections', entityId: live.id, liveName: live.name, etag: live.etag, ops, changes });
    }
  }
  for (const imported of sel.destinations) {
    const d = destinations.get(`${imported.sandbox}/${imported.name}`);
    if (!d) continue;
    const address = `${d.sandbox}/destination/${d.name}`;
    const tc = imported.liveTarget;
    const target = identityOps(tc, d.name, d.description, targetTag(d, manager));
    if (canonicalJson(tc.params) !== canonicalJson(d.target)) {
      target.ops.unshift({ op: 'replace', path: '/params', value: { ...d.target } });
      target.changes.push(`params ${canonicalJson(tc.params)} → ${canonicalJson(d.target)}`);
    }
    if (target.ops.length > 0 && !foreign(tc.description, manager)) {
      writes.push({ sandbox: d.sandbox, address, entity: 'target connection', collection: 'targetConnections', entityId: tc.id, liveName: tc.name, etag: tc.etag, ops: target.ops, changes: target.changes });
    }
    const flow = imported.liveFlow;
    const id = identityOps(flow, d.name, d.description, flowTag(d, manager));
    const sel2 = diffSelectors(d.segments, d.profileAttributes, flow);
    const ops = [...(hasSelectorChanges(sel2) ? selectorOps(sel2) : []), ...id.ops];
    if (hasSelectorChanges(sel2)) id.changes.push(`selectors: ${sel2.removeSegments.length + sel2.removeAttributes.length} duplicate or unusable removed, ${sel2.addSegments.length + sel2.addAttributes.length} added`);
    if (ops.length > 0 && !foreign(flow.description, manager)) {
      writes.push({ sandbox: d.sandbox, address, entity: 'dataflow', collection: 'flows', entityId: flow.id, liveName: flow.name, etag: flow.etag, ops, changes: id.changes });
    }
  }
  return writes;
}

export interface AdoptionOutcome {
  write: AdoptionWrite;
  status: 'adopted' | 'failed';
  error?: { code: string; message: string };
}

/** Sends each write with If-Match; one failure (e.g. a 412 because someone edited it) never stops the others. */
export async function runAdoption(client: Pick<FlowServiceClient, 'patch'>, writes: AdoptionWrite[], onOutcome?: (o: AdoptionOutcome) => void): Promise<AdoptionOutcome[]> {
  const outcomes: AdoptionOutcome[] = [];
  for (const write of writes) {
    let outcome: AdoptionOutcome;
    try {
      await client.patch(write.sandbox, write.collection, write.entityId, write.etag, write.ops);
      outcome = { write, status: 'adopted' };
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      outcome = { write, status: 'failed', error: { code: typeof e.code === 'string' ? e.code : 'FS_API_REQUEST', message: String(e.message ?? err) } };
    }
    outcomes.push(outcome);
    onOutcome?.(outcome);
  }
  return outcomes;
}
