// Synthetic config repos for the benchmarks: N StreamingDestinations spread over several sandboxes,
// both destination types, 20 segments and 10 profile attributes each, one DestinationAccount per
// sandbox x type shared by its destinations. Deterministic from a seed (same seed, same bytes).
// The format is the public manifest contract (issue 3, docs/concepts/manifests.md); `flowsync validate`
// must accept the output, which test/bench/harness.test.ts checks once the loader exists.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { DestinationType } from '../../src/domain/model.ts';
import { createRng } from './rng.ts';

const run = promisify(execFile);

/** Env vars the generated secret references point at, with obviously fake values. */
export const BENCH_SECRET_ENV = {
  BENCH_KINESIS_SECRET_KEY: 'fake-kinesis-secret-for-benchmarks-only',
  BENCH_EVENTHUBS_SAS_KEY: 'fake-sas-key-for-benchmarks-only',
  BENCH_CLIENT_SECRET: 'emulator-secret',
} as const;

/** Valid XDM field paths (Individual Profile field groups) the attributes are drawn from. */
export const ATTRIBUTE_POOL = [
  'person.name.firstName',
  'person.name.lastName',
  'person.name.middleName',
  'person.birthDate',
  'person.gender',
  'personalEmail.address',
  'workEmail.address',
  'mobilePhone.number',
  'homePhone.number',
  'workPhone.number',
  'homeAddress.city',
  'homeAddress.country',
  'homeAddress.postalCode',
  'homeAddress.stateProvince',
  'homeAddress.street1',
  'workAddress.city',
  'workAddress.country',
  'loyalty.tier',
  'loyalty.points',
  'preferredLanguage',
] as const;

export interface ApiSettings {
  endpoint: string; // Flow Service base URL
  imsEndpoint: string; // full IMS token URL
  clientId: string;
  orgId: string;
}

export interface GenerateOptions {
  n: number;
  /** Sandboxes to spread over; default: enough to keep every sandbox at or under 100 destinations, at least 2. */
  sandboxes?: number;
  seed?: number;
  segmentsPerDestination?: number; // default 20
  attributesPerDestination?: number; // default 10
  segmentPoolSize?: number; // distinct segments in the org, default 500
  /**
   * 'per-destination' (default): one file per destination. 'per-sandbox': one multi-document file of
   * destinations per sandbox, which keeps 10,000 destinations under the loader's limit on files per run.
   */
  layout?: 'per-destination' | 'per-sandbox';
  /** Write the optional segment labels (default true); without them a manifest is ~30% smaller. */
  segmentNames?: boolean;
  /** Where to write; a new temp folder when absent. */
  dir?: string;
  /** Make the folder a git repository with one commit on branch main. */
  git?: boolean;
  /** Written into flowsync.yaml when given (else the commands need flags/env for the endpoint). */
  api?: ApiSettings;
}

export interface GenSegment {
  id: string;
  name: string;
}

export interface GenAccount {
  name: string;
  sandbox: string;
  type: DestinationType;
  file: string; // relative to the repo root
}

export interface GenDestination {
  name: string;
  sandbox: string;
  type: DestinationType;
  account: string;
  description: string;
  target: Record<string, string>;
  segments: GenSegment[];
  profileAttributes: string[];
  file: string; // relative to the repo root
}

export interface GeneratedRepo {
  dir: string;
  manifestsDir: string; // relative to dir
  seed: number;
  sandboxes: string[];
  accounts: GenAccount[];
  destinations: GenDestination[];
  /** The secret env vars the manifests reference (fake values). */
  env: Record<string, string>;
  api: ApiSettings | undefined;
  segmentNames: boolean;
}

export const DEFAULT_SEED = 7;
const REGION = 'us-east-1';

export function sandboxNames(count: number): string[] {
  const names = ['prod'];
  for (let i = 1; i < count; i++) names.push(`bench-${String(i).padStart(3, '0')}`);
  return names;
}

function accountName(sandbox: string, type: DestinationType): string {
  return `${type === 'amazon-kinesis' ? 'kinesis' : 'eventhubs'}-${sandbox}`;
}

/** The repo as data, no I/O: what `generateRepo` writes. */
export function planRepo(opts: GenerateOptions): Omit<GeneratedRepo, 'dir'> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const rng = createRng(seed);
  const sandboxCount = Math.max(1, opts.sandboxes ?? Math.max(2, Math.ceil(opts.n / 100)));
  const sandboxes = sandboxNames(sandboxCount);
  const segPool: GenSegment[] = Array.from({ length: opts.segmentPoolSize ?? 500 }, (_, i) => ({
    id: rng.uuid(),
    name: `Audience ${String(i + 1).padStart(4, '0')}`,
  }));
  const segCount = opts.segmentsPerDestination ?? 20;
  const attrCount = opts.attributesPerDestination ?? 10;
  const manifestsDir = 'manifests';
  const accounts: GenAccount[] = [];
  for (const sandbox of sandboxes) {
    for (const type of ['amazon-kinesis', 'azure-event-hubs'] as const) {
      accounts.push({ name: accountName(sandbox, type), sandbox, type, file: `${manifestsDir}/${sandbox}/accounts.yaml` });
    }
  }
  const destinations: GenDestination[] = [];
  const width = Math.max(5, String(opts.n).length);
  for (let i = 0; i < opts.n; i++) {
    const sandbox = sandboxes[i % sandboxCount]!;
    const type: DestinationType = Math.floor(i / sandboxCount) % 2 === 0 ? 'amazon-kinesis' : 'azure-event-hubs';
    const name = `dest-${String(i + 1).padStart(width, '0')}`;
    const target: Record<string, string> =
      type === 'amazon-kinesis' ? { stream: `stream-${name}`, region: REGION } : { eventHubName: `hub-${name}` };
    destinations.push({
      name,
      sandbox,
      type,
      account: accountName(sandbox, type),
      description: `Synthetic destination ${i + 1} (bench seed ${seed})`,
      target,
      segments: rng.sample(segPool, segCount),
      profileAttributes: rng.sample(ATTRIBUTE_POOL, attrCount),
      file: opts.layout === 'per-sandbox' ? `${manifestsDir}/${sandbox}/destinations.yaml` : `${manifestsDir}/${sandbox}/destinations/${name}.yaml`,
    });
  }
  return { manifestsDir, seed, sandboxes, accounts, destinations, env: { ...BENCH_SECRET_ENV }, api: opts.api, segmentNames: opts.segmentNames ?? true };
}

// YAML is written by hand: plain scalars only where they cannot be misread, everything else quoted.
const q = (s: string): string => JSON.stringify(s);

function accountYaml(a: GenAccount): string {
  const auth =
    a.type === 'amazon-kinesis'
      ? [
          '    accessKeyId: AKIABENCHMARK0000001',
          '    secretKey: { fromEnv: BENCH_KINESIS_SECRET_KEY }',
          `    region: ${REGION}`,
        ]
      : [`    sasKeyName: RootManageSharedAccessKey`, '    sasKey: { fromEnv: BENCH_EVENTHUBS_SAS_KEY }', `    namespace: ${q(`bench-${a.sandbox}`)}`];
  return [
    'apiVersion: flowsync/v1',
    'kind: DestinationAccount',
    'metadata:',
    `  name: ${a.name}`,
    `  sandbox: ${a.sandbox}`,
    'spec:',
    `  type: ${a.type}`,
    `  description: ${q(`Benchmark ${a.type} account for ${a.sandbox}`)}`,
    '  auth:',
    ...auth,
    '',
  ].join('\n');
}

export function destinationYaml(d: GenDestination, segmentNames = true): string {
  const target = Object.entries(d.target).map(([k, v]) => `${k}: ${q(v)}`);
  return [
    'apiVersion: flowsync/v1',
    'kind: StreamingDestination',
    'metadata:',
    `  name: ${d.name}`,
    `  sandbox: ${d.sandbox}`,
    'spec:',
    `  account: ${d.account}`,
    `  description: ${q(d.description)}`,
    `  target: { ${target.join(', ')} }`,
    '  format: json',
    '  enabled: true',
    '  drift: heal',
    '  segments:',
    ...d.segments.flatMap((s) => (segmentNames ? [`    - id: ${s.id}`, `      name: ${q(s.name)}`] : [`    - id: ${s.id}`])),
    '  profileAttributes:',
    ...d.profileAttributes.map((p) => `    - ${p}`),
    '',
  ].join('\n');
}

export function configYaml(repo: Pick<GeneratedRepo, 'manifestsDir' | 'api'>): string {
  const lines = [
    '# flowsync config repo generated by bench/lib/generate.ts',
    'apiVersion: flowsync/v1',
    'kind: Config',
    `manifests: [${repo.manifestsDir}]`,
    'sandbox: prod',
    // The repo is generated into a new temp folder each run, so the default manager (derived from
    // the folder's path when there is no git remote) would differ from the cached seed's.
    'manager: flowsync-bench',
  ];
  if (repo.api) {
    lines.push(
      `org: ${q(repo.api.orgId)}`,
      'api:',
      `  endpoint: ${q(repo.api.endpoint)}`,
      `  imsEndpoint: ${q(repo.api.imsEndpoint)}`,
      `  clientId: ${q(repo.api.clientId)}`,
      '  clientSecret: { fromEnv: BENCH_CLIENT_SECRET }',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the file holding `d` again (after a scenario changed it), with every destination it holds. */
export async function writeDestination(repo: GeneratedRepo, d: GenDestination): Promise<void> {
  const same = repo.destinations.filter((x) => x.file === d.file);
  await writeFile(join(repo.dir, d.file), same.map((x) => destinationYaml(x, repo.segmentNames)).join('---\n'));
}

export async function writeConfig(repo: GeneratedRepo): Promise<void> {
  await writeFile(join(repo.dir, 'flowsync.yaml'), configYaml(repo));
}

export async function git(dir: string, ...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'flowsync bench',
    GIT_AUTHOR_EMAIL: 'bench@flowsync.invalid',
    GIT_COMMITTER_NAME: 'flowsync bench',
    GIT_COMMITTER_EMAIL: 'bench@flowsync.invalid',
  };
  const { stdout } = await run('git', args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Writes the repo (and optionally makes it a git repository). Returns where and what. */
export async function generateRepo(opts: GenerateOptions): Promise<GeneratedRepo> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), `flowsync-bench-${opts.n}-`)));
  const repo: GeneratedRepo = { dir, ...planRepo(opts) };
  await writeConfig(repo);
  const bySandbox = new Map<string, GenAccount[]>();
  for (const a of repo.accounts) bySandbox.set(a.sandbox, [...(bySandbox.get(a.sandbox) ?? []), a]);
  for (const [sandbox, accounts] of bySandbox) {
    await mkdir(join(dir, repo.manifestsDir, sandbox), { recursive: true });
    await writeFile(join(dir, repo.manifestsDir, sandbox, 'accounts.yaml'), accounts.map(accountYaml).join('---\n'));
  }
  // Bounded parallel writes: 10,000 small files in well under a second.
  const firstOfFile = new Map(repo.destinations.map((d) => [d.file, d] as const));
  const queue = [...firstOfFile.values()];
  for (const folder of new Set(queue.map((d) => dirname(join(dir, d.file))))) await mkdir(folder, { recursive: true });
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await writeDestination(repo, d);
    }),
  );
  if (opts.git) {
    await git(dir, 'init', '-q', '-b', 'main');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', `synthetic repo: ${opts.n} destinations, seed ${repo.seed}`);
  }
  return repo;
}
