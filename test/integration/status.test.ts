// `flowsync status` against the emulator: sync and health for every destination, the JSON schema,
// the cost in requests (one GET /runs per sandbox, read from the emulator's request log), and health
// turning Failed under runFailureRate 1 and recovering at 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { statusCommand } from '../../src/cli/status-command.ts';
import { CLI, runCli } from '../helpers/cli.ts';
import { spawnChild } from '../e2e/harness.ts';
import { copyExampleRepo, startTestEmulator } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { runInProcess } from '../helpers/in-process.ts';

const RUN_INTERVAL_MS = 150;

interface Row { sandbox: string; name: string; sync: string; health: string; reason: string; lastRun: { status: string; records: { activated: number } } | null }

async function statusOf(repo: string, env: Record<string, string>, extra: string[] = []) {
  const res = await runInProcess(statusCommand, ['--dir', repo, '--output', 'json', ...extra], { cwd: repo, env });
  assert.ok(res.code !== 1, res.stderr);
  return { code: res.code, rows: (JSON.parse(res.stdout) as { destinations: Row[] }).destinations };
}

/** Status once its exit code is `code` (within 10 s). */
async function statusUntil(repo: string, env: Record<string, string>, code: number, message: string) {
  const found = await eventually(async () => {
    const s = await statusOf(repo, env);
    return s.code === code ? s : undefined;
  }, { timeoutMs: 10_000, message });
  return found!;
}

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ((addFormatsModule as unknown as { default?: (a: Ajv2020) => void }).default ?? (addFormatsModule as unknown as (a: Ajv2020) => void))(ajv);
  return ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/status.schema.json', import.meta.url), 'utf8')));
}

test('status reports sync and health for every destination, before and after apply, in one GET /runs per sandbox', async (t) => {
  const { emu, env } = await startTestEmulator(t, { runIntervalMs: RUN_INTERVAL_MS });
  const repo = await copyExampleRepo(t);
  // loyalty-events is disabled in dev here, so the example has one destination disabled on purpose
  const shared = path.join(repo, 'shared', 'loyalty-events.yaml');
  writeFileSync(shared, readFileSync(shared, 'utf8').replace('        eventHubName: loyalty-tier-changes-dev\n', '        eventHubName: loyalty-tier-changes-dev\n      enabled: false\n'));
  const validate = validator();

  const before = await runCli(['status', '--dir', repo, '--output', 'json'], { env });
  assert.equal(before.code, 3, before.stderr);
  const beforeDoc = JSON.parse(before.stdout) as { destinations: Row[] };
  assert.ok(validate(beforeDoc), JSON.stringify(validate.errors));
  assert.ok(beforeDoc.destinations.length >= 3);
  for (const r of beforeDoc.destinations as Row[]) assert.deepEqual([r.sync, r.health, r.reason], ['Missing', 'Unknown', 'NoDataflow'], r.name);

  const applied = await runCli(['apply', '--dir', repo, '--auto-approve'], { env });
  assert.equal(applied.code, 0, applied.stderr + applied.stdout);
  const after = await statusUntil(repo, env, 0, 'destinations did not turn Synced and Healthy');
  for (const r of after.rows) {
    assert.equal(r.sync, 'Synced', r.name);
    if (r.sandbox === 'dev' && r.health === 'Disabled') continue; // disabled above
    assert.equal(r.health, 'Healthy', `${r.sandbox}/${r.name}`);
    assert.equal(r.lastRun?.status, 'success');
  }
  assert.ok(after.rows.some((r) => r.health === 'Disabled' && r.reason === 'Disabled'), 'the disabled destination reads Disabled');

  emu.admin.resetRequests();
  const text = await runCli(['status', repo], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^SANDBOX\s+DESTINATION\s+SYNC\s+HEALTH\s+LAST RUN\s+ACTIVATED\s+FAILED$/m);
  const runReads = emu.admin.requests().filter((r) => r.path.endsWith('/runs'));
  assert.deepEqual(runReads.map((r) => r.sandbox).sort(), ['dev', 'prod'], 'one GET /runs per sandbox, never one per flow');
  for (const r of runReads) assert.match(decodeURIComponent(r.query), /property=createdAt>\d+/);

  const onlyDev = await statusOf(repo, env, ['--sandbox', 'dev']);
  assert.ok(onlyDev.rows.length > 0 && onlyDev.rows.every((r) => r.sandbox === 'dev'));
});

test('with runFailureRate 1 enabled destinations turn Failed (exit 4); at 0 they recover (exit 0)', async (t) => {
  const { emu, env } = await startTestEmulator(t, { runIntervalMs: RUN_INTERVAL_MS });
  const repo = await copyExampleRepo(t);
  assert.equal((await runCli(['apply', '--dir', repo, '--auto-approve'], { env })).code, 0);
  await statusUntil(repo, env, 0, 'destinations did not turn Healthy');

  emu.admin.setFaults({ runFailureRate: 1 });
  const failing = await statusUntil(repo, env, 4, 'no destination turned Failed');
  const enabled = failing.rows.filter((r) => r.health !== 'Disabled');
  assert.ok(enabled.length > 0);
  for (const r of enabled) assert.ok(['Failed', 'Degraded'].includes(r.health), `${r.name}: ${r.health}`);
  assert.ok(enabled.some((r) => r.health === 'Failed' && r.reason === 'RunsFailed'));

  emu.admin.setFaults({ runFailureRate: 0 });
  const recovered = await statusUntil(repo, env, 0, 'destinations did not recover');
  for (const r of recovered.rows.filter((x) => x.health !== 'Disabled')) assert.equal(r.health, 'Healthy');
});

test('status --watch prints again every --interval and exits with the last code on SIGINT', async (t) => {
  const { env } = await startTestEmulator(t, { runIntervalMs: RUN_INTERVAL_MS });
  const repo = await copyExampleRepo(t);
  const child = spawnChild(t, [...CLI, 'status', repo, '--watch', '--interval', '200ms'], env);
  await eventually(() => (child.output().match(/^SANDBOX /gm) ?? []).length >= 2, { timeoutMs: 20_000, message: 'status --watch did not print twice' });
  child.proc.kill('SIGINT');
  assert.equal(await child.exited, 3, child.output()); // nothing applied: every destination Missing and Unknown
});
