// --state FILE: the store survives a clean restart exactly, and a SIGKILL in the middle of a write storm
// leaves a file that loads and is consistent. Also the `flowsync emulator` command's start and clean stop.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CLI } from '../helpers/cli.ts';
import { startEmulator, type StartedEmulator } from '../../src/emulator/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { apiFor, EMULATOR_DEFAULTS, flowBody, getToken, httpCall, kinesisTarget, makeFlow, profileSource, startForTest } from './helpers.ts';

const ORG_SCOPE = `${EMULATOR_DEFAULTS.orgId}/prod`;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowsync-emu-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Checks what a loaded store must always satisfy: every reference resolves and every etag is unique. */
function assertConsistent(emu: StartedEmulator) {
  const scope = emu.admin.snapshot({ includeSecrets: true }).scopes[ORG_SCOPE];
  if (!scope) return 0;
  const ids = (c: keyof typeof scope) => new Set(scope[c].map((e) => e.id));
  const [bases, sources, targets] = [ids('connections'), ids('sourceConnections'), ids('targetConnections')];
  for (const c of [...scope.sourceConnections, ...scope.targetConnections]) assert.ok(bases.has(c.baseConnectionId as string), `dangling base of ${c.id}`);
  for (const f of scope.flows) {
    for (const s of f.sourceConnectionIds as string[]) assert.ok(sources.has(s), `dangling source of flow ${f.id}`);
    for (const tc of f.targetConnectionIds as string[]) assert.ok(targets.has(tc), `dangling target of flow ${f.id}`);
  }
  const etags = Object.values(scope).flat().map((e) => e.etag);
  assert.equal(new Set(etags).size, etags.length, 'etags are unique');
  return scope.flows.length;
}

test('in-process: a clean close flushes every acknowledged write; a restart serves the same store and tokens', async (t) => {
  const file = join(tempDir(t), 'state.json');
  const first = await startEmulator({ port: 0, stateFile: file, persistDebounceMs: 10_000, transitionMs: 0 }); // close would settle a running update
  const api = await apiFor(first);
  const { flowId, etag } = await makeFlow(api);
  const patched = await api('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'kept' }], { 'if-match': etag });
  const token = await getToken(first);
  const before = first.admin.snapshot({ includeSecrets: true });
  await first.close(); // the 10 s debounce has not fired: close must flush
  const second = await startForTest(t, { stateFile: file });
  assert.deepEqual(second.admin.snapshot({ includeSecrets: true }), before);
  const api2 = await apiFor(second);
  const flow = (await api2('GET', `/flows/${flowId}`)).body.items[0];
  assert.equal(flow.name, 'kept');
  assert.equal(flow.etag, patched.body.etag);
  const withOldToken = await httpCall('GET', `${second.flowServiceUrl}/flows`, { authorization: `Bearer ${token}`, 'x-api-key': EMULATOR_DEFAULTS.clientId, 'x-gw-ims-org-id': EMULATOR_DEFAULTS.orgId });
  assert.equal(withOldToken.status, 200, 'tokens survive a restart with --state');
  const again = await api2('PATCH', `/flows/${flowId}`, [{ op: 'replace', path: '/name', value: 'again' }], { 'if-match': flow.etag });
  assert.notEqual(again.body.etag, flow.etag);
  await second.close();
  assert.deepEqual(readdirSync(join(file, '..')).filter((n) => n.endsWith('.tmp')), []);
});

test('a state file that is not emulator state is refused with a clear message', async (t) => {
  const file = join(tempDir(t), 'state.json');
  writeFileSync(file, '{"hello":1}');
  await assert.rejects(startEmulator({ port: 0, stateFile: file }), /not a flowsync emulator state/);
});

interface Child {
  proc: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

async function spawnEmulator(t: TestContext, args: string[]): Promise<Child> {
  const proc = spawn(process.execPath, [...CLI, 'emulator', '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = (await eventually(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], { timeoutMs: 20_000, message: `emulator did not start: ${err}` })) as string;
  return { proc, url, stdout: () => out, exited };
}

function childApi(url: string) {
  return apiFor({ imsUrl: `${url}/ims/token/v3`, flowServiceUrl: `${url}/data/foundation/flowservice` } as StartedEmulator);
}

test('flowsync emulator --state: SIGKILL during a write storm leaves a loadable, consistent file; SIGTERM exits 0 with everything saved', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'state.json');
  const child = await spawnEmulator(t, ['--state', file]);
  assert.match(child.stdout(), /client id:\s+flowsync-emulator/);
  assert.match(child.stdout(), /client secret:\s+emulator-secret/);
  assert.match(child.stdout(), /org id:\s+EMULATOR0000000000000000@AdobeOrg/);
  let api = await childApi(child.url);
  const sourceId = await profileSource(api);
  const { targetId } = await kinesisTarget(api);

  // write storm: 8 writers creating and patching flows until the kill
  let acknowledged = 0;
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      try {
        const res = await api('POST', '/flows', flowBody(`w${w}-${i}`, sourceId, targetId));
        if (res.status === 201) {
          acknowledged++;
          await api('PATCH', `/flows/${res.body.id}`, [{ op: 'replace', path: '/description', value: 'x'.repeat(200) }], { 'if-match': res.body.etag });
        }
      } catch {
        return; // the connection died with the process
      }
    }
  };
  const storm = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
  await eventually(() => acknowledged >= 300, { timeoutMs: 30_000, message: 'write storm too slow' });
  child.proc.kill('SIGKILL');
  stop = true;
  await storm;
  await child.exited;
  assert.ok(existsSync(file));
  JSON.parse(readFileSync(file, 'utf8')); // parses: never half written

  // restart from the file (in-process): consistent, and most of the storm is there
  const restarted = await startForTest(t, { stateFile: file });
  const flows = assertConsistent(restarted);
  assert.ok(flows > 0 && flows <= acknowledged, `${flows} flows loaded, ${acknowledged} acknowledged`);
  t.diagnostic(`after SIGKILL: ${flows} of ${acknowledged} acknowledged flow creates were on disk`);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'stale temp files are cleaned up');
  await restarted.close();

  // a clean stop keeps every acknowledged write
  const again = await spawnEmulator(t, ['--state', file]);
  api = await childApi(again.url);
  const before = (await api('GET', '/flows?count=true')).body.count as number;
  assert.equal(before, flows);
  for (let i = 0; i < 20; i++) assert.equal((await api('POST', '/flows', flowBody(`last-${i}`, sourceId, targetId))).status, 201);
  again.proc.kill('SIGTERM');
  assert.equal(await again.exited, 0);
  assert.match(again.stdout(), /stopped \(SIGTERM\)/);
  const final = await startForTest(t, { stateFile: file });
  assert.equal(assertConsistent(final), before + 20);
});

test('flowsync emulator refuses bad flags with a usage error', async (t) => {
  const proc = spawn(process.execPath, [...CLI, 'emulator', '--error-rate', '2'], { env: { ...process.env, NO_COLOR: '1' } });
  t.after(() => proc.kill('SIGKILL'));
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(err, /FS_CLI_USAGE/);
  assert.match(err, /--error-rate must be a number from 0 to 1/);
});

test('flowsync emulator flags reach the fault knobs', async (t) => {
  const child = await spawnEmulator(t, ['--throttle-rate', '1', '--retry-after', '4', '--seed', '3']);
  const api = await childApi(child.url);
  const res = await api('GET', '/flows');
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '4');
  const faults = (await (await fetch(`${child.url}/__emulator/faults`)).json()) as { seed: number; throttleRate: number };
  assert.equal(faults.seed, 3);
  child.proc.kill('SIGINT');
  assert.equal(await child.exited, 0);
});

test('flowsync emulator --audiences FILE starts with those audiences instead of the example repo\'s; a bad file is a usage error', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'audiences.json');
  writeFileSync(file, JSON.stringify([{ sandbox: 'dev', name: 'Only this one', id: '0b7e2f4d-9c1a-4d3e-8f5a-6b7c8d9e0f12' }]));
  const child = await spawnEmulator(t, ['--audiences', file]);
  assert.match(child.stdout(), /Audiences:\s+\S+\/data\/core\/ups\/audiences \(from /);
  const token = (await (await fetch(`${child.url}/__emulator/tokens`, { method: 'POST' })).json()) as { access_token: string };
  const list = async (sandbox: string) => {
    const res = await fetch(`${child.url}/data/core/ups/audiences`, {
      headers: { authorization: `Bearer ${token.access_token}`, 'x-api-key': 'flowsync-emulator', 'x-gw-ims-org-id': 'EMULATOR0000000000000000@AdobeOrg', 'x-sandbox-name': sandbox },
    });
    return ((await res.json()) as { children: { id: string; name: string }[] }).children;
  };
  assert.deepEqual((await list('dev')).map((a) => [a.id, a.name]), [['0b7e2f4d-9c1a-4d3e-8f5a-6b7c8d9e0f12', 'Only this one']]);
  assert.deepEqual(await list('prod'), []);
  child.proc.kill('SIGINT');
  assert.equal(await child.exited, 0);

  writeFileSync(file, JSON.stringify({ sandbox: 'dev' }));
  const bad = spawn(process.execPath, [...CLI, 'emulator', '--port', '0', '--audiences', file], { env: { ...process.env, NO_COLOR: '1' } });
  t.after(() => bad.kill('SIGKILL'));
  let err = '';
  bad.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  assert.equal(await new Promise<number | null>((resolve) => bad.on('exit', resolve)), 1);
  assert.match(err, /FS_CLI_USAGE/);
  assert.match(err, /--audiences .* must hold a JSON array/);
});

test('flowsync emulator --state in a fresh clone: the folder is created, the file written at start, Ctrl-C saves and exits 0', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, '.flowsync', 'emulator.json'); // .flowsync/ does not exist yet
  const child = await spawnEmulator(t, ['--state', file]);
  let err = '';
  child.proc.stderr.on('data', (d: string) => (err += d));
  assert.ok(existsSync(file), 'the state file exists as soon as the emulator listens');
  assert.match(child.stdout(), new RegExp(`State:\\s+${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const api = await childApi(child.url);
  const { flowId } = await makeFlow(api);
  child.proc.kill('SIGINT');
  assert.equal(await child.exited, 0);
  assert.match(child.stdout(), /stopped \(SIGINT\)/);
  assert.doesNotMatch(err, /ENOENT|FS_INTERNAL|Warning/, err);
  const again = await startForTest(t, { stateFile: file });
  assert.equal((await (await apiFor(again))('GET', `/flows/${flowId}`)).status, 200, 'the flow was saved');
});

test('flowsync emulator --state FILE that cannot be written fails at start with FS_EMULATOR_STATE naming the file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'not-a-folder'), 'x');
  const file = join(dir, 'not-a-folder', 'emulator.json');
  const proc = spawn(process.execPath, [...CLI, 'emulator', '--port', '0', '--state', file], { env: { ...process.env, NO_COLOR: '1' } });
  t.after(() => proc.kill('SIGKILL'));
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  assert.equal(code, 1);
  assert.doesNotMatch(out, /listening/);
  assert.match(err, /FS_EMULATOR_STATE/);
  assert.ok(err.includes(file), err);
  assert.match(err, /Hint:/);
  assert.doesNotMatch(err, /FS_INTERNAL/);
});

test('a state file written mid-operation (a crash) loads settled: disabling → disabled, updating → enabled, delete-finalizing → gone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsync-emu-')); // removed after the emulators close (t.after runs in order)
  const file = join(dir, 'state.json');
  const first = await startForTest(t, { stateFile: file, persistDebounceMs: 10, transitionMs: 600_000 });
  const api = await apiFor(first);
  const disabling = await makeFlow(api, 'disabling');
  const updating = await makeFlow(api, 'updating');
  const deleting = await makeFlow(api, 'deleting');
  assert.equal((await api('POST', `/flows/${disabling.flowId}/action?op=disable`)).status, 200);
  assert.equal((await api('PATCH', `/flows/${updating.flowId}`, [{ op: 'replace', path: '/name', value: 'u2' }], { 'if-match': updating.etag })).status, 200);
  assert.equal((await api('DELETE', `/flows/${deleting.flowId}`)).status, 202);
  // the file as a process killed now would leave it (close would settle everything first)
  const crashed = join(dir, 'crashed.json');
  await eventually(() => {
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file, 'utf8');
    return text.includes('delete-finalizing') && text.includes('disabling') && text.includes('updating') ? (writeFileSync(crashed, text), true) : undefined;
  }, { message: 'the state file never held the three operations' });
  const second = await startForTest(t, { stateFile: crashed, transitionMs: 600_000 });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const api2 = await apiFor(second);
  const state = async (id: string) => (await api2('GET', `/flows/${id}`)).body?.items?.[0]?.state;
  assert.equal(await state(disabling.flowId), 'disabled');
  assert.equal(await state(updating.flowId), 'enabled');
  assert.equal((await api2('GET', `/flows/${deleting.flowId}`)).status, 404);
  assert.equal((await api2('DELETE', `/targetConnections/${deleting.targetId}`)).status, 202, 'its connections are free');
  assert.equal((await api2('POST', `/flows/${updating.flowId}/action?op=disable`)).status, 200, 'a loaded flow takes writes');
});
