// Issue 14 against the emulator through the real CLI: one manifest in dev and prod activates each
// sandbox's own audience ids, an override changes only its sandbox, --sandbox limits what is read
// and written, names that are unknown or ambiguous and ids of the other sandbox are refused before
// any write, a rename in AEP is only a label, and names cost one audience list walk per sandbox.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import path from 'node:path';
import { audienceUuid } from '../../src/emulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator, type TestEmulator } from '../helpers/emulator.ts';
import { tempRepo } from '../helpers/repo.ts';
import { ACCOUNT_KINESIS } from '../manifest/helpers.ts';
import { commitAll, git, initRepo } from '../review/git-repo.ts';

const PROD_MEN = '72ddd79b-6b0a-4e97-a8d2-112ccd81bd02';
const PROD_GOLD = '5a1e2b3c-7d8e-4f90-a1b2-c3d4e5f60718';
const DEV_MEN = audienceUuid('dev', 'Men over 50');
const DEV_GOLD = audienceUuid('dev', 'Gold tier members');

const ACCOUNT = ACCOUNT_KINESIS.replace('  name: kinesis-prod\n', '  name: kin\n  sandboxes: [dev, prod]\n');

function destination(segments: string, more = ''): string {
  return `apiVersion: flowsync/v1
kind: StreamingDestination
metadata:
  name: summer
  sandboxes: [dev, prod]
spec:
  account: kin
  target: { stream: summer-dev }
  segments:
${segments}
  profileAttributes: [person.name.lastName]
  overrides:
    prod:
      target: { stream: summer }
${more}`;
}

const BY_NAME = '    - name: Men over 50\n    - name: Gold tier members';

async function repoWith(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await tempRepo(t);
  await writeFile(path.join(dir, 'flowsync.yaml'), 'apiVersion: flowsync/v1\nkind: Config\nmanifests: [m]\nsandbox: prod\n');
  await mkdir(path.join(dir, 'm'), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'm', name), text);
  return dir;
}

function flows(e: TestEmulator, sandbox: string): { name: string; transformations: { params: { segmentSelectors?: { selectors: { value: { id: string; name?: string } }[] } } }[]; targetConnectionIds: string[] }[] {
  return (e.emu.admin.snapshot().scopes[`${e.orgId}/${sandbox}`]?.flows ?? []) as never;
}

function activated(e: TestEmulator, sandbox: string): string[] {
  return flows(e, sandbox).flatMap((f) => f.transformations[0]?.params.segmentSelectors?.selectors.map((s) => s.value.id) ?? []).sort();
}

function stream(e: TestEmulator, sandbox: string): unknown {
  const tc = (e.emu.admin.snapshot().scopes[`${e.orgId}/${sandbox}`]?.targetConnections ?? []) as { params?: { stream?: string } }[];
  return tc.map((t) => t.params?.stream);
}

/** The sandboxes whose audience list was walked, once per walk (a walk of 200+ audiences takes several pages). */
const audienceWalks = (e: TestEmulator) => e.emu.admin.requests().filter((r) => r.path.endsWith('/data/core/ups/audiences') && /(^|&)start=0(&|$)/.test(r.query)).map((r) => r.sandbox);

test('one manifest for dev and prod activates each sandbox its own audience ids; the prod override changes only prod', async (t) => {
  const e = await startTestEmulator(t);
  const dir = await repoWith(t, { 'a.yaml': ACCOUNT, 'summer.yaml': destination(BY_NAME) });
  const applied = await runCli(['apply', '--dir', dir, '--auto-approve'], { env: e.env });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  assert.deepEqual(activated(e, 'dev'), [DEV_MEN, DEV_GOLD].sort());
  assert.deepEqual(activated(e, 'prod'), [PROD_MEN, PROD_GOLD].sort());
  assert.deepEqual([stream(e, 'dev'), stream(e, 'prod')], [['summer-dev'], ['summer']]);
  // The plan showed names and ids.
  assert.match(applied.stdout, new RegExp(`\\+\\s+segment ${DEV_MEN} \\(Men over 50\\)`));
  // Names cost one list walk per sandbox per run (plan, then the re-plan under the lease, share it).
  assert.deepEqual(audienceWalks(e).sort(), ['dev', 'prod']);

  e.emu.admin.resetRequests();
  const again = await runCli(['plan', '--dir', dir, '--detailed-exitcode'], { env: e.env });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /No changes/);

  // A shared manifest is not rewritten from one sandbox's live state.
  const before = await readFile(path.join(dir, 'm', 'summer.yaml'), 'utf8');
  const update = await runCli(['import', '--dir', dir, '--update', 'dev/summer'], { env: e.env });
  assert.equal(update.code, 1, update.stdout);
  assert.match(update.stderr, /FS_IMPORT_UPDATE.*several sandboxes/);
  assert.match(update.stderr, /spec\.overrides\.dev/);
  assert.equal(await readFile(path.join(dir, 'm', 'summer.yaml'), 'utf8'), before);
});

test('--sandbox limits plan and apply to the sandboxes named; a saved plan records and keeps its scope', async (t) => {
  const e = await startTestEmulator(t);
  const dir = await repoWith(t, { 'a.yaml': ACCOUNT, 'summer.yaml': destination(BY_NAME) });
  const planFile = path.join(dir, 'dev.plan.json');
  const planned = await runCli(['plan', '--dir', dir, '--sandbox', 'dev', '--out', planFile, '--output', 'json'], { env: e.env });
  assert.equal(planned.code, 0, planned.stderr);
  const plan = JSON.parse(await readFile(planFile, 'utf8')) as { scope?: string[]; sandboxes: string[]; actions: { sandbox: string }[] };
  assert.deepEqual(plan.scope, ['dev']);
  assert.deepEqual([...new Set(plan.actions.map((a) => a.sandbox))], ['dev']);
  assert.ok(e.emu.admin.requests().every((r) => r.sandbox !== 'prod'), 'prod was not read');

  const other = await runCli(['apply', planFile, '--dir', dir, '--auto-approve', '--sandbox', 'prod'], { env: e.env });
  assert.equal(other.code, 1);
  assert.match(other.stderr, /planned for --sandbox dev/);
  const applied = await runCli(['apply', planFile, '--dir', dir, '--auto-approve'], { env: e.env });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  assert.deepEqual(activated(e, 'dev'), [DEV_MEN, DEV_GOLD].sort());
  assert.deepEqual(flows(e, 'prod'), []);
  assert.ok(flowServiceWrites(e.emu).length > 0);
  assert.ok(e.emu.admin.requests().filter((r) => r.write).every((r) => r.sandbox === 'dev'), 'nothing was written to prod');

  const unknown = await runCli(['plan', '--dir', dir, '--sandbox', 'qa'], { env: e.env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /--sandbox qa: no manifest or flowsync.yaml names that sandbox \(named: dev, prod\)/);
});

test('an unknown name, an ambiguous name and an id of the other sandbox are refused with file, line and sandbox, and nothing is written', async (t) => {
  const e = await startTestEmulator(t);
  e.emu.admin.addAudience({ sandbox: 'prod', name: 'Twins', id: '00000000-0000-4000-8000-0000000000a1' });
  e.emu.admin.addAudience({ sandbox: 'prod', name: 'Twins', id: '00000000-0000-4000-8000-0000000000a2' });
  const prodOnly = `apiVersion: flowsync/v1
kind: StreamingDestination
metadata:
  name: winter
spec:
  account: kin
  target: { stream: winter }
  segments:
    - name: Men over 5O
    - name: Twins
    - id: ${DEV_GOLD}
`;
  const dir = await repoWith(t, { 'a.yaml': ACCOUNT, 'winter.yaml': prodOnly });
  for (const args of [['plan'], ['apply', '--auto-approve']]) {
    const run = await runCli([...args, '--dir', dir], { env: e.env });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /winter\.yaml:9:7: error FS_PLAN_SEGMENT_UNKNOWN \[sandbox prod\] .*no audience named "Men over 5O" in sandbox prod/);
    assert.match(run.stderr, /hint: Did you mean "Men over 50"\?/);
    assert.match(run.stderr, /winter\.yaml:10:7: error FS_PLAN_SEGMENT_AMBIGUOUS \[sandbox prod\] .*2 audiences are named "Twins" in sandbox prod: 00000000-0000-4000-8000-0000000000a1, 00000000-0000-4000-8000-0000000000a2/);
    assert.match(run.stderr, new RegExp(`winter\\.yaml:11:7: error FS_PLAN_SEGMENT_NOT_AUDIENCE \\[sandbox prod\\] .*${DEV_GOLD} is no audience of sandbox prod`));
    assert.match(run.stderr, /It is audience "Gold tier members" of sandbox dev/);
    assert.match(run.stderr, /nothing was written/);
  }
  assert.deepEqual(flowServiceWrites(e.emu), []);
});

test('an audience renamed in AEP is a label change, never a re-activation (manifest by id, or by the new name)', async (t) => {
  const e = await startTestEmulator(t);
  // prod lists its own segments (lists replace): Men by id, Gold by name.
  const prodSegments = (gold: string) => `      segments:\n        - id: ${PROD_MEN}\n        - name: ${gold}\n`;
  const text = (gold: string) => destination(`    - id: ${DEV_MEN}\n    - name: Gold tier members`, prodSegments(gold));
  const dir = await repoWith(t, { 'a.yaml': ACCOUNT, 'summer.yaml': text('Gold tier members') });
  const applied = await runCli(['apply', '--dir', dir, '--auto-approve'], { env: e.env });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  e.emu.admin.addAudience({ sandbox: 'prod', id: PROD_MEN, name: 'Men aged 50+' });
  e.emu.admin.addAudience({ sandbox: 'prod', id: PROD_GOLD, name: 'Gold members' });
  e.emu.admin.resetRequests();

  // Gold is named in the manifest: under its old name it is now unknown; under the new one it is the same id.
  const stale = await runCli(['plan', '--dir', dir], { env: e.env });
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /no audience named "Gold tier members" in sandbox prod/);
  await writeFile(path.join(dir, 'm', 'summer.yaml'), text('Gold members'));
  const plan = await runCli(['plan', '--dir', dir, '--detailed-exitcode'], { env: e.env });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /Audiences renamed in AEP/);
  assert.match(plan.stdout, new RegExp(`prod/destination/summer: segment ${PROD_MEN}: "Men over 50" → "Men aged 50\\+"`));
  assert.match(plan.stdout, new RegExp(`prod/destination/summer: segment ${PROD_GOLD}: "Gold tier members" → "Gold members"`));
  assert.doesNotMatch(plan.stdout, /update dataflow|segment .* \(/);
  const json = JSON.parse((await runCli(['plan', '--dir', dir, '--output', 'json'], { env: e.env })).stdout) as { actions: unknown[]; labels: unknown[] };
  assert.deepEqual(json.actions, []);
  assert.equal(json.labels.length, 2);
  const apply = await runCli(['apply', '--dir', dir, '--auto-approve'], { env: e.env });
  assert.equal(apply.code, 0, apply.stderr);
  assert.deepEqual(flowServiceWrites(e.emu), []);
  assert.deepEqual(activated(e, 'prod'), [PROD_MEN, PROD_GOLD].sort());
});

test('the pull-request comment groups the plan by sandbox: promoting dev to prod by adding prod to sandboxes', async (t) => {
  const e = await startTestEmulator(t);
  const devOnly = destination(BY_NAME).replace('  sandboxes: [dev, prod]', '  sandboxes: [dev]').replace(/ {2}overrides:[\s\S]*$/, '');
  const dir = await repoWith(t, { 'a.yaml': ACCOUNT, 'summer.yaml': devOnly });
  initRepo(dir);
  commitAll(dir, 'dev only');
  const applied = await runCli(['apply', '--dir', dir, '--auto-approve'], { env: e.env });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  git(dir, 'checkout', '-q', '-b', 'promote');
  // The promotion: prod joins the list, with the one field that differs there. dev gains a segment too.
  await writeFile(path.join(dir, 'm', 'summer.yaml'), destination(`${BY_NAME}\n    - name: Platinum tier members`, ''));
  commitAll(dir, 'promote summer to prod');
  e.emu.admin.resetRequests();
  const review = await runCli(['plan', '--dir', dir, '--base', 'main', '--output', 'markdown'], { env: { ...e.env, FLOWSYNC_NOW: '2026-03-01T12:00:00Z' } });
  assert.equal(review.code, 0, review.stderr);
  const md = review.stdout;
  const dev = md.indexOf('#### Sandbox <code>dev</code>');
  const prod = md.indexOf('#### Sandbox <code>prod</code>');
  assert.ok(dev >= 0 && prod > dev, md);
  // Each sandbox's section holds its own actions, with its own audience ids.
  assert.match(md.slice(dev, prod), new RegExp(`\\+\\s+segment ${audienceUuid('dev', 'Platinum tier members')} \\(Platinum tier members\\)`));
  assert.match(md.slice(prod), new RegExp(`\\+\\s+segment ${PROD_MEN} \\(Men over 50\\)`));
  assert.match(md.slice(prod), /params\.stream: "summer"/);
  assert.doesNotMatch(md.slice(prod), new RegExp(DEV_MEN));
  // Read only, one audience walk per sandbox for both sides of the review.
  assert.deepEqual(flowServiceWrites(e.emu), []);
  assert.deepEqual(audienceWalks(e).sort(), ['dev', 'prod']);
});

test('a pull request naming an audience prod lacks fails review with the file, line and sandbox, in a document the review schema accepts', async (t) => {
  const e = await startTestEmulator(t);
  const dir = await repoWith(t, { 'a.yaml': ACCOUNT, 'summer.yaml': destination(BY_NAME) });
  initRepo(dir);
  commitAll(dir, 'base');
  git(dir, 'checkout', '-q', '-b', 'typo');
  await writeFile(path.join(dir, 'm', 'summer.yaml'), destination(BY_NAME, '      segments:\n        - name: Gold tier member\n'));
  commitAll(dir, 'prod: only gold');
  const review = await runCli(['plan', '--dir', dir, '--base', 'main', '--output', 'json', '--detailed-exitcode'], { env: e.env });
  assert.equal(review.code, 1, review.stderr);
  const doc = JSON.parse(review.stdout) as { head: { valid: boolean; diagnostics: { code: string; sandbox?: string; file?: string; line?: number }[] } };
  assert.equal(doc.head.valid, false);
  assert.deepEqual(doc.head.diagnostics.filter((d) => d.code.startsWith('FS_PLAN_')).map((d) => [d.code, d.sandbox, d.file, d.line]), [['FS_PLAN_SEGMENT_UNKNOWN', 'prod', 'm/summer.yaml', 17]]);
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const schema = (file: string) => JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as object;
  ajv.addSchema(schema('plan.schema.json'));
  ajv.addSchema(schema('status.schema.json')); // review.schema.json's health column refers to it
  assert.ok(ajv.validate(schema('review.schema.json'), doc), JSON.stringify(ajv.errors?.slice(0, 3)));
  assert.deepEqual(flowServiceWrites(e.emu), []);
});
