// `flowsync emulator`: runs the embedded Flow Service emulator until SIGINT/SIGTERM, then closes cleanly.
import { FlowsyncError } from '../domain/errors.ts';
import type { FaultsInput } from '../emulator/index.ts';
import { readFileSync } from 'node:fs';
import type { AudienceSeed } from '../emulator/audiences.ts';
import { intFlag, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';

const USAGE = `Usage: flowsync emulator [flags]

Runs a local Flow Service emulator (AEP Flow Service API, audiences of the Segmentation Service,
Sandbox Management reads, IMS token endpoint) until Ctrl-C.

Flags:
  --port N            port to listen on (default 4010; 0 picks a free port)
  --host HOST         address to bind (default 127.0.0.1)
  --state FILE        keep the store in FILE across restarts, creating its folder (default: in
                      memory); a FILE that cannot be written stops the start
  --token-ttl S       lifetime of issued tokens in seconds (default 86399)
  --sandboxes A,B     the sandboxes every org has besides prod (default dev); a call naming any
                      other gets 2101-404 (add more at runtime with POST /__emulator/sandboxes)
  --transition-ms MS  how long a flow stays updating/enabling/disabling after a PATCH or an
                      enable/disable, refusing writes as Adobe does (default 300; 0 = at once)
  --run-interval MS   every enabled dataflow gets a run every MS milliseconds (default 5000;
                      0 = no runs; Adobe's streaming destinations report hourly)
  --audiences FILE    start with the audiences in FILE, a JSON array of {sandbox, name, id?, orgId?,
                      description?, type?} (default: the example repo's audiences in prod and dev);
                      a flow may activate only audiences of its sandbox
Faults (off by default; also settable at runtime with PUT /__emulator/faults):
  --latency MS        add MS milliseconds before every Flow Service answer
  --jitter MS         add up to MS more milliseconds, at random
  --error-rate R      answer a share R (0..1) of requests with a 5xx
  --throttle-rate R   answer a share R (0..1) of requests with 429 and Retry-After
  --retry-after S     Retry-After seconds on injected 429s (default 1)
  --rate-limit RPS    answer 429 above RPS requests per second
  --drop-rate R       drop the connection of a share R (0..1) of requests
  --seed N            seed of the random fault generator (default 42)
  --late-commit MS    hold every create MS milliseconds, then commit it, then answer (a client
                      with a shorter timeout gives up; the entity still appears MS after the request)
  --late-commit-count N
                      only the next N creates commit late (default: every create)
  --drop-param A,B    leave these target params out of every read of a target connection (they
                      are stored as sent), like an API that drops a param on read
  --run-failure-rate R
                      a share R (0..1) of dataflow runs fail (every record failed, error
                      ACTIVATION_BATCH-0000-FAILED)
  --run-partial-rate R
                      a share R (0..1) of the other runs have some failed records
`;

function rateFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0 && n <= 1)) {
    throw new FlowsyncError('FS_CLI_USAGE', `emulator: --${flag} must be a number from 0 to 1 (got "${value}")`);
  }
  return n;
}

/** `--audiences FILE`: a JSON array of audience seeds (checked further when the emulator starts). */
function audiencesFlag(file: string | undefined): AudienceSeed[] | undefined {
  if (file === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FlowsyncError('FS_CLI_USAGE', `emulator: --audiences ${file} cannot be read as JSON: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const bad = !Array.isArray(data) || data.some((a) => typeof a !== 'object' || a === null || typeof a.sandbox !== 'string' || typeof a.name !== 'string' || a.name.trim() === '');
  if (bad) throw new FlowsyncError('FS_CLI_USAGE', `emulator: --audiences ${file} must hold a JSON array of {"sandbox": "...", "name": "...", "id"?: "..."}`);
  return data as AudienceSeed[];
}

/** Resolves when the process gets SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run the local Flow Service emulator (no Adobe account needed)',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values } = parseFlags('emulator', argv, {
      port: { type: 'string' }, host: { type: 'string' }, state: { type: 'string' }, 'token-ttl': { type: 'string' }, sandboxes: { type: 'string' },
      latency: { type: 'string' }, jitter: { type: 'string' }, 'error-rate': { type: 'string' }, 'throttle-rate': { type: 'string' },
      'retry-after': { type: 'string' }, 'rate-limit': { type: 'string' }, 'drop-rate': { type: 'string' }, seed: { type: 'string' },
      'late-commit': { type: 'string' }, 'late-commit-count': { type: 'string' }, 'drop-param': { type: 'string' }, 'transition-ms': { type: 'string' },
      'run-interval': { type: 'string' }, 'run-failure-rate': { type: 'string' }, 'run-partial-rate': { type: 'string' },
      audiences: { type: 'string' },
    }, false);
    const optionalInt = (flag: string, v: string | undefined, max?: number) => (v === undefined ? undefined : intFlag('emulator', flag, v, 0, 0, max));
    const faults: FaultsInput = {
      latencyMs: optionalInt('latency', values.latency),
      latencyJitterMs: optionalInt('jitter', values.jitter),
      errorRate: rateFlag('error-rate', values['error-rate']),
      throttleRate: rateFlag('throttle-rate', values['throttle-rate']),
      retryAfterSeconds: optionalInt('retry-after', values['retry-after']),
      rateLimit: optionalInt('rate-limit', values['rate-limit']),
      dropRate: rateFlag('drop-rate', values['drop-rate']),
      seed: optionalInt('seed', values.seed, 2 ** 32 - 1),
      lateCommitMs: optionalInt('late-commit', values['late-commit']),
      lateCommitCount: optionalInt('late-commit-count', values['late-commit-count']),
      ...(values['drop-param'] !== undefined ? { dropParamsOnRead: values['drop-param'].split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      transitionMs: optionalInt('transition-ms', values['transition-ms']),
      runIntervalMs: optionalInt('run-interval', values['run-interval']),
      runFailureRate: rateFlag('run-failure-rate', values['run-failure-rate']),
      runPartialFailureRate: rateFlag('run-partial-rate', values['run-partial-rate']),
    };
    const ttl = optionalInt('token-ttl', values['token-ttl']);
    const audiences = audiencesFlag(values.audiences);
    // Loaded here so other commands do not pay for the emulator's schema compilation at start-up.
    const { EMULATOR_DEFAULTS, SEGMENTATION_PATH, startEmulator } = await import('../emulator/index.ts');
    let emu;
    try {
      emu = await startEmulator({
        port: intFlag('emulator', 'port', values.port, 4010, 0, 65535),
        host: values.host ?? '127.0.0.1',
        ...(values.state ? { stateFile: values.state } : {}),
        ...(ttl !== undefined ? { tokenTtlSeconds: ttl } : {}),
        ...(values.sandboxes !== undefined ? { sandboxes: values.sandboxes.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
        ...(audiences ? { audiences } : {}),
        faults,
      });
    } catch (err) {
      if (err instanceof FlowsyncError) throw err;
      const e = err as NodeJS.ErrnoException;
      const hint = e.code === 'EADDRINUSE' ? 'Another process uses the port; pass --port with a free port (or 0).' : undefined;
      throw new FlowsyncError('FS_CLI_USAGE', `emulator: cannot start: ${e.message}`, { cause: err, ...(hint ? { hint } : {}) });
    }
    const active = Object.entries(faults).filter(([k, v]) => v !== undefined && v !== 0 && k !== 'seed' && k !== 'transitionMs' && k !== 'runIntervalMs' && !(Array.isArray(v) && v.length === 0));
    io.stdout.write(
      `flowsync emulator listening on ${emu.url}\n` +
        `  Flow Service:  ${emu.flowServiceUrl}\n` +
        `  IMS token:     ${emu.imsUrl}\n` +
        `  Audiences:     ${emu.url}${SEGMENTATION_PATH}/audiences (${values.audiences ? `from ${values.audiences}` : "the example repo's, in prod and dev"})\n` +
        `  Admin:         ${emu.url}/__emulator/ (requests, faults, edit, tokens, audiences, state, reset)\n` +
        `  State:         ${values.state ?? 'in memory'}\n` +
        `  Flow updates:  settle after ${emu.admin.faults().transitionMs} ms (--transition-ms)\n` +
        `  Dataflow runs: every ${emu.admin.faults().runIntervalMs} ms per enabled flow (--run-interval)\n` +
        `Demo credentials (the emulator's documented defaults; any client id with a non-empty secret works):\n` +
        `  client id:     ${EMULATOR_DEFAULTS.clientId}\n` +
        `  client secret: ${EMULATOR_DEFAULTS.clientSecret}\n` +
        `  org id:        ${EMULATOR_DEFAULTS.orgId}\n` +
        `  sandbox:       ${EMULATOR_DEFAULTS.sandbox}\n` +
        (active.length ? `Faults: ${active.map(([k, v]) => `${k}=${String(v)}`).join(', ')}\n` : '') +
        `Press Ctrl-C to stop.\n`,
    );
    const sig = await untilSignal();
    await emu.close();
    io.stdout.write(`flowsync emulator stopped (${sig})\n`);
    return 0;
  },
};
