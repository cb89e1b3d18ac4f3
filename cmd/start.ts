// `npm start`: the whole product on one machine with no Adobe account. Starts the Flow Service
// emulator in-process (it starts with the example repo's audiences: the same names in prod and dev,
// with other ids in each), then `flowsync run` on ./manifests in heal mode against it, with the
// example manifests' secret references set to obviously fake values. Ctrl-C stops both.
// A busy port (the emulator's 4010, the status server's 9465) falls back to a free one; the URLs
// really served go to .flowsync/demo.json, which `npm run demo` reads.
import { createServer } from 'node:net';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIO } from '../src/cli/command.ts';
import { DEMO_SECRET_ENV } from '../src/cli/demo-env.ts';
import { demoFile, removeDemoState, writeDemoState } from '../src/cli/demo-state.ts';
import { FlowsyncError } from '../src/domain/errors.ts';
import { runCommand } from '../src/cli/run-command.ts';
import { EMULATOR_DEFAULTS, startEmulator, type StartedEmulator } from '../src/emulator/index.ts';
import { runScript } from '../src/cli/script.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const emulatorPort = Number(process.env.FLOWSYNC_EMULATOR_PORT ?? 4010);
const listenSetting = process.env.FLOWSYNC_LISTEN ?? '127.0.0.1:9465';
// The config repo to reconcile: ./manifests, or another folder (e.g. a copy to experiment on).
const manifests = resolve(root, process.env.FLOWSYNC_MANIFESTS ?? 'manifests');
// Short, so drift made in the demo is healed while you watch; real deployments use daemon.interval.
const interval = process.env.FLOWSYNC_INTERVAL ?? '30s';

async function startEmulatorOnFreePort(): Promise<StartedEmulator> {
  try {
    return await startEmulator({ port: emulatorPort });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    process.stdout.write(`port ${emulatorPort} is busy; the emulator takes a free port instead\n`);
    return startEmulator({ port: 0 });
  }
}

/** Binds HOST:PORT for a moment; the port bound (a free one for 0), or the bind error. */
function probe(host: string, port: number): Promise<number | NodeJS.ErrnoException> {
  const srv = createServer();
  return new Promise((done) => {
    srv.once('error', (err: NodeJS.ErrnoException) => done(err));
    srv.listen(port, host.replace(/^\[|\]$/g, ''), () => {
      const bound = (srv.address() as { port: number }).port;
      srv.close(() => done(bound));
    });
  });
}

/**
 * FLOWSYNC_LISTEN made concrete, so the URLs printed are the ones served: port 0 gets a free port,
 * and so does a busy port (as the emulator's does).
 */
async function concreteListen(value: string): Promise<string> {
  const m = /^(.*):(\d+)$/.exec(value);
  if (!m) return value; // "off", or a form the daemon reports on
  const host = m[1] || '127.0.0.1';
  const port = Number(m[2]);
  let bound = await probe(host, port);
  if (typeof bound !== 'number' && bound.code === 'EADDRINUSE' && port !== 0) {
    process.stdout.write(`port ${port} is busy; the status server takes a free port instead (FLOWSYNC_LISTEN picks another)\n`);
    bound = await probe(host, 0);
  }
  if (typeof bound !== 'number') {
    throw new FlowsyncError('FS_DAEMON_LISTEN', `cannot listen on ${host}:${port} (FLOWSYNC_LISTEN): ${bound.code ?? bound.message}`, { hint: LISTEN_HINT });
  }
  return `${host}:${bound}`;
}

const LISTEN_HINT = 'npm start takes its settings from the environment: FLOWSYNC_LISTEN=127.0.0.1:0 npm start (0 picks a free port).';

/** A word the shell passes through unchanged, quoted when it needs to be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<number> {
  const emu = await startEmulatorOnFreePort();
  let listen: string;
  try {
    listen = await concreteListen(listenSetting);
  } catch (err) {
    await emu.close();
    throw err;
  }
  const env: NodeJS.ProcessEnv = {
    ...DEMO_SECRET_ENV,
    ...process.env, // a variable the user set wins over the demo value
    FLOWSYNC_ENDPOINT: emu.url,
    FLOWSYNC_IMS_ENDPOINT: emu.imsUrl,
  };
  const statusUrl = `http://${listen}`;
  const stateFile = demoFile(root, process.env);
  await writeDemoState(stateFile, { emulator: emu.url, ims: emu.imsUrl, ...(listen === 'off' ? {} : { status: statusUrl }), pid: process.pid, startedAt: new Date().toISOString() });
  const shown = (abs: string) => {
    const rel = relative(root, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  };
  process.stdout.write(
    [
      `flowsync demo: the config repo in ${process.env.FLOWSYNC_MANIFESTS ?? './manifests'}, reconciled against the embedded emulator`,
      `  Flow Service emulator  ${emu.flowServiceUrl}  (admin: ${emu.url}/__emulator/, demo client ${EMULATOR_DEFAULTS.clientId})`,
      ...(listen === 'off'
        ? []
        : [`  Status                 ${statusUrl}/status`, `  Metrics                ${statusUrl}/metrics`, `  Health                 ${statusUrl}/healthz  ${statusUrl}/readyz`]),
      `  These URLs are in ${shown(stateFile)}; \`npm run demo\` reads them.`,
      '  Edit a file under the config repo and watch it apply; make drift with the emulator admin route',
      '  (README "Quick start"). From another terminal in this folder:',
      `    npm run demo -- plan ${shellWord(shown(manifests))}`,
      ...(listen === 'off' ? [] : [`    curl -s ${statusUrl}/status`]),
      '  Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  try {
    return await runCommand.run(['--dir', manifests, '--mode', 'apply', '--listen', listen, '--interval', interval], { ...processIO(), cwd: root, env });
  } catch (err) {
    // The port was free a moment ago; the daemon's own hint names a flag npm start does not take.
    if (err instanceof FlowsyncError && err.code === 'FS_DAEMON_LISTEN') throw new FlowsyncError('FS_DAEMON_LISTEN', err.message, { cause: err, hint: LISTEN_HINT });
    throw err;
  } finally {
    await removeDemoState(stateFile, process.pid);
    await emu.close();
  }
}

runScript(main);
