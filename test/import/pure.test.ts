// The pure part of import: names, selection, files, adoption writes. The central property: for any
// hand-made sandbox, the written files load without errors and, once the adoption writes are
// applied, the planner has nothing to do and every unselected entity is untouched.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { hasErrors } from '../../src/domain/diagnostics.ts';
import type { LiveSandbox, LiveState } from '../../src/domain/model.ts';
import { parseOwnerTag } from '../../src/domain/owner-tag.ts';
import { DESTINATION_TYPE_SPECS } from '../../src/domain/specs.ts';
import { EnvNames, NAME_RE, NameScope, planAdoption, renderFiles, selectImports, selectSandbox, slugify, withoutInvalid, type AdoptionWrite } from '../../src/import/index.ts';
import { loadRepo } from '../../src/manifest/index.ts';
import { planChanges } from '../../src/plan/index.ts';
import { emptySandbox, liveBase, liveFlow, liveSource, liveTarget, OPTS, SEG1, SEG2, SEG3 } from '../plan/fixtures.ts';

const KINESIS = DESTINATION_TYPE_SPECS['amazon-kinesis'].specId;
const HUBS = DESTINATION_TYPE_SPECS['azure-event-hubs'].specId;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

test('slugify always gives a valid manifest name or nothing', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
    const slug = slugify(s);
    assert.ok(slug === '' || NAME_RE.test(slug), JSON.stringify(slug));
  }), { numRuns: 2000 });
  assert.equal(slugify('Summer Campaign 2024'), 'summer-campaign-2024');
  assert.equal(slugify('  Ünïcödé -- Flow!! '), 'unicode-flow');
  assert.equal(slugify('***'), '');
});

test('a name scope hands out distinct valid names, whatever the live names', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 120 }), fc.constantFrom('a', 'A', 'a!', 'x'.repeat(100))), { maxLength: 40 }), (lives) => {
    const scope = new NameScope();
    const names = lives.map((l) => scope.unique(l, 'destination'));
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.ok(NAME_RE.test(n), n);
  }));
});

test('env var names are valid and unique across sandboxes', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('prod', 'dev'), fc.constantFrom('kinesis', 'kinesis-prod', 'kinesis_prod', '1st', 'a.b')), { maxLength: 20 }), (pairs) => {
    const env = new EnvNames();
    const names = pairs.map(([sb, a]) => env.pick(sb, a, 'SECRET_KEY'));
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.ok(ENV_RE.test(n), n);
  }));
});

/** A hand-made sandbox: one Profile Store source, accounts of both types, flows with human names. */
const sandboxArb = fc
  .record({
    bases: fc.array(fc.record({ hubs: fc.boolean(), name: fc.constantFrom('Marketing AWS', 'marketing aws', 'Loyalty', '!!', 'Kinesis') , desc: fc.constantFrom('', 'Team account', 'x [flowsync:account/evil h=1]') }), { minLength: 1, maxLength: 3 }),
    flows: fc.array(
      fc.record({
        base: fc.nat(),
        name: fc.oneof(fc.constantFrom('Summer Campaign 2024', 'summer campaign 2024', 'accounts', '', 'Ünïcödé', 'z'.repeat(140)), fc.string({ maxLength: 30 })),
        desc: fc.oneof(fc.constantFrom('', 'Summer ads', '  spaced   out  '), fc.string({ maxLength: 40 })),
        tag: fc.option(fc.constantFrom('owned-one', 'owned-two', 'Bad Name'), { nil: undefined }),
        state: fc.constantFrom('enabled', 'disabled'),
        segments: fc.subarray([SEG1, SEG2, SEG3]),
        segNames: fc.boolean(),
        attrs: fc.subarray(['personalEmail.address', 'person.name.lastName', '_acme.loyalty.tier']),
        flag: fc.constantFrom(undefined, true, 'false'),
      }),
      { maxLength: 6 },
    ),
    orphan: fc.boolean(),
  });

type SandboxSpec = typeof sandboxArb extends fc.Arbitrary<infer T> ? T : never;

function buildLive(spec: SandboxSpec): LiveSandbox {
  const sb = emptySandbox();
  const ps = liveBase({ id: 'ps-base', name: 'Profile Store', specId: DESTINATION_TYPE_SPECS['amazon-kinesis'].specId.replace(/./, '8') });
  sb.sourceConnections.push(liveSource({ id: 'ps-src', baseConnectionId: ps.id, name: 'Profile Store source' }));
  spec.bases.forEach((b, i) => {
    sb.baseConnections.push(liveBase({
      id: `b${i}`, name: b.name, description: b.desc, specId: b.hubs ? HUBS : KINESIS,
      authParams: b.hubs ? { sasKeyName: 'send', namespace: 'acme-loyalty' } : { accessKeyId: 'AKIA1', region: 'us-east-1' },
    }));
  });
  spec.flows.forEach((f, i) => {
    const base = sb.baseConnections[f.base % sb.baseConnections.length]!;
    const hubs = base.specId === HUBS;
    const params: Record<string, unknown> = hubs ? { eventHubName: `hub-${i}` } : { stream: `stream-${i}`, region: 'eu-west-1' };
    if (f.flag !== undefined) params.includeSegmentNames = f.flag;
    const tag = f.tag ? ` [flowsync:destination/${f.tag.replace(' ', '')} h=0123456789ab]` : '';
    sb.targetConnections.push(liveTarget({ id: `t${i}`, baseConnectionId: base.id, specId: base.specId, name: `${f.name} target`, description: 'made by hand', params }));
    sb.flows.push(liveFlow({
      id: `f${i}`, name: f.name, description: `${f.desc}${tag}`, state: f.state, sourceConnectionIds: ['ps-src'], targetConnectionIds: [`t${i}`],
      segments: f.segments.map((id, index) => ({ index, id, ...(f.segNames ? { name: `Segment ${index}` } : {}) })),
      profileAttributes: f.attrs.map((p, index) => ({ index, path: p })),
    }));
  });
  if (spec.orphan) sb.targetConnections.push(liveTarget({ id: 'orphan', baseConnectionId: 'b0', specId: sb.baseConnections[0]!.specId, name: 'Orphan', params: {} }));
  return sb;
}

/** The adoption writes, applied to the live model the way the API applies the PATCHes. */
function applyWrites(live: LiveSandbox, writes: AdoptionWrite[]): void {
  for (const w of writes) {
    const list = w.collection === 'connections' ? live.baseConnections : w.collection === 'targetConnections' ? live.targetConnections : live.flows;
    const entity = list.find((e) => e.id === w.entityId) as unknown as Record<string, unknown>;
    for (const op of w.ops) {
      assert.equal(op.op, 'replace', `only replaces expected, got ${JSON.stringify(op)}`);
      entity[op.path.slice(1)] = op.value;
    }
    entity.etag = `${String(entity.etag)}+`;
  }
}

test('import → load → adopt → plan is empty, and nothing unselected is written', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flowsync-import-prop-'));
  try {
    let run = 0;
    await fc.assert(fc.asyncProperty(sandboxArb, async (spec) => {
      const sb = buildLive(spec);
      const live: LiveState = { sandboxes: { prod: sb } };
      const sel = selectImports(live, ['prod']);
      assert.equal(sel.destinations.length, spec.flows.length, JSON.stringify(sel.skipped));
      const files = renderFiles(sel, { schemasFromOut: '../schemas' });
      const root = path.join(dir, String(run++));
      for (const f of files) {
        await mkdir(path.dirname(path.join(root, f.path)), { recursive: true });
        await writeFile(path.join(root, f.path), f.text);
      }
      await mkdir(root, { recursive: true });
      const repo = await loadRepo(root, { env: {}, resolveSecrets: false, allowEmpty: true });
      assert.ok(!hasErrors(repo.diagnostics), JSON.stringify(repo.diagnostics.filter((d) => d.severity === 'error')));
      assert.equal(repo.desired.destinations.length, spec.flows.length);
      const writes = planAdoption(sel, repo.desired, OPTS.manager);
      const selected = new Set([...sel.accounts.map((a) => a.live.id), ...sel.destinations.flatMap((d) => [d.liveFlow.id, d.liveTarget.id])]);
      for (const w of writes) assert.ok(selected.has(w.entityId), `wrote unselected ${w.entityId}`);
      applyWrites(sb, writes);
      const plan = planChanges(repo.desired, live, OPTS);
      assert.deepEqual(plan.actions.map((a) => a.summary), []);
      // Every imported entity now carries the tag of its manifest; account tags without c=.
      for (const a of sel.accounts) {
        const tag = parseOwnerTag(sb.baseConnections.find((b) => b.id === a.live.id)!.description).tag;
        assert.deepEqual([tag?.kind, tag?.name, tag?.credentialFingerprint], ['account', a.name, undefined]);
      }
      // Import again: same names (from the tags now), nothing left to write.
      const again = selectImports(live, ['prod']);
      assert.deepEqual(again.destinations.map((d) => d.name), sel.destinations.map((d) => d.name));
      assert.deepEqual(planAdoption(again, repo.desired, OPTS.manager), []);
    }), { numRuns: process.env.FLOWSYNC_LONG_TESTS ? 1000 : 60 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('selection skips what flowsync cannot manage, with a reason, and what other manifests already own', () => {
  const sb = emptySandbox();
  sb.baseConnections.push(liveBase({ id: 'b', name: 'AWS', authParams: { accessKeyId: 'AKIA', region: 'us-east-1' } }));
  sb.sourceConnections.push(liveSource({ id: 'ps', baseConnectionId: 'x' }));
  sb.targetConnections.push(liveTarget({ id: 't1', baseConnectionId: 'b', params: { stream: 's', region: 'us-east-1' } }));
  sb.targetConnections.push(liveTarget({ id: 't2', baseConnectionId: 'b', params: { stream: 's2', region: 'us-east-1' } }));
  sb.targetConnections.push(liveTarget({ id: 't3', baseConnectionId: 'b', params: { stream: 's3' } }));
  sb.flows.push(liveFlow({ id: 'f1', name: 'A', sourceConnectionIds: ['ps'], targetConnectionIds: ['t1'] }));
  sb.flows.push(liveFlow({ id: 'f2', name: 'B shares', sourceConnectionIds: ['ps'], targetConnectionIds: ['t1'] }));
  sb.flows.push(liveFlow({ id: 'f3', name: 'C no profile', sourceConnectionIds: ['other'], targetConnectionIds: ['t2'] }));
  sb.flows.push(liveFlow({ id: 'f4', name: 'D two targets', sourceConnectionIds: ['ps'], targetConnectionIds: ['t1', 't2'] }));
  sb.flows.push(liveFlow({ id: 'f5', name: 'E managed', description: 'x [flowsync:destination/e h=1]', sourceConnectionIds: ['ps'], targetConnectionIds: ['t2'] }));
  sb.flows.push(liveFlow({ id: 'f6', name: 'F region from account', sourceConnectionIds: ['ps'], targetConnectionIds: ['t3'] }));
  const sel = selectSandbox('prod', sb, new Set(['prod/destination/e']), new EnvNames());
  assert.deepEqual(sel.destinations.map((d) => [d.name, d.liveFlow.id]), [['a', 'f1'], ['f-region-from-account', 'f6']]);
  assert.deepEqual(sel.destinations[1]!.target, { stream: 's3', region: 'us-east-1' });
  const reasons = Object.fromEntries(sel.skipped.map((s) => [s.entity.match(/\((f\d)\)/)![1], s.reason]));
  assert.match(reasons.f2!, /shares target connection/);
  assert.match(reasons.f3!, /Profile Store/);
  assert.match(reasons.f4!, /2 target connections/);
  assert.match(reasons.f5!, /already managed by the manifest of destination e/);
  assert.deepEqual(sel.envVars.map((e) => [e.name, e.param, e.secret]), [['AWS_SECRET_KEY', 'secretKey', true]]);
});

test('an account a manifest outside the import folder already owns is referenced, not written', () => {
  const sb = emptySandbox();
  sb.baseConnections.push(liveBase({ id: 'b', name: 'kinesis-prod', description: 'Prod [flowsync:account/kinesis-prod h=1 c=2]', authParams: { accessKeyId: 'AKIA', region: 'us-east-1' } }));
  sb.sourceConnections.push(liveSource({ id: 'ps', baseConnectionId: 'x' }));
  sb.targetConnections.push(liveTarget({ id: 't', baseConnectionId: 'b', params: { stream: 's', region: 'us-east-1' } }));
  sb.flows.push(liveFlow({ id: 'f', name: 'Hand made', sourceConnectionIds: ['ps'], targetConnectionIds: ['t'] }));
  const sel = selectSandbox('prod', sb, new Set(['prod/account/kinesis-prod']), new EnvNames());
  assert.equal(sel.accounts[0]!.managedElsewhere, true);
  assert.equal(sel.destinations[0]!.account, 'kinesis-prod');
  assert.deepEqual(renderFiles(sel, { schemasFromOut: 'schemas' }).map((f) => f.path), ['prod/hand-made.yaml']);
  assert.deepEqual(sel.envVars, []);
});

test('withoutInvalid skips destinations whose file has errors and gives up on an accounts file with errors', () => {
  const sb = emptySandbox();
  sb.baseConnections.push(liveBase({ id: 'b', name: 'AWS', authParams: { accessKeyId: 'AKIA', region: 'us-east-1' } }));
  sb.sourceConnections.push(liveSource({ id: 'ps', baseConnectionId: 'x' }));
  for (const i of [1, 2]) {
    sb.targetConnections.push(liveTarget({ id: `t${i}`, baseConnectionId: 'b', params: { stream: `s${i}`, region: 'us-east-1' } }));
    sb.flows.push(liveFlow({ id: `f${i}`, name: `Flow ${i}`, sourceConnectionIds: ['ps'], targetConnectionIds: [`t${i}`] }));
  }
  const sel = selectSandbox('prod', sb, new Set(), new EnvNames());
  const fewer = withoutInvalid(sel, new Map([['prod/flow-2.yaml', ['FS_MANIFEST_SCHEMA spec.segments[0].id: not a UUID']]]))!;
  assert.deepEqual(fewer.destinations.map((d) => d.name), ['flow-1']);
  assert.match(fewer.skipped[0]!.reason, /would not validate: FS_MANIFEST_SCHEMA spec\.segments\[0\]\.id/);
  assert.equal(withoutInvalid(sel, new Map([['prod/accounts.yaml', ['x']]])), undefined);
});
