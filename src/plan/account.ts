// Accounts: one base connection per DestinationAccount manifest. Create, adopt, update (name,
// description, non-secret auth params, credential rotation) or replace when the type changed
// (a connection spec can never change in place).
import type { DesiredAccount, LiveBaseConnection } from '../domain/model.ts';
import type { CreateAccountAction, FieldChange, PatchOp, UpdateAccountAction } from '../domain/plan.ts';
import { accountHash, describeWithTag, isOurs, formatOwnerTag, parseOwnerTag, sameTag, type OwnerTag } from '../domain/owner-tag.ts';
import { DESTINATION_TYPE_SPECS } from '../domain/specs.ts';
import { byId, WRITABLE_STATES } from './inventory.ts';
import { fieldChange, latest, type AccountStatus, type SandboxCtx } from './context.ts';
import { candidates, inConflict, takeover } from './owners.ts';

export function accountAddress(sandbox: string, name: string): string {
  return `${sandbox}/account/${name}`;
}

function desiredTag(a: DesiredAccount, manager: string, live: OwnerTag | undefined, sendsCredentials = true): OwnerTag {
  const tag: OwnerTag = { kind: 'account', name: a.name, manager, specHash: accountHash(a) };
  // Without a resolved secret (validate-only runs) the recorded fingerprint is kept as it is; a
  // fingerprint is only recorded for credentials flowsync actually sent.
  const fp = (sendsCredentials && a.credentialFingerprint) || live?.credentialFingerprint;
  if (fp) tag.credentialFingerprint = fp;
  return tag;
}

function createAccount(ctx: SandboxCtx, a: DesiredAccount, change: 'create' | 'replace', dependsOn: string[]): CreateAccountAction {
  const spec = DESTINATION_TYPE_SPECS[a.type];
  const id = `${accountAddress(a.sandbox, a.name)}/base-connection/create`;
  const action: CreateAccountAction = {
    id,
    type: 'create-account',
    change,
    origin: 'manifest',
    sandbox: a.sandbox,
    address: accountAddress(a.sandbox, a.name),
    dependsOn,
    summary: `create account ${a.name} (${spec.displayName})`,
    account: a.name,
    destinationType: a.type,
    name: a.name,
    description: describeWithTag(a.description, desiredTag(a, ctx.opts.manager, undefined)),
    specId: spec.specId,
    authSpecName: spec.authSpecName,
    authParams: { ...a.authParams },
    secretParams: [...a.secretParams],
    credentialFingerprint: a.credentialFingerprint,
  };
  ctx.actions.push(action);
  return action;
}

/** The field-level differences between a desired account and its live base connection. */
function diffAccount(a: DesiredAccount, manager: string, live: LiveBaseConnection, adopting: boolean, forceRotation: boolean) {
  const parsed = parseOwnerTag(live.description);
  const drift: FieldChange[] = [];
  const changes: FieldChange[] = [];
  const patch: PatchOp[] = [];
  if (live.name !== a.name) {
    drift.push(fieldChange('name', live.name, a.name));
    patch.push({ op: 'replace', path: '/name', value: a.name });
  }
  if (parsed.userDescription !== a.description.trim()) drift.push(fieldChange('description', parsed.userDescription, a.description.trim()));
  let paramsChanged = false;
  for (const key of Object.keys(a.authParams).sort()) {
    // The API returns a partial view of the credentials: only params it shows are compared.
    if (!(key in live.authParams)) continue;
    if (live.authParams[key] !== a.authParams[key]) {
      drift.push(fieldChange(`auth.${key}`, live.authParams[key], a.authParams[key]));
      paramsChanged = true;
    }
  }
  // An owned account without a recorded fingerprint was adopted by import: flowsync never saw its
  // secret, so "changed" cannot be known; it is sent only when asked (rotateCredentials).
  const unknownCredentials = !adopting && parsed.tag !== undefined && parsed.tag.credentialFingerprint === undefined;
  const credentialsChanged =
    !!a.credentialFingerprint && (adopting || forceRotation || (!unknownCredentials && parsed.tag?.credentialFingerprint !== a.credentialFingerprint));
  const rotate = credentialsChanged || paramsChanged;
  const tag = desiredTag(a, manager, parsed.tag, rotate);
  changes.push(...drift);
  if (credentialsChanged) for (const p of a.secretParams) changes.push(fieldChange(`auth.${p}`, '(unknown)', '(changed)'));
  const tagChanged = !sameTag(parsed.tag, tag);
  if (tagChanged) changes.push(fieldChange('tag', parsed.tag ? formatOwnerTag(parsed.tag) : '(none)', formatOwnerTag(tag)));
  if (tagChanged || parsed.userDescription !== a.description.trim()) {
    patch.push({ op: 'replace', path: '/description', value: describeWithTag(a.description, tag) });
  }
  const isDrift = !adopting && parsed.tag?.specHash === accountHash(a) && !credentialsChanged;
  return { changes, drift, patch, rotate, isDrift, unverifiedCredentials: unknownCredentials && !rotate && !!a.credentialFingerprint };
}

function updateAccount(ctx: SandboxCtx, a: DesiredAccount, live: LiveBaseConnection, adopting: boolean): void {
  const address = accountAddress(a.sandbox, a.name);
  const forced = (ctx.opts.rotateCredentials ?? []).some((r) => r === `${a.sandbox}/${a.name}` || r === address);
  const d = diffAccount(a, ctx.opts.manager, live, adopting, forced);
  if (d.unverifiedCredentials) {
    ctx.warnings.push(
      `${address}: flowsync never sent this account's credentials (it was imported), so it cannot tell whether they match the manifest; run \`flowsync apply --rotate-credentials ${a.sandbox}/${a.name}\` to send them once.`,
    );
  }
  if (d.changes.length === 0) return;
  if (d.isDrift && d.drift.length > 0) {
    const lastWrite = latest([live.lastWrite]);
    ctx.drift.push({ sandbox: a.sandbox, destination: a.name, resource: 'account', drift: 'heal', changes: d.drift, ...(lastWrite ? { lastWrite } : {}) });
  }
  const taken = adopting ? undefined : takeover(ctx, live.id, `account ${a.name}`);
  const origin = adopting ? 'adoption' : taken ? 'takeover' : d.isDrift ? 'drift' : 'manifest';
  const action: UpdateAccountAction = {
    id: `${accountAddress(a.sandbox, a.name)}/base-connection/update`,
    type: 'update-account',
    change: 'update',
    origin,
    sandbox: a.sandbox,
    address: accountAddress(a.sandbox, a.name),
    dependsOn: [],
    summary: `${taken ?? `${adopting ? 'adopt' : 'update'} account ${a.name}`}${d.rotate ? ' (rotate credentials)' : ''}`,
    entityId: live.id,
    etag: live.etag,
    account: a.name,
    changes: d.changes,
    patch: d.patch,
    rotateCredentials: d.rotate,
    authParams: { ...a.authParams },
    secretParams: [...a.secretParams],
    credentialFingerprint: a.credentialFingerprint,
  };
  ctx.actions.push(action);
}

/**
 * Live entities that would keep a base connection alive through a replace. flowsync's own target
 * connections go first: a desired destination's (and its duplicates) is replaced or deleted along
 * with the account, and a stale one is pruned (with --prune) unless a dataflow flowsync does not own
 * still uses it. Another manager's target connection always holds it back.
 */
function replaceBlockers(ctx: SandboxCtx, a: DesiredAccount, baseId: string): string[] {
  const live = ctx.inv.live;
  const desired = new Set(ctx.desired.destinations.filter((d) => d.sandbox === a.sandbox).map((d) => d.name));
  const sameOwner = (description: string, name: string) => { const t = parseOwnerTag(description).tag; return t?.kind === 'destination' && t.name === name; };
  const blockers: string[] = [];
  for (const t of live.targetConnections) {
    if (t.baseConnectionId !== baseId) continue;
    const tag = parseOwnerTag(t.description).tag;
    const owned = tag?.kind === 'destination' && !!tag.name && isOurs(tag, ctx.opts.manager);
    const foreignRider = [...live.flows].sort(byId).find((f) => f.targetConnectionIds.includes(t.id) && !(owned && sameOwner(f.description, tag.name)));
    // A desired destination's target connection is replaced with the account, and its duplicates
    // are deleted as duplicates (with or without --prune): neither holds the replace back.
    const replacedAlong = owned && desired.has(tag.name);
    if (foreignRider) blockers.push(`dataflow ${foreignRider.name} (${foreignRider.id})`);
    else if (!replacedAlong && !(owned && ctx.opts.prune)) blockers.push(`target connection ${t.name} (${t.id})`);
  }
  for (const s of live.sourceConnections) if (s.baseConnectionId === baseId) blockers.push(`source connection ${s.name} (${s.id})`);
  return blockers.sort();
}

export function planAccountInSandbox(ctx: SandboxCtx, a: DesiredAccount): AccountStatus {
  const spec = DESTINATION_TYPE_SPECS[a.type];
  const address = accountAddress(a.sandbox, a.name);
  const conflict = inConflict(ctx, ctx.inv.accounts, a.name) ? `${address}: another manager owns this account (see conflicts)` : undefined;
  const held = ctx.blocked.get(address) ?? conflict;
  if (held) {
    if (!conflict) ctx.warnings.push(held);
    for (const b of ctx.inv.accounts.ours.get(a.name) ?? []) ctx.claimed.add(b.id);
    return { name: a.name, blocked: held };
  }
  // Keep rule among duplicates: ours before another manager's (--force-conflicts), the right type, then the one a target connection of ours uses, then the oldest.
  const used = (id: string) => [...ctx.inv.targets.ours.values()].some((list) => list.some((t) => t.baseConnectionId === id));
  const foreign = (id: string) => ctx.inv.owners.get(id)?.owner === 'foreign';
  const rank = (b: LiveBaseConnection) => Number(foreign(b.id)) * 4 + Number(b.specId !== spec.specId) * 2 + Number(!used(b.id));
  const owned = [...candidates(ctx, ctx.inv.accounts, a.name)].sort((x, y) => rank(x) - rank(y));
  const primary = owned[0];
  if (!primary) {
    const candidate = ctx.inv.untaggedBases.find((b) => b.name === a.name && b.specId === spec.specId && !ctx.inv.adopted.has(b.id));
    if (!candidate) {
      const created = createAccount(ctx, a, 'create', []);
      return { name: a.name, createActionId: created.id };
    }
    ctx.inv.adopted.add(candidate.id);
    ctx.claimed.add(candidate.id);
    if (!WRITABLE_STATES.has(candidate.state)) {
      ctx.warnings.push(`${accountAddress(a.sandbox, a.name)}: base connection ${candidate.id} is ${candidate.state}; it will be adopted once the state settles.`);
    } else updateAccount(ctx, a, candidate, true);
    return { name: a.name, baseId: candidate.id };
  }
  ctx.claimed.add(primary.id);
  if (!WRITABLE_STATES.has(primary.state)) {
    ctx.warnings.push(`${accountAddress(a.sandbox, a.name)}: base connection ${primary.id} is ${primary.state}; changes wait until it settles.`);
    return primary.specId === spec.specId ? { name: a.name, baseId: primary.id } : { name: a.name, blocked: 'transitional' };
  }
  if (primary.specId !== spec.specId) {
    const blockers = replaceBlockers(ctx, a, primary.id);
    if (blockers.length > 0) {
      const reason = `${accountAddress(a.sandbox, a.name)}: the account type changed, which needs a replace, but ${blockers.join(', ')} still ${blockers.length === 1 ? 'uses' : 'use'} its base connection ${primary.id}; remove or re-point ${blockers.length === 1 ? 'it' : 'them'} first.`;
      ctx.warnings.push(reason);
      return { name: a.name, blocked: reason };
    }
    const delId = `${accountAddress(a.sandbox, a.name)}/base-connection/delete`;
    ctx.actions.push({
      id: delId,
      type: 'delete-account',
      change: 'replace',
      origin: 'manifest',
      sandbox: a.sandbox,
      address: accountAddress(a.sandbox, a.name),
      dependsOn: [],
      summary: `delete account ${a.name} (type changes to ${spec.displayName})`,
      entityId: primary.id,
      etag: primary.etag,
      name: primary.name,
    });
    ctx.deleted.add(primary.id);
    const created = createAccount(ctx, a, 'replace', [delId]);
    return { name: a.name, createActionId: created.id };
  }
  updateAccount(ctx, a, primary, false);
  return { name: a.name, baseId: primary.id };
}
