import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { FlowsyncError } from '../../src/domain/errors.ts';
import { Daemon, type DaemonOptions } from '../../src/daemon/daemon.ts';
import { FolderSource } from '../../src/daemon/folder-source.ts';
import { GitSource } from '../../src/daemon/git-source.ts';
import { repoSettingsReader } from '../../src/daemon/repo-settings.ts';
import type { StatusDocument } from '../../src/daemon/status-store.ts';
import { signBody } from '../../src/daemon/webhook.ts';
import type { CycleOutcome, EntityStatus } from '../../src/daemon/types.ts';
import { eventually } from '../helpers/eventually.ts';
import { captureLogger, gitRemote, hookServer, ok, onCleanup, request, scriptedReconcile, tempDir, writeFiles } from './helpers.ts';

const ready: EntityStatus = { sandbox: 'prod', kind: 'destination', name: 'orders', condition: 'Ready', reason: 'InSync' };
const account: EntityStatus = { sandbox: 'prod', kind: 'account', name: 'kinesis-main', condition: 'Ready', reason: 'InSync' };
const drifted: EntityStatus = { ...ready, condition: 'Drifted', reason: 'ChangedOutsideGit', message: 'segments differ' };

async function folderDaemon(t: TestContext, script: Parameters<typeof scriptedReconcile>[0], extra: Partial<DaemonOptions> = {}) {
  const dir = await tempDir(t);
  await writeFiles(dir, { 'a.yaml': 'a: 1\n' });
  const log = captureLogger();
  const scripted = scriptedReconcile(script);
  const daemon = new Daemon({
    source: new FolderSource({ dir, debounceMs: 50 }),
    reconcile: scripted.reconcile,
    mode: 'apply',
    logger: log.logger,
    intervalMs: 600_000,
    backoffBaseMs: 20,
    listen: { host: '127.0.0.1', port: 0 },
    ...extra,
  });
  onCleanup(t, () => daemon.stop());
  await daemon.start();
  return { daemon, dir, url: daemon.server!.url, inputs: scripted.inputs, log };
}

/** A daemon following `remote`'s main branch, with a scripted reconcile that always succeeds. */
async function gitDaemon(t: TestContext, bare: string, source: { path: string; pollMs: number }, extra: Partial<DaemonOptions>) {
  const scripted = scriptedReconcile([ok()]);
  const daemon = new Daemon({
    source: new GitSource({ repo: bare, branch: 'main', cacheDir: await tempDir(t), ...source }),
    reconcile: scripted.reconcile,
    mode: 'apply',
    logger: captureLogger().logger,
    intervalMs: 600_000,
    listen: { host: '127.0.0.1', port: 0 },
    ...extra,
  });
  onCleanup(t, () => daemon.stop());
  await daemon.start();
  return { daemon, inputs: scripted.inputs };
}

const status = async (url: string) => (await request(`${url}/status`)).json() as StatusDocument;

test('a folder change is reconciled within 2 s, with the revision the source reports', async (t) => {
  const { dir, inputs, daemon } = await folderDaemon(t, [ok()]);
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  await writeFiles(dir, { 'b.yaml': 'b: 1\n' });
  await eventually(() => inputs.length === 2, { timeoutMs: 2_000 });
  assert.equal(inputs[1]!.trigger, 'change');
  assert.notEqual(inputs[1]!.revision, inputs[0]!.revision);
  assert.equal(inputs[1]!.dir, dir);
  assert.equal(inputs[1]!.mode, 'apply');
});

test('/healthz always answers; /readyz is 503 until the first success and while the API is unreachable', async (t) => {
  const unreachable: CycleOutcome = { ...ok(), result: 'failed', apiReachable: false, error: { code: 'FS_API_UNAVAILABLE', message: 'connect ECONNREFUSED' } };
  const { url, inputs, daemon } = await folderDaemon(t, [unreachable, ok({ entities: [ready] }), unreachable, ok({ entities: [ready] })], { backoffBaseMs: 600_000 });
  assert.equal((await request(`${url}/healthz`)).status, 200);
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  assert.equal((await request(`${url}/readyz`)).status, 503);
  daemon.trigger('webhook');
  await eventually(async () => (await request(`${url}/readyz`)).status === 200);
  daemon.trigger('webhook');
  await eventually(async () => (await request(`${url}/readyz`)).status === 503);
  const body = (await request(`${url}/readyz`)).json() as { reachable: { api: boolean } };
  assert.equal(body.reachable.api, false);
  daemon.trigger('webhook');
  await eventually(async () => (await request(`${url}/readyz`)).status === 200);
});

test('a git remote that disappears makes /readyz fail and the daemon recovers on its own', async (t) => {
  const remote = await gitRemote(t);
  await remote.commit({ 'a.yaml': 'a: 1\n' });
  const { daemon } = await gitDaemon(t, remote.bare, { path: '', pollMs: 0 }, { intervalMs: 150, backoffBaseMs: 20 });
  const url = daemon.server!.url;
  await eventually(async () => (await request(`${url}/readyz`)).status === 200);
  await rename(remote.bare, `${remote.bare}.away`);
  await eventually(async () => (await request(`${url}/readyz`)).status === 503, { timeoutMs: 3_000 });
  const s = await status(url);
  assert.equal(s.lastCycle?.error?.code, 'FS_SOURCE_GIT');
  assert.equal(s.reachable.source, false);
  await rename(`${remote.bare}.away`, remote.bare);
  const next = await remote.commit({ 'a.yaml': 'a: 2\n' });
  await eventually(async () => (await request(`${url}/readyz`)).status === 200, { timeoutMs: 3_000 });
  await eventually(async () => (await status(url)).revision.inForce === next, { timeoutMs: 3_000 });
});

test('/status: revision in force, last attempt, and `since` changes only when the condition does', async (t) => {
  const invalid: CycleOutcome = { ...ok(), result: 'invalid', diagnostics: [{ summary: 'spec.target.stream is required', file: 'dest/orders.yaml', line: 7 }] };
  const { url, inputs, daemon, dir } = await folderDaemon(t, [
    ok({ entities: [ready, account] }),
    ok({ entities: [{ ...ready, reason: 'Verified' }, account] }),
    ok({ entities: [drifted, account], drift: [{ sandbox: 'prod', name: 'orders', policy: 'warn', healed: false, fields: ['segments'], changedBy: 'jane@example.com' }] }),
    invalid,
  ]);
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  const s1 = await status(url);
  const rev1 = inputs[0]!.revision;
  assert.equal(s1.version, 1);
  assert.equal(s1.revision.inForce, rev1);
  assert.equal(s1.lastCycle?.trigger, 'startup');
  assert.equal(s1.lastCycle?.result, 'success');
  assert.equal(typeof s1.lastCycle?.durationMs, 'number');
  assert.deepEqual(s1.entities.map((e) => [e.kind, e.name, e.condition]), [['account', 'kinesis-main', 'Ready'], ['destination', 'orders', 'Ready']]);
  const since1 = s1.entities[1]!.since;

  await new Promise((r) => setTimeout(r, 5)); // so a changed `since` would differ
  daemon.trigger('interval');
  await eventually(() => inputs.length === 2);
  await daemon.idle();
  const s2 = await status(url);
  assert.equal(s2.entities[1]!.reason, 'Verified');
  assert.equal(s2.entities[1]!.since, since1, 'same condition, new reason: since stays');

  daemon.trigger('interval');
  await eventually(() => inputs.length === 3);
  await daemon.idle();
  const s3 = await status(url);
  assert.equal(s3.entities[1]!.condition, 'Drifted');
  assert.ok(s3.entities[1]!.since > since1, 'condition changed: since moves');
  assert.equal(s3.entities[0]!.since, s1.entities[0]!.since, 'the untouched account keeps its since');
  assert.deepEqual(s3.counts, { Ready: 1, Drifted: 1, Failed: 0, Suspended: 0 });

  await writeFiles(dir, { 'a.yaml': 'broken: [\n' });
  await eventually(() => inputs.length === 4, { timeoutMs: 2_000 });
  await daemon.idle();
  const s4 = await status(url);
  assert.equal(s4.revision.inForce, rev1, 'the last good revision stays in force');
  assert.equal(s4.revision.lastAttempted, inputs[3]!.revision);
  assert.equal(s4.revision.lastAttemptedResult, 'invalid');
  assert.match(s4.revision.note!, /failed validation and was not applied; revision .* stays in force/);
  assert.equal(s4.lastCycle?.diagnostics?.[0]?.file, 'dest/orders.yaml');
  assert.equal(s4.entities[1]!.condition, 'Drifted', 'an invalid revision says nothing new about entities');
  assert.equal(s4.ready, true);
});

test('/metrics after cycles: results, conditions, drift, revision info and API client events', async (t) => {
  const { url, inputs, daemon } = await folderDaemon(t, [
    ok({ entities: [drifted, account], changes: [{ sandbox: 'prod', name: 'orders', action: 'update', summary: 'segments +1' }], drift: [{ sandbox: 'prod', name: 'orders', policy: 'warn', healed: false, fields: ['segments'] }], read: 'full' }),
    { ...ok(), result: 'refused', error: { code: 'FS_PLAN_DELETE_LIMIT', message: 'would delete 3 of 3' } },
  ]);
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  daemon.trigger('webhook');
  await eventually(() => inputs.length === 2);
  await daemon.idle();
  daemon.metrics.onClientEvent({ type: 'request', method: 'get', collection: 'flows', status: 200, durationMs: 12, attempt: 1 });
  daemon.metrics.onClientEvent({ type: 'request', method: 'PATCH', collection: 'flows', status: 412, durationMs: 8, attempt: 1 });
  daemon.metrics.onClientEvent({ type: 'retry', method: 'GET', collection: 'flows', reason: 'throttled', attempt: 1, delayMs: 100 });
  daemon.metrics.onClientEvent({ type: 'budget', remaining: 42, waitMs: 0 });
  daemon.metrics.onClientEvent({ type: 'breaker', state: 'open' });
  const text = (await request(`${url}/metrics`)).text;
  const expect = [
    'flowsync_cycles_total{result="success",trigger="startup"} 1',
    'flowsync_cycles_total{result="refused",trigger="webhook"} 1',
    'flowsync_cycle_reads_total{read="full"} 1',
    'flowsync_cycle_reads_total{read="light"} 0',
    'flowsync_entities{kind="destination",condition="Drifted"} 1',
    'flowsync_entities{kind="account",condition="Ready"} 1',
    `flowsync_revision_info{revision="${inputs[0]!.revision}"} 1`,
    'flowsync_api_requests_total{method="GET",status="200"} 1',
    'flowsync_api_requests_total{method="PATCH",status="412"} 1',
    'flowsync_api_retries_total{reason="throttled"} 1',
    'flowsync_api_request_budget_remaining 42',
    'flowsync_api_circuit_breaker_state{state="open"} 1',
    'flowsync_api_circuit_breaker_state{state="closed"} 0',
    'flowsync_changes_total{action="update"} 1',
    'flowsync_drift_detected_total{policy="warn",healed="false"} 1',
    'flowsync_ready 1',
  ];
  for (const line of expect) assert.ok(text.includes(line), `missing: ${line}`);
  assert.match(text, /flowsync_cycle_duration_seconds_count\{result="success"\} 1/);
  assert.match(text, /flowsync_last_success_timestamp_seconds \d{10}/);
  assert.match(text, /^process_cpu_seconds_total /m, 'default process metrics keep their standard names');
  assert.doesNotMatch(text, /flowsync_process_|flowsync_nodejs_|flowsync_drifted_destinations/);
});

test('/metrics: no budget series until the client reports a budget', async (t) => {
  const { inputs, daemon } = await folderDaemon(t, [ok()]);
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  assert.doesNotMatch(await daemon.metrics.text(), /flowsync_api_request_budget_remaining/);
  assert.match(await daemon.metrics.text(), /flowsync_api_circuit_breaker_state\{state="closed"\} 1/);
});

test('every change and every drift is one structured log event with revision and destination; secrets are redacted', async (t) => {
  const { inputs, daemon, log } = await folderDaemon(t, [
    ok({
      changes: [{ sandbox: 'prod', name: 'orders', action: 'create', summary: 'new dataflow' }],
      drift: [{ sandbox: 'prod', name: 'clicks', policy: 'heal', healed: true, fields: ['state'], changedBy: 'ui' }],
    }),
  ]);
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  const records = log.records();
  const change = records.find((r) => r.event === 'change');
  assert.deepEqual([change?.revision, change?.sandbox, change?.destination, change?.action], [inputs[0]!.revision, 'prod', 'orders', 'create']);
  const drift = records.find((r) => r.event === 'drift');
  assert.deepEqual([drift?.revision, drift?.destination, drift?.healed], [inputs[0]!.revision, 'clicks', true]);

  log.logger.info({ auth: { secretKey: 'AKIA-SECRET', sasKey: 'SAS-SECRET' }, client: { clientSecret: 'CS', accessToken: 'AT' }, headers: { authorization: 'Bearer T' }, token: 'TOP' }, 'x');
  const last = log.lines.at(-1)!;
  for (const secret of ['AKIA-SECRET', 'SAS-SECRET', '"CS"', '"AT"', 'Bearer T', 'TOP']) assert.ok(!last.includes(secret), `${secret} leaked: ${last}`);
  assert.match(last, /\[redacted\]/);
});

test('failures back off and the loop keeps going; a thrown error becomes a failed cycle with a code', async (t) => {
  const { inputs, url } = await folderDaemon(t, [new Error('socket hang up'), new FlowsyncError('FS_API_UNAVAILABLE', 'API down'), ok()], { backoffBaseMs: 10 });
  await eventually(() => inputs.length >= 3, { timeoutMs: 2_000 });
  assert.deepEqual(inputs.slice(0, 3).map((i) => i.trigger), ['startup', 'retry', 'retry']);
  await eventually(async () => (await status(url)).lastCycle?.result === 'success');
});

test('notifications: a lasting drift is announced once, then "recovered"; delivery failures are not fatal', async (t) => {
  const hook = await hookServer(t);
  const messages = () => hook.received.map((b) => JSON.parse(b) as { text: string });
  const notifyUrl = `${hook.url}/services/T000/B000/XXXX`;
  const driftOutcome = ok({ entities: [drifted], drift: [{ sandbox: 'prod', name: 'orders', policy: 'warn', healed: false, fields: ['segments'], changedBy: 'jane@example.com' }] });
  const failed: CycleOutcome = { ...ok(), result: 'failed', error: { code: 'FS_API_REQUEST', message: 'bad stream' } };
  const { inputs, daemon, log } = await folderDaemon(t, [driftOutcome, driftOutcome, driftOutcome, ok({ entities: [ready] }), failed, failed, ok({ entities: [ready] })], { notifyUrl, backoffBaseMs: 600_000 });
  const cycle = async (n: number) => {
    if (n > 1) daemon.trigger('interval');
    await eventually(() => inputs.length === n);
    await daemon.idle();
    await daemon.notifier!.flush();
  };
  await cycle(1);
  await cycle(2);
  await cycle(3);
  assert.equal(messages().length, 1, 'three cycles of the same drift, one notification');
  assert.match(messages()[0]!.text, /Drift found on destination prod\/orders by jane@example\.com: segments/);
  await cycle(4);
  assert.equal(messages().length, 2);
  assert.match(messages()[1]!.text, /Recovered: destination prod\/orders matches git again/);
  hook.failNext();
  await cycle(5);
  assert.equal(messages().length, 2, 'the failure notification itself failed to deliver');
  assert.ok(log.records().some((r) => r.event === 'notify-failed' && !String(r.target).includes('XXXX')), 'delivery failure logged without the URL path');
  await cycle(6);
  assert.equal(messages().length, 2, 'a lasting failure is not announced again');
  await cycle(7);
  assert.match(messages().at(-1)!.text, /Recovered: reconcile succeeds again/);
});

test('notifications to a URL with user:password@ are sent with Basic auth to the URL without them; the password is never logged', async (t) => {
  const hook = await hookServer(t);
  const password = 'canary-notify-pass-91c4';
  const notifyUrl = hook.url.replace('http://', `http://hooker:${password}@`) + '/services/T1';
  const failed: CycleOutcome = { ...ok(), result: 'failed', error: { code: 'FS_API_REQUEST', message: 'bad stream' } };
  const { inputs, daemon, log } = await folderDaemon(t, [failed, ok({ entities: [ready] }), failed], { notifyUrl, backoffBaseMs: 600_000 });
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  await daemon.notifier!.flush();
  assert.equal(hook.received.length, 1, `delivered: ${log.lines.join('\n')}`);
  assert.equal(hook.authorizations[0], `Basic ${Buffer.from(`hooker:${password}`).toString('base64')}`);
  hook.failNext();
  for (const n of [2, 3]) {
    daemon.trigger('interval');
    await eventually(() => inputs.length === n);
    await daemon.idle();
    await daemon.notifier!.flush();
  }
  assert.ok(log.records().some((r) => r.event === 'notify-failed'), 'the failed delivery is logged');
  const all = log.lines.join('\n');
  assert.ok(!all.includes(password) && !all.includes('hooker:'), all);
});

test('observe mode is passed to the reconcile', async (t) => {
  const { inputs } = await folderDaemon(t, [ok()], { mode: 'observe' });
  await eventually(() => inputs.length === 1);
  assert.equal(inputs[0]!.mode, 'observe');
});

test('stop waits for the cycle in flight, which sees its AbortSignal, then closes the server', async (t) => {
  let sawAbort = false;
  const slow = (_input: unknown, signal: AbortSignal) =>
    new Promise<CycleOutcome>((resolve) => {
      signal.addEventListener('abort', () => {
        sawAbort = true;
        setTimeout(() => resolve(ok()), 50); // "finish the request in flight"
      });
    });
  const { daemon, inputs, url } = await folderDaemon(t, [slow]);
  await eventually(() => inputs.length === 1);
  const t0 = Date.now();
  await daemon.stop();
  assert.ok(sawAbort);
  assert.ok(Date.now() - t0 < 2_000);
  await assert.rejects(fetch(`${url}/healthz`));
});

test('daemon.interval and daemon.notify in flowsync.yaml are read after each sync; --interval wins', async (t) => {
  const hook = await hookServer(t);
  const received = hook.received;
  const env = { TEAM_HOOK: `${hook.url}/hook` };
  const failed: CycleOutcome = { ...ok(), result: 'failed', error: { code: 'FS_API_REQUEST', message: 'bad stream' } };
  const { daemon, dir, inputs } = await folderDaemon(t, [ok(), failed], { repoSettings: repoSettingsReader(env), backoffBaseMs: 600_000 });
  await eventually(() => inputs.length === 1);
  await daemon.idle();
  assert.equal(daemon.intervalMs, 600_000, 'no flowsync.yaml: the configured interval stays');
  await writeFiles(dir, { 'flowsync.yaml': 'apiVersion: flowsync/v1\nkind: Config\ndaemon:\n  interval: 45s\n  notify:\n    webhookUrl: { fromEnv: TEAM_HOOK }\n' });
  await eventually(() => inputs.length === 2, { timeoutMs: 2_000 });
  await daemon.idle();
  assert.equal(daemon.intervalMs, 45_000);
  await daemon.notifier!.flush();
  assert.equal(received.length, 1);
  assert.match(received[0]!, /Reconcile failed: FS_API_REQUEST bad stream/);

  const fixed = await folderDaemon(t, [ok()], { repoSettings: repoSettingsReader(env), intervalFixed: true, intervalMs: 123_000 });
  await writeFiles(fixed.dir, { 'flowsync.yaml': 'apiVersion: flowsync/v1\nkind: Config\ndaemon:\n  interval: 45s\n' });
  await eventually(() => fixed.inputs.length === 2, { timeoutMs: 2_000 });
  await fixed.daemon.idle();
  assert.equal(fixed.daemon.intervalMs, 123_000);
});

test('git: a pushed commit reaches the reconcile within 2 s of a webhook, and via the remote poll without one', async (t) => {
  const remote = await gitRemote(t);
  await remote.commit({ 'manifests/a.yaml': 'a: 1\n' });
  const { daemon, inputs } = await gitDaemon(t, remote.bare, { path: 'manifests', pollMs: 100 }, { webhook: { secret: 'hush', branch: 'main' } });
  await eventually(() => inputs.length === 1, { timeoutMs: 5_000 });
  await daemon.idle();

  const viaWebhook = await remote.commit({ 'manifests/a.yaml': 'a: 2\n' });
  const body = JSON.stringify({ ref: 'refs/heads/main', after: viaWebhook });
  const res = await request(`${daemon.server!.url}/webhook`, { method: 'POST', body, headers: { 'x-github-event': 'push', 'x-hub-signature-256': signBody('hush', body) } });
  assert.equal(res.status, 202);
  await eventually(() => inputs.some((i) => i.revision === viaWebhook), { timeoutMs: 2_000, message: 'webhook commit not reconciled' });
  await daemon.idle();

  const viaPoll = await remote.commit({ 'manifests/a.yaml': 'a: 3\n' });
  await eventually(() => inputs.find((i) => i.revision === viaPoll), { timeoutMs: 3_000, message: 'polled commit not reconciled' });
  assert.equal(inputs.find((i) => i.revision === viaPoll)!.trigger, 'change');
  assert.ok(inputs.every((i) => i.dir.endsWith('/manifests')));
});
