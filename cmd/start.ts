// `npm start`: the whole product on one machine with no Adobe account. Starts the Flow Service
// emulator in-process, then `flowsync run` on ./manifests in heal mode against it, with the
// example manifests' secret references set to obviously fake values. Ctrl-C stops both.
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIO } from '../src/cli/command.ts';
import { DEMO_SECRET_ENV } from '../src/cli/demo-env.ts';
import { runCommand } from '../src/cli/run-command.ts';
import { EMULATOR_DEFAULTS, startEmulator, type StartedEmulator } from '../src/emulator/index.ts';
import { useColor } from '../src/render/color.ts';
import { formatError } from '../src/render/error.ts';

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

/** FLOWSYNC_LISTEN with port 0 gets a free port here, so the URLs printed below are the real ones. */
async function concreteListen(value: string): Promise<string> {
  const m = /^(.*):0$/.exec(value);
  if (!m) return value;
  const host = m[1] || '127.0.0.1';
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, host.replace(/^\[|\]$/g, ''), r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `${host}:${port}`;
}

async function main(): Promise<number> {
  const emu = await startEmulatorOnFreePort();
  const listen = await concreteListen(listenSetting);
  const env: NodeJS.ProcessEnv = {
    ...DEMO_SECRET_ENV,
    ...process.env, // a variable the user set wins over the demo value
    FLOWSYNC_ENDPOINT: emu.url,
    FLOWSYNC_IMS_ENDPOINT: emu.imsUrl,
  };
  process.stdout.write(
    [
      `flowsync demo: the config repo in ${process.env.FLOWSYNC_MANIFESTS ?? './manifests'}, reconciled against the embedded emulator`,
      `  Flow Service emulator  ${emu.flowServiceUrl}  (admin: ${emu.url}/__emulator/, demo client ${EMULATOR_DEFAULTS.clientId})`,
      `  Status                 http://${listen}/status`,
      `  Metrics                http://${listen}/metrics`,
      `  Health                 http://${listen}/healthz  http://${listen}/readyz`,
      '  Edit a file under ./manifests and watch it apply; make drift with the emulator admin route',
      '  (README "Quick start"); Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  try {
    return await runCommand.run(['--dir', manifests, '--mode', 'apply', '--listen', listen, '--interval', interval], { ...processIO(), cwd: root, env });
  } finally {
    await emu.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(formatError(err, { color: useColor(process.stderr, process.env) }));
    process.exitCode = 1;
  },
);
