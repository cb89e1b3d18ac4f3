// `npm start` with both of its ports taken: the emulator and the status server each take a free
// port, the URLs it prints are served, .flowsync/demo.json (here FLOWSYNC_DEMO_FILE) names them,
// and `npm run demo` reaches the emulator through it. Without a running `npm start`, demo names the
// URL it tried at once.
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { copyExampleRepo } from '../helpers/emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { tsxArgs } from '../helpers/cli.ts';
import { spawnChild, START_ENTRY } from './harness.ts';

const DEMO_ENTRY = fileURLToPath(new URL('../../cmd/demo.ts', import.meta.url));

async function occupy(t: TestContext): Promise<number> {
  const srv: Server = createServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  return (srv.address() as { port: number }).port;
}

async function tempFolder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-demo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('npm start with the emulator port and the status port taken: free ports, real URLs in demo.json, npm run demo uses them', async (t) => {
  const [emuPort, statusPort] = [await occupy(t), await occupy(t)];
  const manifests = await copyExampleRepo(t);
  const demoFile = path.join(await tempFolder(t), '.flowsync', 'demo.json');
  const env = { FLOWSYNC_EMULATOR_PORT: String(emuPort), FLOWSYNC_LISTEN: `127.0.0.1:${statusPort}`, FLOWSYNC_MANIFESTS: manifests, FLOWSYNC_DEMO_FILE: demoFile };
  const start = spawnChild(t, tsxArgs(START_ENTRY), env);
  const statusUrl = (await eventually(() => /Status\s+(http:\/\/127\.0\.0\.1:\d+)\/status/.exec(start.output())?.[1], { timeoutMs: 20_000, message: `no status URL: ${start.output()}` }))!;
  assert.notEqual(statusUrl, `http://127.0.0.1:${statusPort}`, 'the busy status port is not printed');
  assert.match(start.output(), new RegExp(`port ${statusPort} is busy`));
  assert.match(start.output(), new RegExp(`port ${emuPort} is busy`));
  await eventually(async () => (await fetch(`${statusUrl}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, message: `/readyz never 200: ${start.output()}` });
  assert.doesNotMatch(start.output(), /FS_DAEMON_LISTEN/);

  const demo = JSON.parse(await readFile(demoFile, 'utf8')) as { emulator: string; status: string };
  assert.equal(demo.status, statusUrl);
  assert.notEqual(demo.emulator, `http://127.0.0.1:${emuPort}`);
  assert.ok(start.output().includes(demo.emulator), 'the printed emulator URL is the one in demo.json');
  assert.match(start.output(), /npm run demo -- plan /, 'a command to copy');

  const run = spawnChild(t, [...tsxArgs(DEMO_ENTRY), 'plan', manifests], { FLOWSYNC_DEMO_FILE: demoFile, FLOWSYNC_EMULATOR_PORT: undefined, FLOWSYNC_ENDPOINT: undefined, FLOWSYNC_IMS_ENDPOINT: undefined });
  const code = await run.exited;
  assert.equal(code, 0, run.output());
  assert.match(run.output(), /No changes/);

  start.proc.kill('SIGINT');
  assert.equal(await start.exited, 0, start.output());
  await assert.rejects(readFile(demoFile, 'utf8'), /ENOENT/, 'a clean stop removes demo.json');
});

test('npm run demo with no npm start running names the URL it tried and how to start one, at once', async (t) => {
  const free = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const demoFile = path.join(await tempFolder(t), 'demo.json'); // absent
  const started = Date.now();
  const run = spawnChild(t, [...tsxArgs(DEMO_ENTRY), 'plan', 'manifests'], { FLOWSYNC_DEMO_FILE: demoFile, FLOWSYNC_EMULATOR_PORT: String(free), FLOWSYNC_ENDPOINT: undefined, FLOWSYNC_IMS_ENDPOINT: undefined });
  assert.equal(await run.exited, 1);
  assert.ok(run.output().includes(`http://127.0.0.1:${free}`), run.output());
  assert.match(run.output(), /npm start/);
  assert.ok(Date.now() - started < 15_000, 'no long retry loop');
});
