// Brownfield import, pure part: the live destination dataflows of a sandbox (a Kinesis or Event
// Hubs target connection, fed by a Profile Store source connection) → what the manifests hold.
// Names: the ownership tag's name when flowsync already owns the entity, otherwise a slug of the
// live name, made unique per kind and sandbox. Secrets are never read (the API does not return
// them): they become env references the user fills in.
import type { DesiredSegment, DestinationType, LiveBaseConnection, LiveFlow, LiveSandbox, LiveState, LiveTargetConnection, TargetParams } from '../domain/model.ts';
import { parseOwnerTag, type OwnerKind } from '../domain/owner-tag.ts';
import { DESTINATION_TYPE_SPECS, STREAMING_FLOW_SPEC_ID, typeForSpecId } from '../domain/specs.ts';
import { EnvNames, NAME_RE, NameScope } from './names.ts';

export type AuthValue = string | { fromEnv: string };

export interface EnvVarNeed {
  name: string;
  sandbox: string;
  account: string;
  param: string;
  secret: boolean;
}

export interface ImportedAccount {
  sandbox: string;
  name: string;
  type: DestinationType;
  description: string;
  auth: Record<string, AuthValue>;
  live: LiveBaseConnection;
  /** Already managed by a manifest outside the import folder: referenced, not written or adopted. */
  managedElsewhere: boolean;
}

export interface ImportedDestination {
  sandbox: string;
  name: string;
  account: string;
  type: DestinationType;
  description: string;
  target: TargetParams;
  enabled: boolean;
  segments: DesiredSegment[];
  /** How the manifest writes the segments (by name where unique in the sandbox); absent: by id, as `segments`. */
  writeSegments?: ({ name: string } | { id: string; name?: string })[];
  profileAttributes: string[];
  liveFlow: LiveFlow;
  liveTarget: LiveTargetConnection;
}

export interface SkippedEntity {
  sandbox: string;
  entity: string; // e.g. 'dataflow "Old test" (id)'
  reason: string;
}

export interface ImportSelection {
  accounts: ImportedAccount[];
  destinations: ImportedDestination[];
  envVars: EnvVarNeed[];
  skipped: SkippedEntity[];
}

/** Names already used by manifests outside the import folder, as `${sandbox}/${kind}/${name}`. */
export type ManagedNames = ReadonlySet<string>;

export const managedKey = (sandbox: string, kind: 'account' | 'destination', name: string) => `${sandbox}/${kind}/${name}`;

const MAX_DESCRIPTION = 1000;

/** The user's part of a live description, made acceptable to the manifest checks. */
export function userDescription(live: string): string {
  const text = parseOwnerTag(live).userDescription.replace(/\[flowsync:/g, '(flowsync:').replace(/\s+/g, ' ').trim();
  return text.length > MAX_DESCRIPTION ? text.slice(0, MAX_DESCRIPTION).trimEnd() : text;
}

/** The tag's name when the entity carries a flowsync tag of that kind and the name is a valid manifest name. */
function tagName(description: string, kind: OwnerKind): string | undefined {
  const tag = parseOwnerTag(description).tag;
  return tag?.kind === kind && tag.name && NAME_RE.test(tag.name) ? tag.name : undefined;
}

const label = (what: string, e: { name: string; id: string }) => `${what} "${e.name}" (${e.id})`;

function toBool(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/** Known target params only, booleans as booleans; a Kinesis region falls back to the account's. */
function targetParams(type: DestinationType, live: Record<string, unknown>, base: LiveBaseConnection): TargetParams | string {
  const spec = DESTINATION_TYPE_SPECS[type];
  const out: TargetParams = {};
  for (const p of spec.targetParams) {
    const v = live[p] ?? (p === 'region' ? base.authParams.region : undefined);
    if (typeof v !== 'string' || v === '') return `its target connection has no ${p}`;
    out[p] = v;
  }
  for (const p of spec.optionalTargetParams) {
    const v = toBool(live[p]);
    if (v !== undefined) out[p] = v;
  }
  return out;
}

interface Candidate {
  flow: LiveFlow;
  target: LiveTargetConnection;
  base: LiveBaseConnection;
  type: DestinationType;
}

/** Tag name → ids of the entities carrying it (tags that are not valid manifest names are ignored). */
function tagOwners(entities: { id: string; description: string }[], kind: OwnerKind): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const e of entities) {
    const name = tagName(e.description, kind);
    if (name) (owners.get(name) ?? owners.set(name, new Set()).get(name)!).add(e.id);
  }
  return owners;
}

/** The dataflows of one sandbox that import can take, in a stable order; the rest with a reason. */
function candidates(sandbox: string, live: LiveSandbox, skipped: SkippedEntity[]): Candidate[] {
  const targets = new Map(live.targetConnections.map((t) => [t.id, t]));
  const bases = new Map(live.baseConnections.map((b) => [b.id, b]));
  const profileSources = new Set(live.sourceConnections.map((s) => s.id));
  const usedTargets = new Map<string, LiveFlow>();
  const out: Candidate[] = [];
  const flows = [...live.flows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const flow of flows) {
    const skip = (reason: string) => skipped.push({ sandbox, entity: label('dataflow', flow), reason });
    if (flow.flowSpecId !== STREAMING_FLOW_SPEC_ID) { skip('it is not a streaming destination dataflow'); continue; }
    if (flow.targetConnectionIds.length !== 1) { skip(`it has ${flow.targetConnectionIds.length} target connections; flowsync manages dataflows with one`); continue; }
    const target = targets.get(flow.targetConnectionIds[0]!);
    if (!target) { skip('its target connection is not an Amazon Kinesis or Azure Event Hubs connection'); continue; }
    if (!flow.sourceConnectionIds.some((id) => profileSources.has(id))) { skip('it does not read from a Profile Store source connection'); continue; }
    const other = usedTargets.get(target.id);
    if (other) { skip(`it shares ${label('target connection', target)} with ${label('dataflow', other)}; flowsync manages one dataflow per target connection`); continue; }
    const base = bases.get(target.baseConnectionId);
    const type = typeForSpecId(target.specId);
    if (!base || !type || base.specId !== target.specId) { skip(`the base connection of its target connection (${target.baseConnectionId}) is missing or of another type`); continue; }
    usedTargets.set(target.id, flow);
    out.push({ flow, target, base, type });
  }
  return out;
}

/** Every name taken in the sandbox before slugs are handed out: other manifests' and the tags'. */
function scopes(sandbox: string, managed: ManagedNames) {
  const accounts = new NameScope();
  const destinations = new NameScope();
  for (const key of managed) {
    const [sb, kind, ...rest] = key.split('/');
    if (sb !== sandbox) continue;
    (kind === 'account' ? accounts : destinations).reserve(rest.join('/'));
  }
  return { accounts, destinations };
}

function importAccount(sandbox: string, name: string, type: DestinationType, base: LiveBaseConnection, env: EnvNames, envVars: EnvVarNeed[]): ImportedAccount {
  const spec = DESTINATION_TYPE_SPECS[type];
  const auth: Record<string, AuthValue> = {};
  for (const param of spec.authParams) {
    const secret = spec.secretParams.includes(param);
    const value = base.authParams[param];
    if (!secret && typeof value === 'string' && value !== '' && !/^\*+$/.test(value)) {
      auth[param] = value;
      continue;
    }
    // A secret (never returned) or a printable param the API did not show: a reference to fill in.
    const envName = env.pick(sandbox, name, param.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
    auth[param] = { fromEnv: envName };
    envVars.push({ name: envName, sandbox, account: name, param, secret });
  }
  return { sandbox, name, type, description: userDescription(base.description), auth, live: base, managedElsewhere: false };
}

export function selectSandbox(sandbox: string, live: LiveSandbox, managed: ManagedNames, env: EnvNames): ImportSelection {
  const skipped: SkippedEntity[] = [];
  const envVars: EnvVarNeed[] = [];
  const found = candidates(sandbox, live, skipped);
  const names = scopes(sandbox, managed);
  const picked: Candidate[] = [];
  for (const c of found) {
    const owner = tagName(c.flow.description, 'destination') ?? tagName(c.target.description, 'destination');
    if (owner && managed.has(managedKey(sandbox, 'destination', owner))) {
      skipped.push({ sandbox, entity: label('dataflow', c.flow), reason: `already managed by the manifest of destination ${owner}` });
    } else picked.push(c);
  }

  // Every tag name in the sandbox is taken before slugs are handed out, so no slug ever collides
  // with an owned entity. A candidate keeps its tag's name only when no other entity carries it
  // (an owned duplicate elsewhere would make the planner see two owners of one manifest).
  const accountOwners = tagOwners(live.baseConnections, 'account');
  const destOwners = tagOwners([...live.flows, ...live.targetConnections], 'destination');
  for (const n of accountOwners.keys()) names.accounts.reserve(n);
  for (const n of destOwners.keys()) names.destinations.reserve(n);
  const soleOwner = (owners: Map<string, Set<string>>, name: string | undefined, ids: string[]) =>
    name !== undefined && [...(owners.get(name) ?? [])].every((id) => ids.includes(id));
  const accountNames = new Map<string, string>();
  const destNames = new Map<string, string>();
  const usedAccount = new Set<string>();
  const usedDest = new Set<string>();
  for (const c of picked) {
    const acct = tagName(c.base.description, 'account');
    if (acct && !accountNames.has(c.base.id) && (managed.has(managedKey(sandbox, 'account', acct)) || (soleOwner(accountOwners, acct, [c.base.id]) && !usedAccount.has(acct)))) {
      accountNames.set(c.base.id, acct);
      usedAccount.add(acct);
    }
    const ids = [c.flow.id, c.target.id];
    const dest = [tagName(c.flow.description, 'destination'), tagName(c.target.description, 'destination')].find((n) => n && soleOwner(destOwners, n, ids) && !usedDest.has(n));
    if (dest) {
      destNames.set(c.flow.id, dest);
      usedDest.add(dest);
    }
  }
  const accounts = new Map<string, ImportedAccount>();
  const destinations: ImportedDestination[] = [];
  for (const c of picked) {
    const params = targetParams(c.type, c.target.params, c.base);
    if (typeof params === 'string') {
      skipped.push({ sandbox, entity: label('dataflow', c.flow), reason: params });
      continue;
    }
    let account = accounts.get(c.base.id);
    if (!account) {
      const name = accountNames.get(c.base.id) ?? names.accounts.unique(c.base.name, c.type === 'amazon-kinesis' ? 'kinesis' : 'event-hubs');
      accountNames.set(c.base.id, name);
      account = managed.has(managedKey(sandbox, 'account', name))
        ? { sandbox, name, type: c.type, description: '', auth: {}, live: c.base, managedElsewhere: true }
        : importAccount(sandbox, name, c.type, c.base, env, envVars);
      accounts.set(c.base.id, account);
    }
    const segments = new Map<string, DesiredSegment>();
    for (const s of c.flow.segments) if (s.id && !segments.has(s.id)) segments.set(s.id, s.name ? { id: s.id, name: s.name } : { id: s.id });
    destinations.push({
      sandbox,
      name: destNames.get(c.flow.id) ?? names.destinations.unique(c.flow.name, 'destination'),
      account: account.name,
      type: c.type,
      description: userDescription(c.flow.description),
      target: params,
      enabled: !c.flow.state.startsWith('disabl'),
      segments: [...segments.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      profileAttributes: [...new Set(c.flow.profileAttributes.map((a) => a.path).filter(Boolean))].sort(),
      liveFlow: c.flow,
      liveTarget: c.target,
    });
  }
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { accounts: [...accounts.values()].sort(byName), destinations: destinations.sort(byName), envVars, skipped };
}

/** Every requested sandbox, in order; env var names are unique across all of them. */
export function selectImports(live: LiveState, sandboxes: string[], managed: ManagedNames = new Set()): ImportSelection {
  const env = new EnvNames();
  const all: ImportSelection = { accounts: [], destinations: [], envVars: [], skipped: [] };
  for (const sandbox of [...new Set(sandboxes)].sort()) {
    const sb = live.sandboxes[sandbox];
    if (!sb) continue;
    const one = selectSandbox(sandbox, sb, managed, env);
    all.accounts.push(...one.accounts);
    all.destinations.push(...one.destinations);
    all.envVars.push(...one.envVars);
    all.skipped.push(...one.skipped);
  }
  return all;
}
