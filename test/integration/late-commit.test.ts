// Creates whose answer comes too late, never, or while the API is down: never sent twice, reported
// truthfully, settled by the next run. Real CLI, real emulator over HTTP.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startEmulator, type StartedEmulator } from '../../src/emulator/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { testClient } from '../helpers/reconcile.ts';
import { acquireLease } from '../../src/lease/index.ts';
import { CLI, runCli, type CliResult } from '../helpers/cli.ts';
import { emulatorEnv, startTestEmulator } from '../helpers/emulator.ts';
import { TEST_AUDIENCES } from '../helpers/audiences.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';

const KIN: AccountSpec = { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };

function destinations(n: number): DestinationSpec[] {
  return Array.from({ length: n }, (_, i) => ({ name: `dest-${i}`, account: 'kin', segments: [segmentId(i)], attributes: ['person.name.lastName'] }));
}

type Snap = Record<string, Array<Record<string, any>>>;
const scope = (emu: StartedEmulator, sandbox = 'prod'): Snap => emu.admin.snapshot().scopes[`EMULATOR0000000000000000@AdobeOrg/${sandbox}`] ?? {};

function assertNoDuplicates(s: Snap): void {
  for (const collection of ['connections', 'sourceConnections', 'targetConnections', 'flows']) {
    const names = (s[collection] ?? []).map((e) => e.name as string);
    assert.equal(new Set(names).size, names.length, `duplicate ${collection}: ${names.sort().join(', ')}`);
  }
}

const posts = (emu: StartedEmulator) => emu.admin.requests().filter((r) => r.method === 'POST' && r.path.startsWith('/data/foundation/flowservice/'));

/** Makes the sandbox's writer lease entity (as an earlier run would have), so the apply's first create is an entity of its own. */
async function leaseEntityExists(repo: string, env: Record<string, string>): Promise<void> {
  const leaseClient = await testClient(repo, env);
  await (await acquireLease(leaseClient, 'prod', { durationMs: 60_000, clockSkewMs: 0, identity: { manager: 'test', command: 'test' } })).release();
  leaseClient.close();
}

async function cleanPlan(repo: string, env: Record<string, string>): Promise<void> {
  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
}

// Most of this file is waiting: a commit 31 s late, lookups backing off. Each test has its own emulator and repo, so they wait side by side.
describe('late commits', { concurrency: true }, () => {
  test('creates that commit after the client timeout are found by lookup: one POST each, exit 0, verified', async (t) => {
    const { emu, env } = await startTestEmulator(t, { faults: { lateCommitMs: 1_500 } });
    const repo = await tempRepo(t);
    await writeRepo(repo, [KIN], destinations(2), { api: { timeout: '1s', lateCommitWindow: '4s' } });
    const run = await runCli(['apply', '--dir', repo, '--auto-approve'], { env, timeoutMs: 90_000 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Verified: live state matches the manifests/);
    const s = scope(emu);
    assertNoDuplicates(s);
    assert.equal(s.flows!.length, 2);
    assert.equal(posts(emu).length, emu.admin.requests().filter((r) => r.fault === 'lateCommit').length, 'every create was late, none sent twice');
    assert.ok(posts(emu).every((r) => r.status === 201));
    emu.admin.setFaults({ lateCommitMs: 0 });
    await cleanPlan(repo, env);
  });

  test('the issue\'s case with default settings: creates that commit 31 s late (past the 30 s timeout) leave no duplicate', async (t) => {
    // The first wave of creates (the account and the Profile Store connection, side by side) commits
    // after 31 s. The lease entity exists already, so its create is not one of the two late ones:
    // otherwise the lease's wait and the wave's would add up (two 31 s waits in a row).
    const { emu, env } = await startTestEmulator(t);
    const repo = await tempRepo(t);
    await writeRepo(repo, [KIN], destinations(1));
    await leaseEntityExists(repo, env);
    emu.admin.setFaults({ lateCommitMs: 31_000, lateCommitCount: 2 });
    const run = await runCli(['apply', '--dir', repo, '--auto-approve'], { env, timeoutMs: 150_000 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const late = emu.admin.requests().filter((r) => r.fault === 'lateCommit');
    assert.equal(late.length, 2);
    assertNoDuplicates(scope(emu));
    assert.equal(scope(emu).flows!.length, 1);
    await cleanPlan(repo, env);
  });

  test('the API gone during the window: FS_API_OUTCOME_UNKNOWN, exit 1, never "Verified"; the next apply settles it', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-late-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const stateFile = path.join(dir, 'emulator.json');
    let emu = await startEmulator({ port: 0, stateFile, audiences: TEST_AUDIENCES });
    t.after(() => emu.close());
    const port = emu.port;
    const env = emulatorEnv(emu);
    const repo = await tempRepo(t);
    await writeRepo(repo, [KIN], destinations(1), { api: { timeout: '1s', lateCommitWindow: '3s', outageWait: '2s' } });
    // The sandbox's writer lease entity exists already (an earlier run made it), so the first
    // connection create below is the account's: it commits, its answer is lost, the API goes away.
    await leaseEntityExists(repo, env);
    emu.admin.setFaults({ dropAfterCommit: { count: 1, method: 'POST', pathPrefix: '/data/foundation/flowservice/connections' } });

    const child = spawn(process.execPath, [...CLI, 'apply', '--dir', repo, '--auto-approve'], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
    await eventually(() => emu.admin.requests().some((r) => r.fault === 'dropAfterCommit'), { timeoutMs: 30_000, intervalMs: 5 });
    await emu.close();
    const down = await exited;
    assert.equal(down.code, 1, down.stdout + down.stderr);
    assert.match(down.stdout, /FS_API_OUTCOME_UNKNOWN/);
    assert.match(down.stdout, /outcome unknown/);
    assert.doesNotMatch(down.stdout + down.stderr, /Verified/);

    emu = await startEmulator({ port, stateFile, audiences: TEST_AUDIENCES });
    const committed = scope(emu).connections ?? [];
    assert.ok(committed.length >= 1, 'the lost create did commit');
    // The run that lost the API could not release its lease either; it ran on this host and its
    // process is gone, so the next run takes the lease at once instead of waiting for it to expire.
    const lease = (scope(emu).connections ?? []).find((c) => c.name === 'flowsync-lease');
    assert.doesNotMatch(String(lease?.description), /"holder":""/, 'the lease was left held');
    const again = await runCli(['apply', '--dir', repo, '--auto-approve'], { env, timeoutMs: 60_000 });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assertNoDuplicates(scope(emu));
    const kept = new Set(scope(emu).connections!.map((c) => c.id as string));
    assert.ok(committed.every((c) => kept.has(c.id as string)), 'what committed while the API went away is kept, not created again');
    await cleanPlan(repo, env);
  });

  test('a storm of creates that commit and lose their answer: 0 duplicates, exit 0, clean plan', async (t) => {
    const { emu, env } = await startTestEmulator(t, { faults: { dropAfterCommit: { count: 50, method: 'POST' } } });
    const repo = await tempRepo(t);
    await writeRepo(repo, [KIN], destinations(4));
    const run = await runCli(['apply', '--dir', repo, '--auto-approve'], { env, timeoutMs: 90_000 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(emu.admin.requests().filter((r) => r.fault === 'dropAfterCommit').length >= 10);
    assertNoDuplicates(scope(emu));
    assert.equal(scope(emu).flows!.length, 4);
    assert.equal(posts(emu).filter((r) => r.status !== 0).length, 0, 'every create was sent once and found by lookup');
    await cleanPlan(repo, env);
  });
});
