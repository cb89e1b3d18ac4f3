// Random valid config repos for the property tests: the model they must load to, and the files
// (YAML text, env vars, secret files) that describe it.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { credentialFingerprint } from '../../src/domain/fingerprint.ts';
import type { DesiredAccount, DesiredDestination, DesiredState, DestinationType, DriftPolicy } from '../../src/domain/model.ts';

type Value = { plain: string } | { env: string } | { file: string }; // how a param is written

interface GenAccount {
  sandbox: string;
  name: string;
  type: DestinationType;
  description?: string;
  auth: Record<string, Value>;
  values: Record<string, string>; // resolved
}

interface GenDestination {
  accountIndex: number;
  name: string;
  description?: string;
  stream: string;
  region?: string;
  eventHubName: string;
  includeSegmentNames?: boolean;
  format?: 'json';
  enabled?: boolean;
  drift?: DriftPolicy;
  segments: { id: string; name?: string; upper: boolean }[];
  profileAttributes: string[];
}

export interface GenRepo {
  files: Record<string, string>;
  env: Record<string, string>;
  expected: DesiredState;
}

const byCodepoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const name = fc.stringMatching(/^[a-z0-9](?:[a-z0-9._-]{0,8}[a-z0-9])?$/);
const secretValue = fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,32}$/);
const text = fc.string({ maxLength: 30 }).filter((s) => !s.toLowerCase().includes('[flowsync:'));
const region = fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1');
const howWritten = fc.constantFrom('plain', 'env', 'file');
const xdmPath = fc
  .array(fc.stringMatching(/^_?[A-Za-z][A-Za-z0-9_]{0,6}$/), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('.'))
  .filter((p) => !/^(segmentMembership|identityMap)(\.|$)/.test(p));

const accountArb = fc.record({
  sandbox: fc.constantFrom('prod', 'dev', 'qa-1'),
  name,
  type: fc.constantFrom<DestinationType>('amazon-kinesis', 'azure-event-hubs'),
  description: fc.option(text, { nil: undefined }),
  accessKeyId: fc.tuple(howWritten, fc.stringMatching(/^AKIA[A-Z0-9]{16}$/)),
  secretKey: fc.tuple(fc.constantFrom('env', 'file'), secretValue),
  region: fc.tuple(fc.constantFrom('plain', 'plain', 'env'), region),
  sasKeyName: fc.tuple(howWritten, fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/)),
  sasKey: fc.tuple(fc.constantFrom('env', 'file'), secretValue),
  namespace: fc.tuple(fc.constantFrom('plain', 'env'), fc.stringMatching(/^[a-z][a-z0-9-]{4,12}[a-z0-9]$/)),
});

type AccountSeed = typeof accountArb extends fc.Arbitrary<infer T> ? T : never;

const destinationArb = fc.record({
  accountIndex: fc.nat(),
  name,
  description: fc.option(text, { nil: undefined }),
  stream: fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
  region: fc.option(region, { nil: undefined }),
  eventHubName: fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,10}[A-Za-z0-9])?$/),
  includeSegmentNames: fc.option(fc.boolean(), { nil: undefined }),
  format: fc.option(fc.constant('json' as const), { nil: undefined }),
  enabled: fc.option(fc.boolean(), { nil: undefined }),
  drift: fc.option(fc.constantFrom<DriftPolicy>('heal', 'warn', 'ignore'), { nil: undefined }),
  segments: fc.uniqueArray(fc.record({ id: fc.uuid(), name: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }), upper: fc.boolean() }), { maxLength: 5, selector: (s) => s.id.toLowerCase() }),
  profileAttributes: fc.uniqueArray(xdmPath, { maxLength: 5 }),
});

export const repoArb: fc.Arbitrary<GenRepo> = fc
  .record({
    accounts: fc.uniqueArray(accountArb, { minLength: 1, maxLength: 4, selector: (a) => `${a.sandbox}/${a.name}` }),
    destinations: fc.array(destinationArb, { maxLength: 6 }),
    defaultSandbox: fc.constantFrom('prod', 'dev', undefined),
    omitDefaultSandbox: fc.boolean(),
    fileCount: fc.integer({ min: 1, max: 4 }),
    placement: fc.array(fc.nat(), { minLength: 20, maxLength: 20 }),
  })
  .map((g) => build(g));

function build(g: {
  accounts: AccountSeed[];
  destinations: GenDestination[];
  defaultSandbox: string | undefined;
  omitDefaultSandbox: boolean;
  fileCount: number;
  placement: number[];
}): GenRepo {
  const env: Record<string, string> = {};
  const files: Record<string, string> = {};
  let refs = 0;
  const write = (how: string, value: string): Value => {
    if (how === 'plain') return { plain: value };
    const id = refs++;
    if (how === 'env') {
      env[`FS_PROP_${id}`] = value;
      return { env: `FS_PROP_${id}` };
    }
    files[`secrets/${id}.txt`] = `${value}\n`;
    return { file: `secrets/${id}.txt` };
  };
  const accounts: GenAccount[] = g.accounts.map((a) => {
    const params: Record<string, [string, string]> =
      a.type === 'amazon-kinesis' ? { accessKeyId: a.accessKeyId, secretKey: a.secretKey, region: a.region } : { sasKeyName: a.sasKeyName, sasKey: a.sasKey, namespace: a.namespace };
    const auth: Record<string, Value> = {};
    const values: Record<string, string> = {};
    for (const [k, [how, v]] of Object.entries(params)) {
      auth[k] = write(how, v);
      values[k] = v;
    }
    return { sandbox: a.sandbox, name: a.name, type: a.type, description: a.description, auth, values };
  });
  const defaultSandbox = g.defaultSandbox ?? 'prod';
  const seen = new Set<string>();
  const destinations = g.destinations.filter((d) => {
    const acc = accounts[d.accountIndex % accounts.length]!;
    const key = `${acc.sandbox}/${d.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  // Documents, spread over files in a random but reproducible way.
  const docs: { obj: object; kind: 'a' | 'd'; index: number }[] = [
    ...accounts.map((a, index) => ({ obj: accountDoc(a, a.sandbox === defaultSandbox && g.omitDefaultSandbox), kind: 'a' as const, index })),
    ...destinations.map((d, index) => {
      const acc = accounts[d.accountIndex % accounts.length]!;
      return { obj: destinationDoc(d, acc, acc.sandbox === defaultSandbox && g.omitDefaultSandbox), kind: 'd' as const, index };
    }),
  ];
  const fileNames = ['a.yaml', 'm/b.yml', 'm/n/c.yaml', 'z.yaml'].slice(0, g.fileCount);
  const byFile = new Map<string, typeof docs>();
  docs.forEach((doc, i) => {
    const f = fileNames[(g.placement[i % g.placement.length] ?? 0) % fileNames.length]!;
    byFile.set(f, [...(byFile.get(f) ?? []), doc]);
  });
  const sources = new Map<string, { file: string; line: number }>();
  for (const [file, list] of byFile) {
    let line = 1;
    const chunks: string[] = [];
    for (const doc of list) {
      const chunk = stringify(doc.obj, { lineWidth: 0 });
      sources.set(`${doc.kind}${doc.index}`, { file, line });
      chunks.push(chunk);
      line += chunk.split('\n').length - 1 + 1; // the chunk's lines plus the '---'
    }
    files[file] = chunks.join('---\n');
  }
  if (g.defaultSandbox) files['flowsync.yaml'] = stringify({ apiVersion: 'flowsync/v1', kind: 'Config', sandbox: g.defaultSandbox });

  const expectedAccounts: DesiredAccount[] = accounts.map((a, i) => {
    const secretParams = a.type === 'amazon-kinesis' ? ['secretKey'] : ['sasKey'];
    const authParams = Object.fromEntries(Object.entries(a.values).filter(([k]) => !secretParams.includes(k)));
    return {
      name: a.name,
      sandbox: a.sandbox,
      type: a.type,
      description: a.description ?? '',
      authParams,
      secretParams,
      credentialFingerprint: credentialFingerprint(a.values, { sandbox: a.sandbox, account: a.name }),
      source: { ...sources.get(`a${i}`)!, column: 1 },
    };
  });
  const expectedDestinations: DesiredDestination[] = destinations.map((d, i) => {
    const acc = accounts[d.accountIndex % accounts.length]!;
    const target: Record<string, string | boolean> =
      acc.type === 'amazon-kinesis' ? { stream: d.stream, region: d.region ?? ('plain' in acc.auth.region! ? acc.values.region! : defaultRegion(d)) } : { eventHubName: d.eventHubName };
    if (d.includeSegmentNames !== undefined) target.includeSegmentNames = d.includeSegmentNames;
    return {
      name: d.name,
      sandbox: acc.sandbox,
      account: acc.name,
      type: acc.type,
      description: d.description ?? '',
      target: Object.fromEntries(Object.entries(target).sort(([a], [b]) => byCodepoint(a, b))),
      format: 'json',
      enabled: d.enabled ?? true,
      drift: d.drift ?? 'heal',
      segments: d.segments.map((s) => (s.name === undefined ? { id: s.id.toLowerCase() } : { id: s.id.toLowerCase(), name: s.name })).sort((a, b) => byCodepoint(a.id, b.id)),
      profileAttributes: [...d.profileAttributes].sort(byCodepoint),
      source: { ...sources.get(`d${i}`)!, column: 1 },
    };
  });
  const byKey = <T extends { sandbox: string; name: string }>(a: T, b: T) => byCodepoint(a.sandbox, b.sandbox) || byCodepoint(a.name, b.name);
  return {
    files,
    env,
    expected: {
      accounts: expectedAccounts.sort(byKey),
      destinations: expectedDestinations.sort(byKey),
      sandboxes: [...new Set([defaultSandbox, ...accounts.map((a) => a.sandbox)])].sort(),
    },
  };
}

/** A Kinesis destination whose account's region is a reference must name its own region. */
function defaultRegion(_d: GenDestination): string {
  return 'us-east-1';
}

function ref(v: Value): unknown {
  return 'plain' in v ? v.plain : 'env' in v ? { fromEnv: v.env } : { fromFile: v.file };
}

function accountDoc(a: GenAccount, omitSandbox: boolean): object {
  return {
    apiVersion: 'flowsync/v1',
    kind: 'DestinationAccount',
    metadata: omitSandbox ? { name: a.name } : { name: a.name, sandbox: a.sandbox },
    spec: { type: a.type, ...(a.description !== undefined ? { description: a.description } : {}), auth: Object.fromEntries(Object.entries(a.auth).map(([k, v]) => [k, ref(v)])) },
  };
}

function destinationDoc(d: GenDestination, acc: GenAccount, omitSandbox: boolean): object {
  const target: Record<string, unknown> = acc.type === 'amazon-kinesis' ? { stream: d.stream } : { eventHubName: d.eventHubName };
  if (acc.type === 'amazon-kinesis') {
    if (d.region !== undefined) target.region = d.region;
    else if (!('plain' in acc.auth.region!)) target.region = defaultRegion(d);
  }
  if (d.includeSegmentNames !== undefined) target.includeSegmentNames = d.includeSegmentNames;
  const spec: Record<string, unknown> = { account: acc.name };
  if (d.description !== undefined) spec.description = d.description;
  spec.target = target;
  if (d.format !== undefined) spec.format = d.format;
  if (d.enabled !== undefined) spec.enabled = d.enabled;
  if (d.drift !== undefined) spec.drift = d.drift;
  if (d.segments.length) spec.segments = d.segments.map((s) => ({ id: s.upper ? s.id.toUpperCase() : s.id, ...(s.name !== undefined ? { name: s.name } : {}) }));
  if (d.profileAttributes.length) spec.profileAttributes = d.profileAttributes;
  return { apiVersion: 'flowsync/v1', kind: 'StreamingDestination', metadata: omitSandbox ? { name: d.name } : { name: d.name, sandbox: acc.sandbox }, spec };
}
