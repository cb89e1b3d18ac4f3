// `flowsync plan --base` end to end: real git repositories (a base branch and a feature branch),
// the emulator on port 0, the real CLI. The comment is compared with golden files
// (test/review/golden/<case>/comment-N.md; UPDATE_GOLDEN=1 rewrites them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { flowServiceWrites, startTestEmulator } from '../helpers/emulator.ts';
import { segmentId, tempRepo, writeRepo, type AccountSpec, type DestinationSpec } from '../helpers/repo.ts';
import { loadRepo } from '../../src/manifest/index.ts';
import { audienceSeeds } from '../helpers/audiences.ts';
import { connect } from '../../src/reconcile/connect.ts';
import { applyLive, makePlan, readLive } from '../../src/reconcile/reconcile.ts';
import { commitAll, git, initRepo } from './git-repo.ts';

const GOLDEN = new URL('./golden/', import.meta.url);
const FIXED_NOW = Date.parse('2026-03-01T12:00:00.000Z');
/** CI variables of the machine running the tests must not leak into the comment. */
const CLEAN_ENV = { FLOWSYNC_NOW: '2026-03-01T12:00:00Z', GITHUB_SERVER_URL: undefined, GITHUB_REPOSITORY: undefined, GITHUB_RUN_ID: undefined, CI_JOB_URL: undefined };

const ACCOUNTS: AccountSpec[] = [{ name: 'kin', type: 'amazon-kinesis', secretEnv: 'KINESIS_SECRET_KEY' }];
const BASE_DESTS: DestinationSpec[] = [
  { name: 'summer', account: 'kin', segments: [segmentId(1), segmentId(2)] },
  { name: 'loyalty', account: 'kin', segments: [segmentId(10)], attributes: ['person.name.lastName'] },
];

type Emu = Awaited<ReturnType<typeof startTestEmulator>>['emu'];

/**
 * Entity ids are random UUIDs the server assigns; in golden files each becomes <id-N> (numbered by
 * first appearance), so the files hold everything else byte for byte.
 */
function stableIds(text: string, emu: Emu): string {
  const ids = new Set(Object.values(emu.admin.snapshot().scopes).flatMap((scope) => Object.values(scope).flatMap((list) => (list as { id: string }[]).map((e) => e.id))));
  const seen = new Map<string, string>();
  return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
    if (!ids.has(id)) return id;
    if (!seen.has(id)) seen.set(id, `<id-${seen.size + 1}>`);
    return seen.get(id)!;
  });
}

/** Compares every comment-N.md of `outDir` with the golden folder of the case. */
function checkGolden(name: string, outDir: string, emu: Emu): void {
  const dir = new URL(`${name}/`, GOLDEN);
  const actual = readdirSync(outDir).filter((f) => /^comment-\d+\.md$/.test(f)).sort();
  const read = (f: string) => stableIds(readFileSync(path.join(outDir, f), 'utf8'), emu);
  if (process.env.UPDATE_GOLDEN === '1') {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of actual) writeFileSync(new URL(f, dir), read(f));
    return;
  }
  assert.ok(existsSync(dir), `golden folder ${name} is missing (UPDATE_GOLDEN=1 writes it)`);
  const expected = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  assert.deepEqual(actual, expected, 'the comment has a different number of parts');
  for (const f of actual) assert.equal(read(f), readFileSync(new URL(f, dir), 'utf8'), `${name}/${f} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

// The emulator's clock stands still (golden timestamps), so its asynchronous flow operations,
// which settle as that clock moves, are turned off.
const FROZEN = { now: () => FIXED_NOW, transitionMs: 0 };

/** The base is applied in-process (the CLI's own verbs) to spare a CLI start per test. */
async function applyInProcess(config: string, env: Record<string, string>): Promise<void> {
  const repo = await loadRepo(config, { env });
  const client = await connect(repo.config, { root: repo.root, env });
  try {
    const live = await readLive(client, repo.desired);
    const input = { desired: repo.desired, prune: false, now: new Date(FIXED_NOW), manager: repo.manager };
    const result = await applyLive(makePlan(input, live), { client, secrets: repo.secrets, input, live });
    assert.ok(result.outcomes.every((o) => o.status === 'applied'), JSON.stringify(result.outcomes));
  } finally {
    client.close();
  }
}

/** A git repo whose folder `config/` is a config repo, committed on main and applied to the emulator. */
async function baseRepo(t: Parameters<typeof tempRepo>[0], env: Record<string, string>) {
  const repo = await tempRepo(t);
  initRepo(repo);
  const config = path.join(repo, 'config');
  await mkdir(config);
  await writeRepo(config, ACCOUNTS, BASE_DESTS);
  commitAll(repo, 'base');
  await applyInProcess(config, env);
  git(repo, 'checkout', '-q', '-b', 'feature');
  return { repo, config, out: path.join(repo, '.flowsync-out') };
}

function flowByName(emu: Emu, orgId: string, name: string) {
  const flows = (emu.admin.snapshot().scopes[`${orgId}/prod`]?.flows ?? []) as unknown as Array<{ id: string; name: string }>;
  const flow = flows.find((f) => f.name === name);
  assert.ok(flow, `flow ${name} exists`);
  return flow;
}

/** "### This pull request" up to the drift section, and the drift section on. */
function sections(md: string): { pr: string; drift: string } {
  const at = md.indexOf('### ⚠️ Pre-existing drift');
  const pr = md.slice(md.indexOf('### This pull request'), at === -1 ? undefined : at);
  return { pr, drift: at === -1 ? '' : md.slice(at) };
}

test('a pull request adding one segment while the live org drifted elsewhere: the comment shows exactly the segment first, the drift apart', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t, FROZEN);
  const { repo, config, out } = await baseRepo(t, env);
  // Drift in the live org, unrelated to the pull request: someone adds a segment to loyalty in the UI.
  const loyalty = flowByName(emu, orgId, 'loyalty');
  emu.admin.outOfBandEdit({
    orgId, sandbox: 'prod', collection: 'flows', id: loyalty.id,
    ops: [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'PLATFORM_SEGMENT', value: { id: segmentId(99) } } }],
  });
  // The pull request: one more segment on summer.
  await writeRepo(config, ACCOUNTS, [{ ...BASE_DESTS[0]!, segments: [segmentId(1), segmentId(2), segmentId(3)] }, BASE_DESTS[1]!]);
  commitAll(repo, 'summer: add segment 3');
  emu.admin.resetRequests();

  const res = await runCli(['plan', config, '--base', 'main', '--output', 'markdown', '--out-dir', out, '--detailed-exitcode'], { env: { ...env, ...CLEAN_ENV } });
  assert.equal(res.code, 2, res.stderr);
  const md = readFileSync(path.join(out, 'comment-1.md'), 'utf8');
  assert.ok(md.startsWith('<!-- flowsync-plan: config -->\n'), md.slice(0, 80));
  const { pr, drift } = sections(md);
  assert.match(pr, /destination summer/);
  assert.doesNotMatch(pr, /loyalty/);
  assert.deepEqual(pr.match(/^[+-] +(segment|attribute) .*$/gm), [`+       segment ${segmentId(3)} (Audience ${segmentId(3)})`]);
  assert.match(drift, /destination loyalty/);
  assert.doesNotMatch(drift, /summer/);
  assert.deepEqual(drift.match(/^[+-] +(segment|attribute) .*$/gm), [`-       segment ${segmentId(99)}`]);
  assert.ok(md.indexOf('### This pull request') < md.indexOf('### ⚠️ Pre-existing drift'));
  checkGolden('segment-and-drift', out, emu);

  // The JSON review document carries both plans; stdout holds the same comment.
  const review = JSON.parse(readFileSync(path.join(out, 'review.json'), 'utf8'));
  assert.equal(review.formatVersion, 1);
  assert.equal(review.pullRequest.actions.length, 1);
  assert.equal(review.drift.actions.length, 1);
  assert.equal(res.stdout, md);
  // Read-only: nothing but GETs on the Flow Service (the IMS token POST is not a Flow Service write).
  assert.deepEqual(flowServiceWrites(emu), []);
  assert.ok(emu.admin.requests().every((r) => r.method === 'GET' || r.path.startsWith('/ims/')), JSON.stringify(emu.admin.requests().map((r) => `${r.method} ${r.path}`)));

  // Read-only whatever the flags: prune, JSON, a saved plan, text.
  const saved = path.join(repo, 'saved.json');
  for (const flags of [['--prune', '--output', 'json'], ['--out', saved], ['--output', 'markdown', '--run-url', 'https://ci/1', '--comment-id', 'x']]) {
    const again = await runCli(['plan', config, '--base', 'main', ...flags], { env: { ...env, ...CLEAN_ENV } });
    assert.equal(again.code, 0, again.stderr);
  }
  assert.deepEqual(flowServiceWrites(emu), []);
  // --out saves what apply would do now (head against live): the segment and the drift heal.
  const savedPlan = JSON.parse(readFileSync(saved, 'utf8'));
  assert.deepEqual(savedPlan.actions.map((a: { address: string }) => a.address).sort(), ['prod/destination/loyalty', 'prod/destination/summer']);
});

test('a pull request that changes nothing: "no changes" and exit 0, even with drift in the org', async (t) => {
  const { emu, env, orgId } = await startTestEmulator(t, FROZEN);
  const { repo, config, out } = await baseRepo(t, env);
  await writeFile(path.join(repo, 'README.md'), 'docs only\n');
  commitAll(repo, 'docs');
  const summer = flowByName(emu, orgId, 'summer');
  emu.admin.outOfBandEdit({ orgId, sandbox: 'prod', collection: 'flows', id: summer.id, ops: [{ op: 'replace', path: '/name', value: 'renamed in the UI' }] });
  emu.admin.resetRequests();

  const res = await runCli(['plan', config, '--base', 'main', '--output', 'markdown', '--out-dir', out, '--detailed-exitcode'], { env: { ...env, ...CLEAN_ENV } });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /\*\*No changes: merging this pull request changes nothing in AEP\.\*\*/);
  assert.match(sections(res.stdout).drift, /name: live "renamed in the UI", manifest "summer"/);
  checkGolden('no-changes', out, emu);

  const text = await runCli(['plan', config, '--base', 'main', '--detailed-exitcode'], { env: { ...env, ...CLEAN_ENV } });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^== This pull request \(against main, [0-9a-f]{12}\) ==/);
  assert.match(text.stdout, /WARNING: pre-existing drift/);
  assert.match(text.stdout, /No changes: merging this pull request changes nothing in AEP\.\n$/);
  assert.deepEqual(flowServiceWrites(emu), []);
});

test('an invalid pull request: the comment lists the validation errors with file:line, exit 1, no API call', async (t) => {
  const { emu, env } = await startTestEmulator(t, FROZEN);
  const { repo, config, out } = await baseRepo(t, env);
  await writeFile(path.join(config, 'm', 'broken.yaml'), 'apiVersion: flowsync/v1\nkind: StreamingDestination\nmetadata:\n  name: broken\nspec:\n  account: kin\n  target: { region: us-east-1 }\n');
  commitAll(repo, 'broken');
  emu.admin.resetRequests();
  const res = await runCli(['plan', config, '--base', 'main', '--output', 'markdown', '--out-dir', out, '--detailed-exitcode'], { env: { ...env, ...CLEAN_ENV } });
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stdout, /^<!-- flowsync-plan: config -->/);
  assert.match(res.stdout, /The manifests in this pull request are not valid/);
  assert.match(res.stdout, /`config\/m\/broken\.yaml:7:\d+` error \*\*FS_/);
  checkGolden('invalid', out, emu);
  assert.equal(emu.admin.requests().length, 0);

  const json = await runCli(['plan', config, '--base', 'main', '--output', 'json'], { env: { ...env, ...CLEAN_ENV } });
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.head.valid, false);
  assert.equal(doc.pullRequest, null);
  assert.ok(doc.head.diagnostics.some((d: { file?: string; line?: number }) => d.file === 'm/broken.yaml' && d.line === 7));
});

test('a pull request too long for one GitHub comment is split into self-describing parts', async (t) => {
  const { emu, env } = await startTestEmulator(t, FROZEN);
  const { repo, config, out } = await baseRepo(t, env);
  const many = (from: number) => Array.from({ length: 300 }, (_, i) => segmentId(from + i));
  const added = ['north', 'south', 'east', 'west', 'centre'].map((name, i) => ({ name, account: 'kin', segments: many(1000 * (i + 1)) }));
  await writeRepo(config, ACCOUNTS, [...BASE_DESTS, ...added]);
  for (const seed of audienceSeeds(added.flatMap((d) => d.segments), { sandboxes: ['prod'] })) emu.admin.addAudience(seed);
  commitAll(repo, 'five big destinations');
  emu.admin.resetRequests();
  const res = await runCli(['plan', config, '--base', 'main', '--output', 'markdown', '--out-dir', out, '--run-url', 'https://ci.example.com/runs/42'], { env: { ...env, ...CLEAN_ENV } });
  assert.equal(res.code, 0, res.stderr);
  const parts = readdirSync(out).filter((f) => /^comment-\d+\.md$/.test(f)).sort();
  assert.ok(parts.length >= 2, `${parts.length} part(s)`);
  for (const [i, f] of parts.entries()) {
    const text = readFileSync(path.join(out, f), 'utf8');
    assert.ok(text.length <= 65_536, `${f} is ${text.length} characters`);
    assert.ok(text.startsWith(`<!-- flowsync-plan: config part ${i + 1} of ${parts.length} -->\n`), text.slice(0, 80));
    assert.match(text, /This pull request: 10 to create/);
    assert.match(text, /\[run\]\(https:\/\/ci\.example\.com\/runs\/42\)/);
  }
  // Every added segment is in exactly one part.
  const all = parts.map((f) => readFileSync(path.join(out, f), 'utf8')).join('\n');
  for (const d of added) for (const s of d.segments) assert.equal(all.split(`segment ${s}`).length - 1, 1, s);
  checkGolden('split', out, emu);
  assert.deepEqual(flowServiceWrites(emu), []);
});
