// fast-check generators: random desired states and random live states around them, including
// unowned entities, drift, stale tags and half-finished earlier applies.
import fc from 'fast-check';
import type { DesiredAccount, DesiredDestination, DesiredState, DestinationType, LiveState } from '../../src/domain/model.ts';
import { DESTINATION_TYPE_SPECS } from '../../src/domain/specs.ts';
import { desiredState, liveBase, liveFlow, liveTarget, liveFor, emptySandbox, UI_WRITE, SEG1, SEG2, SEG3 } from './fixtures.ts';

const SANDBOXES = ['prod', 'dev'];
const ACCOUNTS = ['acc-a', 'acc-b'];
const DESTS = ['d1', 'd2', 'd3'];
const SEGS = [SEG1, SEG2, SEG3, '0b3f5e7a-1111-4222-8333-944455556666'];
const ATTRS = ['person.name.firstName', 'person.name.lastName', 'personalEmail.address'];
const TYPES: DestinationType[] = ['amazon-kinesis', 'azure-event-hubs'];

function targetFor(type: DestinationType, n: number): Record<string, string | boolean> {
  return type === 'amazon-kinesis' ? { stream: `stream-${n}`, region: 'us-east-1' } : { eventHubName: `hub-${n}`, ...(n === 2 ? { includeSegmentNames: true } : {}) };
}

function authFor(type: DestinationType, n: number): Record<string, string> {
  return type === 'amazon-kinesis' ? { accessKeyId: `AKIA${n}`, region: 'us-east-1' } : { sasKeyName: `key-${n}`, namespace: 'ns' };
}

const accountArb = (sandbox: string, name: string) =>
  fc.record({ type: fc.constantFrom(...TYPES), n: fc.nat(2), desc: fc.constantFrom('', 'team account'), fp: fc.constantFrom('aa00aa00aa00aa00', 'bb11bb11bb11bb11') }).map(
    ({ type, n, desc, fp }): DesiredAccount => ({
      name, sandbox, type, description: desc, authParams: authFor(type, n), secretParams: [...DESTINATION_TYPE_SPECS[type].secretParams],
      credentialFingerprint: fp, source: { file: `${sandbox}/${name}.yaml`, line: 1, column: 1 },
    }),
  );

const destinationArb = (sandbox: string, name: string, accounts: DesiredAccount[]) =>
  fc.record({
    account: fc.constantFrom(...accounts),
    n: fc.nat(2),
    desc: fc.constantFrom('', 'campaign', 'other words'),
    enabled: fc.boolean(),
    drift: fc.constantFrom('heal' as const, 'warn' as const, 'ignore' as const),
    segs: fc.subarray(SEGS),
    attrs: fc.subarray(ATTRS),
    named: fc.boolean(),
  }).map(({ account, n, desc, enabled, drift, segs, attrs, named }): DesiredDestination => ({
    name, sandbox, account: account.name, type: account.type, description: desc, target: targetFor(account.type, n), format: 'json', enabled, drift,
    segments: [...segs].sort().map((id) => (named ? { id, name: `Segment ${id.slice(0, 4)}` } : { id })), profileAttributes: [...attrs].sort(),
    source: { file: `${sandbox}/${name}.yaml`, line: 1, column: 1 },
  }));

const sandboxArb = (sandbox: string) =>
  fc.subarray(ACCOUNTS).chain((names) =>
    fc.tuple(...names.map((n) => accountArb(sandbox, n))).chain((accounts) =>
      accounts.length === 0
        ? fc.constant({ accounts, destinations: [] as DesiredDestination[] })
        : fc.subarray(DESTS).chain((dnames) => fc.tuple(...dnames.map((d) => destinationArb(sandbox, d, accounts))).map((destinations) => ({ accounts, destinations }))),
    ),
  );

export const desiredArb: fc.Arbitrary<DesiredState> = fc.tuple(...SANDBOXES.map(sandboxArb)).map((parts) =>
  desiredState(parts.flatMap((p) => p.accounts), parts.flatMap((p) => p.destinations)),
);

/** Mutations that happen to live state between applies. */
type Mutation =
  | { kind: 'drop'; pick: number } // an entity vanished or was never created (half-finished apply)
  | { kind: 'rename'; pick: number }
  | { kind: 'describe'; pick: number }
  | { kind: 'toggle'; pick: number }
  | { kind: 'segments'; pick: number; keep: number }
  | { kind: 'params'; pick: number }
  | { kind: 'untag'; pick: number } // looks like a hand-made entity with the same name and shape
  | { kind: 'unowned'; sandbox: string; name: string; type: DestinationType }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'transitional'; pick: number }; // an entity caught mid-update

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('describe' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('segments' as const), pick: fc.nat(), keep: fc.nat(3) }),
  fc.record({ kind: fc.constant('params' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('untag' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('unowned' as const), sandbox: fc.constantFrom(...SANDBOXES), name: fc.constantFrom(...ACCOUNTS, ...DESTS, 'hand-made'), type: fc.constantFrom(...TYPES) }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('transitional' as const), pick: fc.nat() }),
);

export function mutate(live: LiveState, m: Mutation, n: number): void {
  const all = Object.values(live.sandboxes).flatMap((sb) => [
    ...sb.baseConnections.map((e) => ({ sb, kind: 'base' as const, e })),
    ...sb.targetConnections.map((e) => ({ sb, kind: 'target' as const, e })),
    ...sb.flows.map((e) => ({ sb, kind: 'flow' as const, e })),
  ]);
  if (m.kind === 'unowned') {
    const sb = (live.sandboxes[m.sandbox] ??= emptySandbox());
    const specId = DESTINATION_TYPE_SPECS[m.type].specId;
    const base = liveBase({ id: `u${n}b`, sandbox: m.sandbox, name: m.name, description: 'made in the UI', specId, lastWrite: UI_WRITE });
    sb.baseConnections.push(base);
    const tc = liveTarget({ id: `u${n}t`, sandbox: m.sandbox, name: m.name, specId, baseConnectionId: base.id, params: { stream: 'x' }, lastWrite: UI_WRITE });
    sb.targetConnections.push(tc);
    sb.flows.push(liveFlow({ id: `u${n}f`, sandbox: m.sandbox, name: m.name, targetConnectionIds: [tc.id], lastWrite: UI_WRITE }));
    return;
  }
  if (all.length === 0) return;
  const { sb, kind, e } = all[m.pick % all.length]!;
  const inUse = (id: string) => sb.flows.some((f) => f.targetConnectionIds.includes(id)) || sb.targetConnections.some((t) => t.baseConnectionId === id);
  e.lastWrite = { ...UI_WRITE };
  e.etag = `"mut${n}"`;
  switch (m.kind) {
    case 'drop':
      // Only what the API lets you delete: nothing that is still in use.
      if (inUse(e.id)) return;
      if (kind === 'flow') sb.flows = sb.flows.filter((f) => f.id !== e.id);
      if (kind === 'target') sb.targetConnections = sb.targetConnections.filter((t) => t.id !== e.id);
      if (kind === 'base') sb.baseConnections = sb.baseConnections.filter((b) => b.id !== e.id);
      return;
    case 'rename':
      e.name = `${e.name}-renamed`;
      return;
    case 'describe':
      e.description = e.description.replace(/^[^[]*/, 'edited in the UI ');
      return;
    case 'toggle':
      if (kind === 'flow') (e as typeof sb.flows[number]).state = (e as typeof sb.flows[number]).state === 'enabled' ? 'disabled' : 'enabled';
      return;
    case 'segments':
      if (kind === 'flow') {
        const f = e as typeof sb.flows[number];
        const segs = [...f.segments.slice(0, m.keep).map((s) => s.id), SEGS[m.pick % SEGS.length]!, SEGS[0]!];
        f.segments = segs.map((id, index) => ({ index, id }));
        f.profileAttributes = [...f.profileAttributes].reverse().map((a, index) => ({ index, path: a.path }));
      }
      return;
    case 'params':
      if (kind === 'target') (e as typeof sb.targetConnections[number]).params = { ...(e as typeof sb.targetConnections[number]).params, stream: 'changed-in-ui' };
      if (kind === 'base') (e as typeof sb.baseConnections[number]).authParams = { ...(e as typeof sb.baseConnections[number]).authParams, region: 'eu-west-1' };
      return;
    case 'untag':
      e.description = e.description.replace(/\s*\[flowsync:[^\]]*\]$/, '');
      return;
    case 'transitional':
      e.state = 'updating';
      return;
    case 'duplicate':
      if (kind === 'flow') sb.flows.push({ ...structuredClone(e as typeof sb.flows[number]), id: `dup${n}` });
      if (kind === 'target') sb.targetConnections.push({ ...structuredClone(e as typeof sb.targetConnections[number]), id: `dup${n}` });
      return;
  }
}

/** A live state: an earlier apply of `previous` (ids prefixed), then mutations. */
export const liveArb = (previous: fc.Arbitrary<DesiredState>): fc.Arbitrary<LiveState> =>
  fc.tuple(previous, fc.array(mutationArb, { maxLength: 8 }), fc.boolean()).map(([prev, mutations, fresh]) => {
    const live = fresh ? { sandboxes: {} } : liveFor(prev, { prefix: 'p' });
    mutations.forEach((m, i) => mutate(live, m, i));
    return live;
  });

/** Desired and a live state that is often an earlier version of the same manifests. */
export const scenarioArb = desiredArb.chain((desired) =>
  fc.tuple(fc.constant(desired), liveArb(fc.oneof(fc.constant(desired), desiredArb))),
);

/** Only changes someone could make in the AEP UI to entities flowsync applied: drift, nothing else. */
export const driftMutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('describe' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('segments' as const), pick: fc.nat(), keep: fc.nat(3) }),
  fc.record({ kind: fc.constant('params' as const), pick: fc.nat() }),
);
