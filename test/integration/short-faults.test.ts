// Faults that must not end an apply early (issue 11): answers lost after the API acted, and short
// outages. The real CLI against the real emulator over HTTP.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type StartedEmulator } from '../../src/emulator/index.ts';
import { runCli } from '../helpers/cli.ts';
import { emulatorEnv, startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';
import { TEST_AUDIENCES } from '../helpers/audiences.ts';

const KIN: AccountSpec = { name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' };

function flowServiceEntities(emu: StartedEmulator): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of Object.values(emu.admin.snapshot().scopes)) {
    for (const c of ['connections', 'sourceConnections', 'targetConnections', 'flows']) (out[c] ??= []).push(...(s[c as 'flows'] ?? []).map((e) => String(e.name)));
  }
  return out;
}

function assertNoDuplicates(emu: StartedEmulator): void {
  for (const [collection, names] of Object.entries(flowServiceEntities(emu)) as Array<[string, string[]]>) {
    assert.equal(new Set(names).size, names.length, `duplicate ${collection}: ${names.sort().join(', ')}`);
  }
}

// The breaker opens and waits for its probe as with the defaults; a 1 s cooldown instead of 10 s
// only makes each wait shorter (the open-wait-probe cycle is what these tests prove).
const QUICK_PROBE = { api: { breakerCooldown: '1s' } };

function destinations(n: number, enabled = true): DestinationSpec[] {
  return Array.from({ length: n }, (_, i) => ({ name: `dest-${i}`, account: 'kin', segments: [segmentId(i)], attributes: ['person.name.lastName'], enabled }));
}

// Most of this file is waiting: a breaker cooldown, an outage. Each test has its own emulator and repo, so they wait side by side.
describe('short faults', { concurrency: true }, () => {
  test('a lost answer to disable is retried, meets "already disabled" (1422) and counts as done', async (t) => {
    const { emu, env } = await startTestEmulator(t);
    const repo = await tempRepo(t);
    await writeRepo(repo, [KIN], destinations(4));
    assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);

    await writeRepo(repo, [KIN], destinations(4, false));
    emu.admin.setFaults({ dropAfterCommit: { count: 4, method: 'POST', pathPrefix: '/flows/' } });
    const run = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const actions = emu.admin.requests().filter((r) => r.path.endsWith('/action'));
    assert.ok(actions.some((r) => r.status === 400), 'the retry met 1422');
    const flows = Object.values(emu.admin.snapshot().scopes).flatMap((s) => s.flows ?? []);
    assert.deepEqual(flows.map((f) => f.state as string), ['disabled', 'disabled', 'disabled', 'disabled']);
    const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
    assert.equal(plan.code, 0, plan.stdout);
  });

  test('40 creates whose answers are dropped after the commit, beside updates: the breaker opens, apply waits for its probe and converges', async (t) => {
    const { emu, env } = await startTestEmulator(t);
    const repo = await tempRepo(t);
    const existing = destinations(10);
    await writeRepo(repo, [KIN], existing, QUICK_PROBE);
    assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);
    // The 10 gain a segment (updates, no lookup to wait behind) and 20 more are created.
    const wanted = [...existing.map((d, i) => ({ ...d, segments: [...(d.segments ?? []), segmentId(100 + i)] })), ...destinations(30).slice(10)];
    await writeRepo(repo, [KIN], wanted, QUICK_PROBE);
    emu.admin.setFaults({ dropAfterCommit: { count: 40, method: 'POST', pathPrefix: '/data/foundation/flowservice/' } });
    const run = await runCli(['apply', '--dir', repo, '--auto-approve'], { env, timeoutMs: 150_000 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(emu.admin.requests().filter((r) => r.fault === 'dropAfterCommit').length, 40);
    assertNoDuplicates(emu);
    assert.equal(flowServiceEntities(emu).flows!.length, 30);
    const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
    assert.equal(plan.code, 0, plan.stdout);
  });

  test('the API restarted for about a second mid-apply: apply waits the outage out and converges, no duplicate', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-outage-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const stateFile = path.join(dir, 'emulator.json');
    let emu = await startEmulator({ port: 0, stateFile, audiences: TEST_AUDIENCES, faults: { latencyMs: 30 } });
    t.after(() => emu.close());
    const env = emulatorEnv(emu);
    const repo = await tempRepo(t);
    // A create in flight when the API went away never committed: its lookups run the whole
    // late-commit window before it is sent again. 10 s (the default is 60 s) still outlasts the outage.
    await writeRepo(repo, [KIN], destinations(24), { api: { ...QUICK_PROBE.api, timeout: '10s', lateCommitWindow: '10s' } });
    const exited = runCli(['apply', '--dir', repo, '--auto-approve'], { env, timeoutMs: 150_000 }); // runs while the API goes away
    const creates = () => emu.admin.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/flows')).length;
    await eventually(() => creates() >= 4, { timeoutMs: 60_000, intervalMs: 5 });
    const port = emu.port;
    await emu.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the outage itself, not a wait for an outcome
    emu = await startEmulator({ port, stateFile, audiences: TEST_AUDIENCES, faults: { latencyMs: 30 } });
    const run = await exited;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assertNoDuplicates(emu);
    assert.equal(flowServiceEntities(emu).flows!.length, 24);
    const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
    assert.equal(plan.code, 0, plan.stdout);
  });
});
