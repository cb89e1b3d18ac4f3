// E2E: an invalid commit changes nothing and is reported while the last good revision stays in
// force; the next valid commit applies; a commit that empties the manifests folder is an invalid
// revision (prune on or off) unless reconcile.allowEmpty, and a plan deleting past the ratio is
// refused unless --allow-mass-delete is given.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { segmentId, writeRepo } from '../helpers/repo.ts';
import { hookServer, tempDir } from '../daemon/helpers.ts';
import { ACCOUNTS, configRemote, dest, flowNamed, flowsIn, segmentsOf, startDaemon, type RunningDaemon, type StatusDoc } from './harness.ts';

const push = { ref: 'refs/heads/main' };

/** Sends a webhook and waits for the cycle of `rev` to be recorded. */
async function cycleOf(d: RunningDaemon, rev: string): Promise<StatusDoc> {
  assert.equal(await d.webhook(push), 202);
  const s = await eventually(
    async () => {
      const s = await d.status();
      return s.lastCycle?.revision === rev && s.lastCycle.trigger === 'webhook' ? s : undefined;
    },
    { timeoutMs: 5_000, message: `no cycle of ${rev}` },
  );
  return s!;
}

/**
 * Every manifest file deleted; flowsync.yaml stays. With `keep` a README stays in the folder (git
 * keeps no empty folders), without it the folder is gone from the commit.
 */
async function emptyManifests(dir: string, config: Record<string, unknown>, keep = true): Promise<void> {
  await rm(join(dir, 'm'), { recursive: true, force: true });
  if (keep) await mkdir(join(dir, 'm'));
  if (keep) await writeFile(join(dir, 'm', 'README.md'), 'destinations moved elsewhere\n');
  await writeFile(join(dir, 'flowsync.yaml'), stringify({ apiVersion: 'flowsync/v1', kind: 'Config', manifests: ['m'], sandbox: 'prod', ...config }));
}

test('e2e safety: an invalid commit changes nothing and is reported; the next valid commit applies', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const remote = await configRemote(t);
  const good = await remote.commit([dest('summer', [1])]);
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h'], env);
  await eventually(async () => (await d.status()).revision.inForce === good, { timeoutMs: 10_000 });

  // A commit that adds a segment but also breaks a manifest: nothing of it may apply.
  const bad = await remote.commitWith(async (dir) => {
    await writeRepo(dir, ACCOUNTS, [dest('summer', [1, 2])]);
    await writeFile(join(dir, 'm', 'dest-prod-broken.yaml'), stringify({ apiVersion: 'flowsync/v1', kind: 'StreamingDestination', metadata: { name: 'broken', sandbox: 'prod' }, spec: { target: { stream: 'x' } } }));
  }, 'broken');
  emu.admin.resetRequests();
  const s = await cycleOf(d, bad);
  assert.equal(s.lastCycle?.result, 'invalid');
  assert.equal(s.revision.inForce, good);
  assert.equal(s.revision.lastAttempted, bad);
  assert.equal(s.revision.lastAttemptedResult, 'invalid');
  assert.match(s.revision.note ?? '', /failed validation/);
  assert.ok((s.lastCycle?.diagnostics ?? []).length > 0, 'the diagnostics are in /status');
  assert.equal(emu.admin.counters().writes, 0);
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'summer')), [segmentId(1)]);
  await eventually(() => d.events('diagnostic').some((r) => r.revision === bad), { timeoutMs: 2_000, message: 'diagnostics are logged with the revision' });
  assert.equal(await d.readyz(), 200, 'an invalid revision does not make the daemon unready');

  const fixed = await remote.commit([dest('summer', [1, 2])], {}, 'fixed');
  const s2 = await cycleOf(d, fixed);
  assert.equal(s2.lastCycle?.result, 'success');
  assert.equal(s2.revision.inForce, fixed);
  assert.equal(s2.revision.note, undefined);
  assert.deepEqual(segmentsOf(flowNamed(emu, orgId, 'summer')), [segmentId(1), segmentId(2)]);
});

test('e2e safety: an emptied manifests folder deletes nothing (invalid, prune on or off); past the ratio is refused', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const remote = await configRemote(t);
  const good = await remote.commit([dest('a', [1]), dest('b', [2])], { reconcile: { prune: true } });
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h'], env);
  await eventually(async () => (await d.status()).revision.inForce === good, { timeoutMs: 10_000 });
  assert.equal(flowsIn(emu, orgId).length, 2);

  emu.admin.resetRequests();
  // One of two destinations removed, past a low delete ratio: refused, and /status keeps showing
  // both destinations as they are live (the refused revision tells nothing about them).
  const partial = await remote.commit([dest('a', [1])], { reconcile: { prune: true, maxDeleteRatio: 0.2 } }, 'drop b');
  const sp = await cycleOf(d, partial);
  assert.equal(sp.lastCycle?.result, 'refused', JSON.stringify(sp.lastCycle));
  assert.equal(sp.lastCycle?.error?.code, 'FS_DAEMON_MASS_DELETE');
  assert.match(sp.lastCycle?.error?.message ?? '', /FS_APPLY_MASS_DELETE: the plan would delete 2 of 7 owned entities \(29%\), more than reconcile.maxDeleteRatio 20%/);
  assert.deepEqual(sp.entities.filter((e) => e.kind === 'destination').map((e) => [e.name, e.condition]), [['a', 'Ready'], ['b', 'Ready']]);
  assert.equal(flowsIn(emu, orgId).length, 2);

  // The folder deleted outright: flowsync.yaml names a folder that is not there, which is invalid.
  const gone = await remote.commitWith((dir) => emptyManifests(dir, { reconcile: { prune: true } }, false), 'folder gone');
  const s0 = await cycleOf(d, gone);
  assert.equal(s0.lastCycle?.result, 'invalid', JSON.stringify(s0.lastCycle));
  assert.equal(flowsIn(emu, orgId).length, 2);

  // The folder emptied: an empty manifest set is an invalid revision, whether prune is on or off.
  for (const prune of [true, false]) {
    const emptied = await remote.commitWith((dir) => emptyManifests(dir, { reconcile: { prune } }), `empty, prune ${prune}`);
    const s = await cycleOf(d, emptied);
    assert.equal(s.lastCycle?.result, 'invalid', JSON.stringify(s.lastCycle));
    assert.equal(s.lastCycle?.error?.code, 'FS_MANIFEST_INVALID');
    assert.ok((s.lastCycle?.diagnostics as { summary: string }[] | undefined)?.some((x) => /^FS_MANIFEST_EMPTY no accounts and no destinations under m\//.test(x.summary)), JSON.stringify(s.lastCycle?.diagnostics));
    assert.equal(s.revision.inForce, good);
    assert.equal(s.revision.lastAttemptedResult, 'invalid');
  }
  assert.equal(emu.admin.counters().writes, 0);
  assert.equal(flowsIn(emu, orgId).length, 2);
});

test('e2e safety: with reconcile.allowEmpty and --allow-mass-delete an emptied folder with prune on deletes what flowsync owns', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const remote = await configRemote(t);
  const good = await remote.commit([dest('a', [1]), dest('b', [2])], { reconcile: { prune: true } });
  const d = await startDaemon(t, ['--repo', remote.bare, '--cache-dir', remote.cacheDir, '--poll', '0', '--interval', '1h', '--allow-mass-delete'], env);
  await eventually(async () => (await d.status()).revision.inForce === good, { timeoutMs: 10_000 });
  const invalid = await remote.commitWith((dir) => emptyManifests(dir, { reconcile: { prune: true } }), 'empty');
  assert.equal((await cycleOf(d, invalid)).lastCycle?.result, 'invalid', '--allow-mass-delete does not make an empty set valid');
  assert.equal(flowsIn(emu, orgId).length, 2);
  const emptied = await remote.commitWith((dir) => emptyManifests(dir, { reconcile: { prune: true, allowEmpty: true } }), 'empty, allowed');
  const s = await cycleOf(d, emptied);
  assert.equal(s.lastCycle?.result, 'success', JSON.stringify(s.lastCycle));
  assert.equal(flowsIn(emu, orgId).length, 0);
});

test('e2e safety: a write the API refuses is reported (status Failed, notification) and retried until it applies', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t);
  const hook = await hookServer(t);
  const dir = await tempDir(t, 'flowsync-e2e-dir-');
  await writeRepo(dir, ACCOUNTS, [dest('summer', [1])]);
  const d = await startDaemon(t, ['--dir', dir, '--interval', '400ms', '--notify-url-env', 'E2E_NOTIFY_URL'], { ...env, E2E_NOTIFY_URL: hook.url });
  await eventually(async () => (await d.status()).lastCycle?.result === 'success', { timeoutMs: 10_000 });

  emu.admin.setFaults({ failNext: [{ count: 1, status: 400, method: 'PATCH', pathPrefix: '/flows' }] });
  await writeRepo(dir, ACCOUNTS, [dest('summer', [1, 2])]);
  const failedEntity = (await eventually(async () => (await d.status()).entities.find((e) => e.name === 'summer' && e.condition === 'Failed'), { timeoutMs: 3_000, message: 'never Failed' }))!;
  assert.equal(failedEntity.reason, 'ApplyFailed');
  await eventually(() => hook.received.some((b) => /Apply failed for destination prod\/summer/.test(b)), { timeoutMs: 3_000, message: 'no "apply failed" notification' });
  await eventually(() => segmentsOf(flowNamed(emu, orgId, 'summer')).length === 2, { timeoutMs: 5_000, message: 'the retry did not apply' });
  await eventually(() => hook.received.some((b) => /Recovered: destination prod\/summer is Ready again/.test(b)), { timeoutMs: 3_000, message: 'no "recovered" notification' });
  assert.equal((await d.status()).entities.find((e) => e.name === 'summer')?.condition, 'Ready');
});
