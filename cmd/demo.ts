// `npm run demo -- <flowsync command> …`: runs a flowsync command against the emulator `npm start`
// is serving, with the same fake demo secrets, so the CLI can be tried next to the daemon.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRET_ENV } from '../src/cli/demo-env.ts';

const port = process.env.FLOWSYNC_EMULATOR_PORT ?? '4010';
const env = {
  ...DEMO_SECRET_ENV,
  ...process.env,
  FLOWSYNC_ENDPOINT: process.env.FLOWSYNC_ENDPOINT ?? `http://127.0.0.1:${port}`,
  FLOWSYNC_IMS_ENDPOINT: process.env.FLOWSYNC_IMS_ENDPOINT ?? `http://127.0.0.1:${port}/ims/token/v3`,
};
const entry = fileURLToPath(new URL('./flowsync.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', entry, ...process.argv.slice(2)], { env, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
