// Segments by name or id -> each sandbox's audience ids (pure): names resolve, ids are checked,
// every finding names file, line and sandbox, and a rename is only a label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DesiredDestination, DesiredState, SegmentRef } from '../../src/domain/model.ts';
import { hasUnresolvedNames, resolveSegments, sandboxesNeedingAudiences, type AudienceList } from '../../src/plan/audiences.ts';
import { planChanges } from '../../src/plan/index.ts';

const DEV = { men: 'd8750b29-5b9c-5178-b359-cd693b872906', gold: '68864e27-ec40-5a45-a7ca-217bd8f961cf' };
const PROD = { men: '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02', gold: '5a1e2b3c-7d8e-4f90-a1b2-c3d4e5f60718' };

const lists = new Map<string, AudienceList>([
  ['dev', { audiences: [{ id: DEV.men, name: 'Men over 50' }, { id: DEV.gold, name: 'Gold tier members' }] }],
  ['prod', { audiences: [{ id: PROD.men, name: 'Men over 50' }, { id: PROD.gold, name: 'Gold tier members' }, { id: '00000000-0000-4000-8000-000000000001', name: 'Twins' }, { id: '00000000-0000-4000-8000-000000000002', name: 'Twins' }] }],
]);

function ref(i: number, r: { id?: string; name?: string }): SegmentRef {
  return { ...r, at: { file: 'm/summer.yaml', line: 10 + i, column: 7, path: `spec.segments[${i}]` } };
}

function destination(sandbox: string, refs: { id?: string; name?: string }[]): DesiredDestination {
  const segmentRefs = refs.map((r, i) => ref(i, r));
  return {
    name: 'summer', sandbox, account: 'kin', type: 'amazon-kinesis', description: '', target: { stream: 's', region: 'us-east-1' }, format: 'json', enabled: true, drift: 'heal',
    segments: refs.filter((r) => r.id).map((r) => ({ id: r.id!, ...(r.name ? { name: r.name } : {}) })), segmentRefs, profileAttributes: [],
    source: { file: 'm/summer.yaml', line: 1, column: 1 },
  };
}

const state = (...destinations: DesiredDestination[]): DesiredState => ({ accounts: [], destinations, sandboxes: [...new Set(destinations.map((d) => d.sandbox))].sort() });

test('the same names resolve to each sandbox\'s own ids, named as the sandbox names them', () => {
  const refs = [{ name: 'Men over 50' }, { name: 'Gold tier members' }];
  const { desired, diagnostics } = resolveSegments(state(destination('dev', refs), destination('prod', refs)), lists);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(desired.destinations.map((d) => d.segments.map((s) => s.id)), [[DEV.men, DEV.gold].sort(), [PROD.men, PROD.gold].sort()]);
  assert.ok(desired.destinations.every((d) => d.segmentRefs === undefined && d.segments.every((s) => s.name !== undefined)));
  assert.equal(hasUnresolvedNames(desired), false);
});

test('an id resolves to itself with the audience\'s current name; id and name together must agree', () => {
  const ok = resolveSegments(state(destination('prod', [{ id: PROD.men }, { id: PROD.gold, name: 'Gold tier members' }])), lists);
  assert.deepEqual(ok.diagnostics, []);
  assert.deepEqual(ok.desired.destinations[0]!.segments, [{ id: PROD.gold, name: 'Gold tier members' }, { id: PROD.men, name: 'Men over 50' }]);
  const bad = resolveSegments(state(destination('prod', [{ id: PROD.men, name: 'Gold tier members' }])), lists);
  assert.deepEqual(bad.diagnostics.map((d) => [d.code, d.sandbox, d.line]), [['FS_PLAN_SEGMENT_MISMATCH', 'prod', 10]]);
  assert.match(bad.diagnostics[0]!.summary, /is called "Men over 50" in sandbox prod, not "Gold tier members"/);
});

test('unknown name, ambiguous name and an id of the other sandbox: one error each, naming file, line, sandbox and candidates', () => {
  const { diagnostics } = resolveSegments(state(destination('prod', [{ name: 'Men over 5O' }, { name: 'Twins' }, { id: DEV.gold }])), lists);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.file, d.line, d.sandbox]), [
    ['FS_PLAN_SEGMENT_UNKNOWN', 'error', 'm/summer.yaml', 10, 'prod'],
    ['FS_PLAN_SEGMENT_AMBIGUOUS', 'error', 'm/summer.yaml', 11, 'prod'],
    ['FS_PLAN_SEGMENT_NOT_AUDIENCE', 'error', 'm/summer.yaml', 12, 'prod'],
  ]);
  assert.match(diagnostics[1]!.summary, /00000000-0000-4000-8000-000000000001, 00000000-0000-4000-8000-000000000002/);
  assert.match(diagnostics[2]!.hint!, /audience "Gold tier members" of sandbox dev/);
});

test('a name and an id of one audience listed together are a duplicate in that sandbox', () => {
  const { diagnostics } = resolveSegments(state(destination('dev', [{ name: 'Men over 50' }, { id: DEV.men }])), lists);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.sandbox]), [['FS_MANIFEST_DUPLICATE_SEGMENT', 11, 'dev']]);
});

test('without a sandbox\'s audience list, names are errors and ids stay unchecked with one warning', () => {
  const unavailable = new Map<string, AudienceList>([['qa', { unavailable: 'cannot list the audiences of sandbox qa: 403' }]]);
  const { desired, diagnostics } = resolveSegments(state(destination('qa', [{ name: 'Men over 50' }, { id: PROD.men }])), unavailable);
  assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.sandbox]), [['FS_PLAN_AUDIENCES_UNAVAILABLE', 'error', 'qa'], ['FS_PLAN_AUDIENCES_UNAVAILABLE', 'warning', 'qa']]);
  assert.deepEqual(desired.destinations[0]!.segments.map((s) => s.id), [PROD.men]);
});

test('only sandboxes whose destinations name segments need their audiences listed', () => {
  assert.deepEqual(sandboxesNeedingAudiences(state(destination('dev', []), destination('prod', [{ name: 'Twins' }]))), ['prod']);
});

test('the planner refuses segments that were never resolved rather than drop them', () => {
  const desired = state(destination('prod', [{ name: 'Men over 50' }]));
  assert.throws(() => planChanges(desired, { sandboxes: {} }, { prune: false, createdAt: '2026-01-01T00:00:00Z', manager: 'm' }), /unresolved/);
});

test('property: resolution never changes which audience an id names, and every name lands on the one audience so named', () => {
  const prodList = (lists.get('prod') as { audiences: { id: string; name: string }[] }).audiences.filter((a) => a.name !== 'Twins');
  const pick = fc.constantFrom(...prodList);
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(pick, fc.constantFrom('id', 'name', 'both')), { selector: ([a]) => a.id, maxLength: 2 }), (picked) => {
      const refs = picked.map(([a, how]) => (how === 'id' ? { id: a.id } : how === 'name' ? { name: a.name } : { id: a.id, name: a.name }));
      const { desired, diagnostics } = resolveSegments(state(destination('prod', refs)), lists);
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(desired.destinations[0]!.segments.map((s) => s.id), picked.map(([a]) => a.id).sort());
      for (const s of desired.destinations[0]!.segments) assert.equal(s.name, prodList.find((a) => a.id === s.id)!.name);
    }),
  );
});

test('resolving reads no entry\'s position unless a finding needs it (a position parses its document again)', () => {
  let reads = 0;
  const counted = (d: DesiredDestination): DesiredDestination => ({
    ...d,
    segmentRefs: d.segmentRefs!.map((r) => {
      const { at, ...rest } = r;
      return Object.defineProperty({ ...rest }, 'at', { get: () => (reads++, at), enumerable: true }) as SegmentRef;
    }),
  });
  const clean = resolveSegments(state(counted(destination('prod', [{ name: 'Men over 50' }, { id: PROD.gold }]))), lists);
  assert.deepEqual(clean.diagnostics, []);
  assert.equal(reads, 0);
  const twice = resolveSegments(state(counted(destination('prod', [{ name: 'Men over 50' }, { id: PROD.men }]))), lists);
  assert.deepEqual(twice.diagnostics.map((d) => [d.code, d.line, d.path]), [['FS_MANIFEST_DUPLICATE_SEGMENT', 11, 'spec.segments[1]']]);
  assert.match(twice.diagnostics[0]!.summary, /already listed at spec\.segments\[0\]/);
});
