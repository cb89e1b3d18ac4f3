// `flowsync unlock` through the real CLI, --lock-timeout parsing, and the planner never seeing a
// lease entity (no change, nothing unmanaged) against the emulator over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { copyExampleRepo, startTestEmulator } from '../helpers/emulator.ts';
import { FlowServiceClient } from '../../src/api/index.ts';
import { EMULATOR_DEFAULTS } from '../../src/emulator/index.ts';
import { acquireLease, readLeaseRecord, type LeaseOptions } from '../../src/lease/index.ts';
import { lockTimeoutFlag } from '../../src/cli/common.ts';
import { isFlowsyncError } from '../../src/domain/errors.ts';

const opts: LeaseOptions = { durationMs: 600_000, clockSkewMs: 0, identity: { manager: 'github.com/acme/aep', command: 'flowsync run', host: 'daemon-host', pid: 31 } };

function clientFor(emu: { url: string; imsUrl: string }): FlowServiceClient {
  return new FlowServiceClient({ endpoint: emu.url, imsEndpoint: emu.imsUrl, orgId: EMULATOR_DEFAULTS.orgId, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret });
}

test('flowsync unlock refuses a live lease, frees it with --force naming the holder, then says it is free', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-unlock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const client = clientFor(emu);
  t.after(() => client.close());
  const lease = await acquireLease(client, 'prod', opts);

  const refused = await runCli(['unlock', 'prod', '--dir', dir], { env });
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /FS_LEASE_LIVE/);
  assert.match(refused.stderr, /held by daemon-host pid 31 \(flowsync run, manager github\.com\/acme\/aep\)/);
  assert.equal((await readLeaseRecord(client, 'prod'))?.host, 'daemon-host');
  assert.equal(lease.lost, false);

  const forced = await runCli(['unlock', 'prod', '--force', '--dir', dir], { env });
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /^Freed the writer lease of sandbox prod, held by daemon-host pid 31 \(flowsync run, manager github\.com\/acme\/aep\) since /);
  assert.equal((await readLeaseRecord(client, 'prod'))?.holder, '');

  const free = await runCli(['unlock', 'prod', '--dir', dir], { env });
  assert.equal(free.code, 0, free.stderr);
  assert.match(free.stdout, /The writer lease of sandbox prod is free; nothing to do\./);
  const none = await runCli(['unlock', 'dev', '--dir', dir], { env });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /Sandbox dev has no writer lease; nothing to do\./);

  const usage = await runCli(['unlock', '--dir', dir], { env });
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /FS_CLI_USAGE/);
});

test('--lock-timeout takes a duration; anything else is a usage error', () => {
  assert.equal(lockTimeoutFlag('apply', undefined), 0);
  assert.equal(lockTimeoutFlag('apply', '30s'), 30_000);
  assert.equal(lockTimeoutFlag('apply', '2m'), 120_000);
  for (const bad of ['', '10', 'soon', '-1s', true]) {
    assert.throws(() => lockTimeoutFlag('apply', bad), (err) => isFlowsyncError(err, 'FS_CLI_USAGE') && /--lock-timeout/.test(err.message));
  }
});

test('a plan against an org holding lease entities shows no changes and lists nothing unmanaged for them', async (t) => {
  const { emu, env } = await startTestEmulator(t);
  const repo = await copyExampleRepo(t);
  const applied = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  const client = clientFor(emu);
  t.after(() => client.close());
  const held = await acquireLease(client, 'prod', opts); // held, in prod
  await (await acquireLease(client, 'dev', opts)).release(); // free, in dev

  const plan = await runCli(['plan', repo, '--detailed-exitcode'], { env });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /No changes\./);
  assert.doesNotMatch(plan.stdout, /flowsync-lease|Not managed/);
  const json = await runCli(['plan', repo, '--prune', '--output', 'json'], { env });
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, /flowsync-lease/);
  await held.release();
});
