import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planChanges } from '../../src/plan/index.ts';
import { renderPlanText } from '../../src/render/text.ts';
import { renderPlanMarkdown } from '../../src/render/markdown.ts';
import { parsePlanJson } from '../../src/cli/plan-file.ts';
import { renderPlanJson } from '../../src/render/json.ts';
import { isFlowsyncError } from '../../src/domain/errors.ts';
import { credentialFingerprint } from '../../src/domain/fingerprint.ts';
import { Secrets } from '../../src/manifest/index.ts';
import type { Plan } from '../../src/domain/plan.ts';
import { account, destination, desiredState, liveFor, OPTS } from '../plan/fixtures.ts';

const desired = desiredState([account()], [destination()]);
const createPlan = planChanges(desired, { sandboxes: {} }, OPTS);

test('text view: markers coloured only when asked', () => {
  const plain = renderPlanText(createPlan, { color: false });
  assert.ok(!plain.includes('\x1b['));
  assert.match(plain, /^\s+\+ create dataflow summer-campaign \(Amazon Kinesis\)$/m);
  assert.match(plain, /Plan: 4 to create, 0 to update, 0 to delete, 0 to replace\.\n$/);
  const coloured = renderPlanText(createPlan, { color: true });
  assert.ok(coloured.includes('\x1b[32m  +\x1b[0m'), 'green + marker');
});

test('text view: an empty plan says so', () => {
  assert.match(renderPlanText(planChanges(desired, liveFor(desired), OPTS), { color: false }), /No changes\. Live state matches the manifests\.\n$/);
});

function bigPlan(destinations: number, segments: number): Plan {
  const segs = Array.from({ length: segments }, (_, i) => ({ id: `${String(i).padStart(8, '0')}-1111-4222-8333-944455556666`, name: `Audience ${i}` }));
  const many = Array.from({ length: destinations }, (_, i) => destination({ name: `d-${String(i).padStart(3, '0')}`, segments: segs }));
  return planChanges(desiredState([account()], many), { sandboxes: {} }, OPTS);
}

test('markdown view: one part under the limit, header marker first, summary next', () => {
  const [only, ...rest] = renderPlanMarkdown(createPlan, { id: 'pr-17', title: 'Plan for #17' });
  assert.deepEqual(rest, []);
  const lines = only!.split('\n');
  assert.equal(lines[0], '<!-- flowsync-plan: pr-17 -->');
  assert.equal(lines[1], '## Plan for #17');
  assert.equal(lines[3], '**Plan: 4 to create, 0 to update, 0 to delete, 0 to replace.**');
});

test('markdown view: a long plan is split into self-describing parts under the limit, nothing lost', () => {
  const plan = bigPlan(60, 40);
  const max = 20_000;
  const parts = renderPlanMarkdown(plan, { maxLength: max });
  assert.ok(parts.length > 3);
  parts.forEach((p, i) => {
    assert.ok(p.length <= max, `part ${i + 1} is ${p.length}`);
    assert.ok(p.startsWith(`<!-- flowsync-plan: default/prod part ${i + 1} of ${parts.length} -->\n## flowsync plan (part ${i + 1} of ${parts.length})`));
    assert.equal((p.match(/```/g) ?? []).length % 2, 0, 'code fences balanced in every part');
    assert.equal((p.match(/<details>/g) ?? []).length, (p.match(/<\/details>/g) ?? []).length);
  });
  const all = parts.join('\n');
  for (let i = 0; i < 60; i++) assert.ok(all.includes(`<b>destination d-${String(i).padStart(3, '0')}</b>`));
  assert.equal((all.match(/\+ {7}segment /g) ?? []).length, 60 * 40);
});

test('markdown view: one destination longer than a whole comment is split inside its section', () => {
  const parts = renderPlanMarkdown(bigPlan(1, 400), { maxLength: 8_000 });
  assert.ok(parts.length > 2);
  for (const p of parts) {
    assert.ok(p.length <= 8_000);
    assert.equal((p.match(/```/g) ?? []).length % 2, 0);
  }
  assert.equal((parts.join('\n').match(/\+ {7}segment /g) ?? []).length, 400);
});

test('json view: round-trips through the schema; bad files fail with FS_PLAN_INVALID naming the problem', () => {
  const text = renderPlanJson(createPlan);
  assert.deepEqual(parsePlanJson(text), createPlan);
  const expectInvalid = (input: string, pattern: RegExp) =>
    assert.throws(() => parsePlanJson(input, 'plan.json'), (err: unknown) => isFlowsyncError(err, 'FS_PLAN_INVALID') && pattern.test(err.message));
  expectInvalid('{not json', /plan\.json is not JSON/);
  expectInvalid(JSON.stringify({ ...createPlan, formatVersion: 1 }), /formatVersion 1/);
  const broken = JSON.parse(text);
  delete broken.actions[3].flowSpecId;
  expectInvalid(JSON.stringify(broken), /\/actions\/3 must have required property 'flowSpecId'$/);
  const withEtaglessUpdate = planChanges(desiredState([account()], [destination({ description: 'x' })]), liveFor(desired), OPTS);
  const noEtag = JSON.parse(renderPlanJson(withEtaglessUpdate));
  delete noEtag.actions[0].etag;
  expectInvalid(JSON.stringify(noEtag), /\/actions\/0/);
});

test('no view ever prints a secret value, and secret params never appear with a value', () => {
  const values = { secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY', sasKey: 'SAS+very+secret+key=' };
  const secrets = new Secrets([{ sandbox: 'prod', account: 'kinesis-prod', values: { secretKey: values.secretKey } }, { sandbox: 'prod', account: 'hubs', values: { sasKey: values.sasKey } }]);
  const fp = (params: Record<string, string>, name: string) => credentialFingerprint({ ...params, ...secrets.forAccount('prod', name) }, { sandbox: 'prod', account: name });
  const kin = account({ authParams: { accessKeyId: 'AKIANEW', region: 'us-east-1' } });
  const hubs = account({ name: 'hubs', type: 'azure-event-hubs', authParams: { sasKeyName: 'k', namespace: 'ns' }, secretParams: ['sasKey'] });
  const want = desiredState(
    [{ ...kin, credentialFingerprint: fp(kin.authParams, kin.name) }, { ...hubs, credentialFingerprint: fp(hubs.authParams, hubs.name) }],
    [destination(), destination({ name: 'h', account: 'hubs', type: 'azure-event-hubs', target: { eventHubName: 'e' } })],
  );
  // The API might echo secret params back (masked or not): the planner must not carry them.
  const live = liveFor(desiredState([account()], [destination()]));
  live.sandboxes.prod!.baseConnections[0]!.authParams = { accessKeyId: 'AKIAEXAMPLE', region: 'us-east-1', secretKey: values.secretKey };
  for (const plan of [planChanges(want, live, OPTS), planChanges(want, { sandboxes: {} }, OPTS), planChanges(desiredState([], []), live, { ...OPTS, prune: true })]) {
    const outputs = [renderPlanText(plan, { color: false }), renderPlanText(plan, { color: true }), ...renderPlanMarkdown(plan), renderPlanJson(plan)];
    for (const out of outputs) {
      for (const v of Object.values(values)) assert.ok(!out.includes(v), 'a secret value leaked');
      assert.doesNotMatch(out, /(secretKey|sasKey)"?\s*[:=]\s*"(?!\()/, 'a secret param printed with a value');
    }
  }
});

test('a plan with only reported drift says so instead of "matches the manifests"', () => {
  const plan = {
    ...planChanges(desired, liveFor(desired), OPTS),
    drift: [{ sandbox: 'prod', destination: 'x', resource: 'destination' as const, drift: 'warn' as const, changes: [{ field: 'dataflow.segment a', from: 'present', to: 'absent' }] }],
  };
  const text = renderPlanText(plan, { color: false });
  assert.match(text, /No changes\. 1 drifted entity is reported only \(see Drift above\)\.\n$/);
  assert.doesNotMatch(text, /matches the manifests/);
});
