// `npm run demo -- <flowsync command> …`: runs a flowsync command against the emulator `npm start`
// is serving, with the same fake demo secrets, so the CLI can be tried next to the daemon.
// The emulator's URL: FLOWSYNC_ENDPOINT if set, else the one `npm start` wrote to .flowsync/demo.json
// (it may have taken a free port), else http://127.0.0.1:${FLOWSYNC_EMULATOR_PORT:-4010}.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRET_ENV } from '../src/cli/demo-env.ts';
import { demoFile, readDemoState } from '../src/cli/demo-state.ts';
import { FlowsyncError } from '../src/domain/errors.ts';
import { runScript } from '../src/cli/script.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Resolves undefined when something accepts a TCP connection at the URL's host and port, else the error code. */
function reachable(url: string): Promise<string | undefined> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || (protocol === 'https:' ? 443 : 80)), timeout: 3_000 });
    socket.once('connect', () => (socket.destroy(), done(undefined)));
    socket.once('timeout', () => (socket.destroy(), done('ETIMEDOUT')));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

async function main(): Promise<number> {
  const file = demoFile(root, process.env);
  const state = process.env.FLOWSYNC_ENDPOINT ? undefined : await readDemoState(file);
  const fallback = `http://127.0.0.1:${process.env.FLOWSYNC_EMULATOR_PORT ?? '4010'}`;
  const endpoint = process.env.FLOWSYNC_ENDPOINT ?? state?.emulator ?? fallback;
  const from = process.env.FLOWSYNC_ENDPOINT ? 'FLOWSYNC_ENDPOINT' : state ? `${relative(process.cwd(), file) || file}, written by npm start` : `no ${relative(process.cwd(), file) || file}, so the default port`;
  const failure = await reachable(endpoint);
  if (failure) {
    throw new FlowsyncError('FS_API_UNAVAILABLE', `npm run demo: cannot connect to the emulator at ${endpoint} (${failure}; the URL comes from ${from})`, {
      hint: state
        ? 'The npm start that wrote it has stopped: start it again (`npm start` in another terminal), then re-run this command.'
        : 'Start the emulator first: `npm start` in another terminal from this folder, then re-run this command.',
    });
  }
  const env = {
    ...DEMO_SECRET_ENV,
    ...process.env,
    FLOWSYNC_ENDPOINT: endpoint,
    FLOWSYNC_IMS_ENDPOINT: process.env.FLOWSYNC_IMS_ENDPOINT ?? state?.ims ?? `${endpoint}/ims/token/v3`,
  };
  const entry = fileURLToPath(new URL('./flowsync.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...process.argv.slice(2)], { env, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

runScript(main);
