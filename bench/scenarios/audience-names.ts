// Scenario 10: segments by name. 1,000 destinations × 20 segments named by audience name, spread over
// 10 sandboxes, each sandbox with 250 audiences (so a walk takes 3 pages of 100). Loading the repo
// and resolving every name must cost at most one audience list walk per sandbox: the requests are
// counted at the emulator and printed with the time.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EMULATOR_DEFAULTS, startEmulator, type AudienceSeed } from '../../src/emulator/index.ts';
import { loadRepo } from '../../src/manifest/index.ts';
import { resolveAudiences } from '../../src/reconcile/audiences.ts';
import { newClient } from '../lib/core.ts';
import { row } from '../lib/report.ts';
import { envNumber, isMain, main, type Scenario } from '../lib/scenario.ts';

const DESTINATIONS = envNumber('BENCH_AUDIENCE_DESTINATIONS', 1000);
const SANDBOXES = envNumber('BENCH_AUDIENCE_SANDBOXES', 10);
const SEGMENTS = 20;
const AUDIENCES_PER_SANDBOX = 250;

const sandboxName = (i: number) => (i === 0 ? 'prod' : `dev${i}`);
const audienceName = (i: number) => `Audience number ${i}`;

/** One file per sandbox: its account and its share of the destinations, each naming 20 audiences. */
async function writeRepo(dir: string, sandboxes: string[]): Promise<void> {
  await writeFile(path.join(dir, 'flowsync.yaml'), 'apiVersion: flowsync/v1\nkind: Config\nmanifests: [m]\nsandbox: prod\n');
  await mkdir(path.join(dir, 'm'));
  for (const [s, sandbox] of sandboxes.entries()) {
    const docs = [`apiVersion: flowsync/v1\nkind: DestinationAccount\nmetadata: { name: kin, sandbox: ${sandbox} }\nspec:\n  type: amazon-kinesis\n  auth: { accessKeyId: AKIAEXAMPLEEXAMPLE00, secretKey: { fromEnv: BENCH_SECRET }, region: us-east-1 }\n`];
    for (let d = s; d < DESTINATIONS; d += sandboxes.length) {
      const names = Array.from({ length: SEGMENTS }, (_, k) => `    - name: ${audienceName((d + k * 7) % AUDIENCES_PER_SANDBOX)}`);
      docs.push(`apiVersion: flowsync/v1\nkind: StreamingDestination\nmetadata: { name: dest-${d}, sandbox: ${sandbox} }\nspec:\n  account: kin\n  target: { stream: s${d} }\n  segments:\n${names.join('\n')}\n`);
    }
    await writeFile(path.join(dir, 'm', `${sandbox}.yaml`), docs.join('---\n'));
  }
}

export const scenario: Scenario = {
  name: 'audience-names',
  summary: 'segments by name: 1,000 destinations x 20 names in 10 sandboxes, list walks per sandbox',
  async run() {
    const sandboxes = Array.from({ length: SANDBOXES }, (_, i) => sandboxName(i));
    const audiences: AudienceSeed[] = sandboxes.flatMap((sandbox) => Array.from({ length: AUDIENCES_PER_SANDBOX }, (_, i) => ({ sandbox, name: audienceName(i) })));
    const emu = await startEmulator({ port: 0, sandboxes, audiences });
    const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-bench-audiences-'));
    try {
      await writeRepo(dir, sandboxes);
      const repo = await loadRepo(dir, { env: {}, resolveSecrets: false });
      const errors = repo.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) throw new Error(`the generated repo does not validate: ${errors[0]!.code} ${errors[0]!.summary}`);
      const client = newClient({ endpoint: emu.url, imsEndpoint: emu.imsUrl, orgId: EMULATOR_DEFAULTS.orgId, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret });
      try {
        emu.admin.resetRequests();
        const t0 = performance.now();
        const resolved = await resolveAudiences(client, repo.desired);
        const ms = performance.now() - t0;
        if (resolved.diagnostics.length > 0) throw new Error(`resolution found ${resolved.diagnostics.length} problems, e.g. ${resolved.diagnostics[0]!.summary}`);
        const names = resolved.desired.destinations.reduce((n, d) => n + d.segments.length, 0);
        const lists = emu.admin.requests().filter((r) => r.path.endsWith('/data/core/ups/audiences'));
        const walks = lists.filter((r) => /(^|&)start=0(&|$)/.test(r.query)).length;
        const c = `${DESTINATIONS} dest x ${SEGMENTS} names, ${SANDBOXES} sandboxes`;
        return {
          setup: `emulator in-process, no latency; ${AUDIENCES_PER_SANDBOX} audiences per sandbox (pages of 100); ${names} segment names resolved; one resolveAudiences call after loading (the CLI's and the daemon's path)`,
          rows: [
            row({ case: c, metric: 'audience list walks / sandboxes', value: walks / SANDBOXES, unit: '', target: { op: '<=', value: 1 }, note: `${walks} walks for ${SANDBOXES} sandboxes` }),
            row({ case: c, metric: 'audience requests (pages)', value: lists.length, unit: 'req', note: `${Math.ceil(AUDIENCES_PER_SANDBOX / 100)} pages per walk; ${emu.admin.requests().length} requests in all` }),
            row({ case: c, metric: 'resolution wall time', value: ms / 1000, unit: 's', note: `${names} names, ${(names / Math.max(ms, 1)).toFixed(0)} per ms` }),
          ],
        };
      } finally {
        client.close();
      }
    } finally {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) await main(scenario);
