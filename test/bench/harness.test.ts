// Keeps the benchmark harness from rotting: the generator, the measuring and reporting helpers,
// and one tiny scenario (the tutorial baseline) against a real emulator. A few seconds in all.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { SCENARIOS } from '../../bench/lib/catalog.ts';
import { startBenchEmulator } from '../../bench/lib/emulator.ts';
import { generateRepo, git, planRepo } from '../../bench/lib/generate.ts';
import { measure, percentile, runMeasured } from '../../bench/lib/measure.ts';
import { formatTable, row } from '../../bench/lib/report.ts';
import { apiSpanMs, countsBySandbox, minimumListPages, summarize } from '../../bench/lib/requests.ts';
import { loadValid } from '../../bench/lib/core.ts';
import { runTutorialWay } from '../../bench/lib/tutorial-way.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('the generator is deterministic and spreads both types over every sandbox', () => {
  const a = planRepo({ n: 40, seed: 3 });
  const b = planRepo({ n: 40, seed: 3 });
  const c = planRepo({ n: 40, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.destinations, c.destinations);
  assert.deepEqual(a.sandboxes, ['prod', 'bench-001']);
  assert.equal(planRepo({ n: 1000 }).sandboxes.length, 10, 'at most 100 destinations per sandbox by default');
  for (const sandbox of a.sandboxes) {
    const types = new Set(a.destinations.filter((d) => d.sandbox === sandbox).map((d) => d.type));
    assert.deepEqual([...types].sort(), ['amazon-kinesis', 'azure-event-hubs'], sandbox);
  }
  assert.equal(new Set(a.destinations.map((d) => d.name)).size, 40);
  for (const d of a.destinations) {
    assert.equal(d.segments.length, 20);
    assert.equal(new Set(d.segments.map((s) => s.id)).size, 20, 'segments unique per destination');
    assert.ok(d.segments.every((s) => UUID.test(s.id)));
    assert.equal(new Set(d.profileAttributes).size, 10);
    const account = a.accounts.find((x) => x.name === d.account && x.sandbox === d.sandbox);
    assert.equal(account?.type, d.type, 'account exists in the same sandbox with the same type');
  }
});

test('the generator writes YAML manifests and a git repository', async (t) => {
  const repo = await generateRepo({ n: 6, git: true, api: { endpoint: 'http://127.0.0.1:1/x', imsEndpoint: 'http://127.0.0.1:1/ims/token/v3', clientId: 'c', orgId: 'O@AdobeOrg' } });
  t.after(() => rm(repo.dir, { recursive: true, force: true }));
  const config = parseAllDocuments(await readFile(join(repo.dir, 'flowsync.yaml'), 'utf8'))[0]!.toJS() as Record<string, unknown>;
  assert.deepEqual(config.manifests, ['manifests']);
  assert.equal((config.api as Record<string, unknown>).clientSecret !== undefined, true);
  const kinds: string[] = [];
  for (const file of [...new Set([...repo.accounts, ...repo.destinations].map((x) => x.file))]) {
    for (const doc of parseAllDocuments(await readFile(join(repo.dir, file), 'utf8'))) {
      assert.equal(doc.errors.length, 0, file);
      const js = doc.toJS() as { apiVersion: string; kind: string; spec: Record<string, unknown> };
      assert.equal(js.apiVersion, 'flowsync/v1');
      kinds.push(js.kind);
    }
  }
  assert.equal(kinds.filter((k) => k === 'StreamingDestination').length, 6);
  assert.equal(kinds.filter((k) => k === 'DestinationAccount').length, 4);
  assert.match(await git(repo.dir, 'log', '--oneline'), /synthetic repo: 6 destinations/);
  // The real loader accepts it: no error diagnostics, every destination in the desired state.
  const loaded = await loadValid(repo.dir, { ...process.env, ...repo.env });
  assert.equal(loaded.desired.destinations.length, 6);
  assert.deepEqual(loaded.desired.sandboxes, ['bench-001', 'prod']);
});

test('the compact layout (one file per sandbox, no segment labels) loads to the same destinations', async (t) => {
  const repo = await generateRepo({ n: 6, layout: 'per-sandbox', segmentNames: false });
  t.after(() => rm(repo.dir, { recursive: true, force: true }));
  const loaded = await loadValid(repo.dir, { ...process.env, ...repo.env });
  assert.equal(loaded.desired.destinations.length, 6);
  assert.ok(loaded.desired.destinations.every((d) => d.segments.length === 20 && d.profileAttributes.length === 10));
});

test('targets turn into ratios and verdicts; the table and percentiles are right', async () => {
  assert.equal(row({ case: 'x', metric: 'cpu', value: 1.5, unit: 's', target: { op: '<', value: 2 } }).verdict, 'PASS');
  const miss = row({ case: 'x', metric: 'cpu', value: 3, unit: 's', target: { op: '<', value: 2 } });
  assert.deepEqual([miss.verdict, miss.ratio], ['MISS', 1.5]);
  assert.equal(row({ case: 'x', metric: 'speedup', value: 6, unit: 'x', target: { op: '>=', value: 5 } }).verdict, 'PASS');
  assert.equal(row({ case: 'x', metric: 'writes', value: 0, unit: '', target: { op: '==', value: 0 } }).verdict, 'PASS');
  assert.equal(row({ case: 'x', metric: 'info', value: 1, unit: '' }).verdict, 'INFO');
  assert.match(formatTable([{ scenario: 's', at: '', durationMs: 0, setup: '', rows: [miss] }]), /s\s+x\s+cpu\s+3 s\s+< 2 s\s+1.50\s+MISS/);
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  const { sample } = await measure(() => new Promise((r) => setTimeout(r, 20)));
  assert.ok(sample.wallMs >= 15 && sample.cpuMs >= 0);
  const child = await runMeasured([process.execPath, '-e', 'Buffer.alloc(64 * 1024 * 1024, 1)']);
  assert.equal(child.code, 0);
  if (existsSync('/usr/bin/time')) assert.ok((child.maxRssMb ?? 0) > 64, `peak RSS ${child.maxRssMb} MB`);
});

test('the list-page minimum is computed from live counts; the API span from the log', () => {
  const counts = { prod: { connections: 3, sourceConnections: 1, targetConnections: 250, flows: 250 } };
  assert.equal(minimumListPages(counts, ['prod', 'dev']), 1 + (1 + 1 + 3 + 3) + 4);
  const entry = { seq: 0, method: 'GET', path: '/x', query: '', status: 200, org: undefined, sandbox: undefined, write: false };
  assert.equal(apiSpanMs([{ ...entry, at: 1000, durationMs: 50 }, { ...entry, at: 1200, durationMs: 100 }]), 300);
});

test('tiny scenario: the tutorial way creates destinations against the emulator and is counted', async (t) => {
  const bench = await startBenchEmulator();
  t.after(() => bench.close());
  const repo = { dir: '', ...planRepo({ n: 3, seed: 1 }) };
  bench.register(repo);
  const run = await runTutorialWay(repo, bench.tutorial, 'scripted');
  assert.equal(run.flowIds.length, 3);
  // token + connectionSpecs + 2 sandboxes x (Profile Store base + source) + 3 accounts + 3 x 4 per destination
  const accounts = new Set(repo.destinations.map((d) => `${d.sandbox}/${d.account}`)).size;
  assert.equal(run.requests, 1 + 1 + 2 * 2 + accounts + 3 * 4);
  const log = summarize(bench.emu.admin.requests());
  assert.equal(log.total, run.requests, 'the emulator log agrees with the client count');
  assert.equal(log.writes, 2 * 2 + accounts + 3 * 3);
  const counts = countsBySandbox(bench.emu.admin.snapshot());
  assert.equal(counts.prod?.flows, 2);
  assert.equal(counts['bench-001']?.flows, 1);
});

test('every scenario in the catalog has a runnable file', () => {
  for (const s of SCENARIOS) assert.ok(existsSync(new URL(`../../bench/scenarios/${s.name}.ts`, import.meta.url)), s.name);
});
