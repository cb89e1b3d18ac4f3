// The org and endpoint a run uses are the effective ones (flag > FLOWSYNC_* env > flowsync.yaml):
// every view of the plan shows them, a saved plan records them with the config folder, manager and
// sandboxes, and `apply PLANFILE` refuses a plan made for another target before any request (a
// config folder inside a git checkout is recorded by its path in the repo, so CI jobs may differ).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo } from '../helpers/repo.ts';
import { git } from '../daemon/helpers.ts';

const accounts = [{ name: 'kin', type: 'amazon-kinesis' as const, secretEnv: 'KINESIS_SECRET_KEY' }];
const destinations = [{ name: 'summer', account: 'kin', segments: [segmentId(1)] }];
const FILE_ORG = 'AAAAFILE0000000000000000@AdobeOrg';

test('with org A in flowsync.yaml and FLOWSYNC_ORG_ID=B, the text header, the JSON, the markdown marker and apply all say B', async (t) => {
  const { env, orgId } = await startTestEmulator(t);
  assert.notEqual(orgId, FILE_ORG);
  const repo = await tempRepo(t);
  await writeRepo(repo, accounts, destinations, { org: FILE_ORG });

  const text = await runCli(['plan', '--dir', repo], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^flowsync plan \\(org ${orgId}\\)`));
  const json = JSON.parse((await runCli(['plan', '--dir', repo, '--output', 'json'], { env })).stdout) as Record<string, unknown>;
  assert.equal(json.org, orgId);
  assert.equal(json.endpoint, env.FLOWSYNC_ENDPOINT);
  assert.equal(json.configDir, await realpath(repo));
  const markdown = await runCli(['plan', '--dir', repo, '--output', 'markdown'], { env });
  assert.ok(markdown.stdout.includes(orgId), markdown.stdout);
  const applied = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(applied.code, 0, applied.stderr);
  for (const out of [text.stdout, markdown.stdout, applied.stdout, JSON.stringify(json)]) assert.ok(!out.includes(FILE_ORG), out);
});

test('a saved plan applied with another org, endpoint or config folder is refused naming the field, before any request', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const repo = await tempRepo(t);
  await writeRepo(repo, accounts, destinations);
  const planFile = path.join(repo, 'plan.json');
  const planned = await runCli(['plan', '--dir', repo, '--out', planFile], { env });
  assert.equal(planned.code, 0, planned.stderr);

  const other = await tempRepo(t);
  await cp(repo, other, { recursive: true });
  const cases: { args: string[]; env?: Record<string, string>; field: RegExp }[] = [
    { args: ['--org', 'CCCC0000000000000000000@AdobeOrg'], field: new RegExp(`org: the plan was made for ${orgId}, this run uses CCCC`) },
    { args: [], env: { FLOWSYNC_ORG_ID: 'CCCC0000000000000000000@AdobeOrg' }, field: /org: the plan was made for/ },
    { args: ['--endpoint', 'http://127.0.0.1:9'], field: /endpoint: the plan was made for http:\/\/127\.0\.0\.1:\d+, this run uses http:\/\/127\.0\.0\.1:9/ },
    { args: ['--dir', other], field: /config dir: the plan was made for .*, this run uses / },
  ];
  for (const c of cases) {
    emu.admin.resetRequests();
    const args = c.args.includes('--dir') ? c.args : [...c.args, '--dir', repo];
    const res = await runCli(['apply', planFile, ...args, '--auto-approve'], { env: { ...env, ...c.env } });
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, /FS_APPLY_PLAN_TARGET/);
    assert.match(res.stderr, c.field);
    assert.equal(emu.admin.requests().length, 0, JSON.stringify(emu.admin.requests()));
  }
  assert.deepEqual(flowServiceWrites(emu), []);
  const same = await runCli(['apply', planFile, '--dir', repo, '--auto-approve'], { env });
  assert.equal(same.code, 0, same.stderr + same.stdout);
});

test('a plan saved in one checkout of the config repo applies in another checkout at another path (CI plan and apply jobs)', async (t) => {
  const { env } = await startTestEmulator(t);
  const source = await tempRepo(t);
  await writeRepo(source, accounts, destinations, { manifests: ['m'] });
  git(source, 'init', '-q', '--initial-branch=main');
  git(source, 'add', '-A');
  git(source, 'commit', '-q', '-m', 'config');
  const root = await tempRepo(t);
  const planJob = path.join(root, 'plan-job', 'repo');
  const applyJob = path.join(root, 'apply-job', 'checkout');
  git(root, 'clone', '-q', source, planJob);
  git(root, 'clone', '-q', source, applyJob);
  const planFile = path.join(root, 'plan.json');
  assert.equal((await runCli(['plan', '--dir', planJob, '--out', planFile], { env })).code, 0);
  const saved = JSON.parse(await readFile(planFile, 'utf8')) as { configDir: string };
  assert.equal(saved.configDir, 'git:.');
  const applied = await runCli(['apply', planFile, '--dir', applyJob, '--auto-approve'], { env });
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
});
