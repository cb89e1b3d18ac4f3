// The config folder as a new user gives it: `--dir` on every command that reads a config, a folder
// argument to apply (a file is a saved plan), and a saved plan's hint that can be run as printed.
// In-process, so the working folder can be a temp folder outside the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { applyCommand } from '../../src/cli/apply-command.ts';
import { destinationsCommand } from '../../src/cli/destinations-command.ts';
import { planCommand } from '../../src/cli/plan-command.ts';
import { validateCommand } from '../../src/cli/validate-command.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { runInProcess } from '../helpers/in-process.ts';
import { segmentId, tempRepo, writeRepo } from '../helpers/repo.ts';

const accounts = [{ name: 'kin', type: 'amazon-kinesis' as const, secretEnv: 'KINESIS_SECRET_KEY' }];
const destinations = [{ name: 'summer', account: 'kin', segments: [segmentId(1)] }];

test('apply FOLDER applies the config in that folder; a folder and --dir together is a usage error', async (t) => {
  const { env } = await startTestEmulator(t);
  const cwd = await tempRepo(t);
  await writeRepo(path.join(cwd, 'manifests'), accounts, destinations);
  const both = await runInProcess(applyCommand, ['manifests', '--dir', 'manifests', '--auto-approve'], { env, cwd });
  assert.equal(both.code, 1);
  assert.match(both.stderr, /FS_CLI_USAGE/);
  const applied = await runInProcess(applyCommand, ['manifests', '--auto-approve'], { env, cwd });
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /Apply complete: 4 applied/);
});

test('the saved plan\'s hint names --dir when the config is not the current folder, and runs as printed', async (t) => {
  const { env } = await startTestEmulator(t);
  const cwd = await tempRepo(t);
  const repo = path.join(cwd, 'config repo');
  await writeRepo(repo, accounts, destinations);

  const here = await runInProcess(planCommand, ['--out', 'plan.json'], { env, cwd: repo });
  assert.match(here.stderr, /Apply exactly it with: flowsync apply plan\.json\n/);

  const planned = await runInProcess(planCommand, ['--dir', 'config repo', '--out', 'plan.json'], { env, cwd });
  assert.equal(planned.code, 0, planned.stderr);
  const hint = /Apply exactly it with: flowsync (apply .*)\n/.exec(planned.stderr)?.[1];
  assert.equal(hint, "apply plan.json --dir 'config repo'");
  const applied = await runInProcess(applyCommand, ['plan.json', '--dir', 'config repo', '--auto-approve'], { env, cwd });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
});

test('validate and destinations take --dir', async (t) => {
  const { env } = await startTestEmulator(t);
  const cwd = await tempRepo(t);
  await writeRepo(path.join(cwd, 'cfg'), accounts, destinations);
  for (const [command, argv] of [[validateCommand, ['--dir', 'cfg']], [destinationsCommand, ['--dir', 'cfg']]] as const) {
    const res = await runInProcess(command, [...argv], { env, cwd });
    assert.equal(res.code, 0, `${command.name}: ${res.stderr}`);
  }
});
