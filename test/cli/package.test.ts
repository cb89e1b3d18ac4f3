// The npm package as a user gets it: `npm pack` (prepack builds the bundle), installed into an
// empty folder, and the installed bin run from another folder against the emulator. The package
// has no dependencies, so the install needs no registry.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packAndInstall, userEnv } from '../../bench/lib/package.ts';
import { copyExampleRepo, startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const run = promisify(execFile);

test('npm pack ships only the bundle, the schemas, README, LICENSE and notices; installed, the bin works from another folder', async (t) => {
  const { pack, prefix, bin } = await packAndInstall();
  t.after(() => rm(prefix, { recursive: true, force: true }));
  const files = pack.files.map((f) => f.path).sort();
  const schemas = (await run('git', ['ls-files', 'schemas'], { cwd: REPO_ROOT })).stdout.split('\n').filter((f) => f.endsWith('.schema.json'));
  assert.deepEqual(files, ['LICENSE', 'README.md', 'dist/THIRD-PARTY-NOTICES.md', 'dist/cli/flowsync.mjs', 'package.json', ...schemas].sort());
  assert.ok(!files.some((f) => /^(test|bench|src|cmd)\//.test(f)), 'no test, bench or source files');
  const manifest = JSON.parse(await readFile(`${REPO_ROOT}package.json`, 'utf8')) as Record<string, unknown>;
  assert.equal(manifest.private, undefined);
  assert.deepEqual(manifest.dependencies ?? {}, {}, 'everything the bin needs is in the bundle, so the install needs no registry');
  assert.deepEqual(manifest.bin, { flowsync: 'dist/cli/flowsync.mjs' });

  // Run from another working folder: a copy of the example config repo.
  const config = await copyExampleRepo(t);
  const { env } = await startTestEmulator(t);
  const flowsync = (args: string[]) => run(bin, args, { cwd: config, env: userEnv(env), timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );

  const help = await flowsync(['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^flowsync: GitOps/);
  assert.match(help.stdout, /\n {2}version {7}/);

  const version = await flowsync(['version', '--output', 'json']);
  const info = JSON.parse(version.stdout) as { version: string; revision: string; node: string };
  const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT })).stdout.trim();
  assert.equal(info.version, manifest.version);
  assert.match(info.revision, new RegExp(`^${head}(-dirty)?$`), 'the revision the bundle was built from');

  const validate = await flowsync(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stdout, /^valid: \d+ account\(s\) and \d+ destination\(s\)/m);

  const plan = await flowsync(['plan', '--detailed-exitcode']);
  assert.equal(plan.code, 2, `the example is not live yet, so the plan creates it\n${plan.stderr}`);
  assert.match(plan.stdout, /to create/);

  // The daemon of the installed copy reports the same build in /status and /metrics.
  const daemon = spawn(bin, ['run', '--dir', '.', '--mode', 'observe', '--listen', '127.0.0.1:0', '--interval', '1h'], { cwd: config, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => daemon.kill('SIGKILL'));
  let log = '';
  daemon.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  daemon.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const url = await eventually(() => /"url":"(http:\/\/[^"]+)"/.exec(log)?.[1], { timeoutMs: 20_000, message: `the installed daemon did not start:\n${log}` });
  const status = (await (await fetch(`${url}/status`)).json()) as { build?: unknown };
  assert.deepEqual(status.build, info);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.ok(metrics.includes(`flowsync_build_info{version="${info.version}",revision="${info.revision}",node="${info.node}"} 1`), metrics.slice(0, 2000));
  const exited = new Promise<number | null>((resolve) => daemon.on('exit', resolve));
  daemon.kill('SIGTERM');
  assert.equal(await exited, 0, log);
});
