// `flowsync destinations`: the destination types the org's catalog offers (GET /connectionSpecs),
// with their auth and target parameters read from the specs' JSON Schemas, and whether flowsync
// manages that type.
import type { ConnectionSpec } from '../api/index.ts';
import { FlowsyncError } from '../domain/errors.ts';
import { DESTINATION_TYPE_SPECS } from '../domain/specs.ts';
import { oneOf, parseFlags } from './args.ts';
import type { Command, CommandIO } from './command.ts';
import { painter } from '../render/color.ts';
import { CONNECT_OPTIONS, CONNECT_USAGE, connectWithConfigOnly, useColor } from './common.ts';

const USAGE = `Usage: flowsync destinations [flags]

Lists the destination types available to the org (GET /connectionSpecs): name, connection spec
id, authentication spec with its parameters (secret ones marked), and target parameters, marking
those flowsync manages (Amazon Kinesis, Azure Event Hubs) with their manifest type.

Flags:
  --dir DIR           the config repo folder whose flowsync.yaml holds the connection settings
                      (default: the current folder; flowsync.yaml is optional)
  --all               also list connection specs that are not destinations (e.g. Profile Store)
  --output FORMAT     text (default) or json
${CONNECT_USAGE}
`;

export interface SpecParam {
  name: string;
  required: boolean;
  secret: boolean;
  type?: string;
  description?: string;
}

export interface DestinationTypeInfo {
  id: string;
  name: string;
  /** The manifest `spec.type` when flowsync manages this destination type. */
  flowsyncType?: string;
  isDestination: boolean;
  auth: { name: string; type?: string; params: SpecParam[] }[];
  target: SpecParam[];
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});

/** A JSON Schema object's properties as parameters; `format: password` (or a known secret name) marks a secret. */
function params(schema: unknown, knownSecrets: readonly string[]): SpecParam[] {
  const s = obj(schema);
  const required = new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === 'string') : []);
  return Object.entries(obj(s.properties)).map(([name, raw]) => {
    const p = obj(raw);
    const type = Array.isArray(p.type) ? p.type.join('|') : typeof p.type === 'string' ? p.type : undefined;
    const secret = p.format === 'password' || p.writeOnly === true || knownSecrets.includes(name);
    return { name, required: required.has(name), secret, ...(type ? { type } : {}), ...(typeof p.description === 'string' ? { description: p.description } : {}) };
  });
}

export function describeSpecs(specs: ConnectionSpec[]): DestinationTypeInfo[] {
  const supported = new Map(Object.values(DESTINATION_TYPE_SPECS).map((s) => [s.specId, s]));
  return specs
    .map((spec) => {
      const known = supported.get(spec.id);
      const attrs = obj(spec.attributes);
      const authSpecs = Array.isArray(spec.authSpec) ? spec.authSpec.map(obj) : [];
      const info: DestinationTypeInfo = {
        id: spec.id,
        name: typeof spec.name === 'string' ? spec.name : spec.id,
        isDestination: attrs.isDestination === true || attrs.isDestination === 'true' || obj(spec.targetSpec).spec !== undefined || !!known,
        auth: authSpecs.map((a) => ({ name: String(a.name ?? ''), ...(typeof a.type === 'string' ? { type: a.type } : {}), params: params(a.spec, known?.secretParams ?? []) })),
        target: params(obj(spec.targetSpec).spec, []),
      };
      if (known) info.flowsyncType = known.type;
      return info;
    })
    .sort((a, b) => Number(!a.flowsyncType) - Number(!b.flowsyncType) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function paramList(ps: SpecParam[]): string {
  if (ps.length === 0) return '(none)';
  return ps.map((p) => `${p.name}${p.required ? '' : '?'}${p.secret ? ' (secret)' : ''}`).join(', ');
}

export function renderDestinationsText(infos: DestinationTypeInfo[], color: boolean): string {
  const paint = painter(color);
  const bold = (s: string) => paint('bold', s);
  const green = (s: string) => paint('green', s);
  const lines: string[] = [];
  for (const i of infos) {
    lines.push(`${bold(i.name)}  ${i.id}`);
    lines.push(`  flowsync:  ${i.flowsyncType ? green(`supported (spec.type: ${i.flowsyncType})`) : 'not supported'}`);
    for (const a of i.auth) lines.push(`  auth:      ${a.name}: ${paramList(a.params)}`);
    if (i.auth.length === 0) lines.push('  auth:      (none)');
    lines.push(`  target:    ${paramList(i.target)}`);
    lines.push('');
  }
  const supported = infos.filter((i) => i.flowsyncType).length;
  lines.push(`${infos.length} destination type(s), ${supported} supported by flowsync. Parameters marked ? are optional.`);
  return `${lines.join('\n')}\n`;
}

export const destinationsCommand: Command = {
  name: 'destinations',
  summary: 'List the destination types of the org\'s catalog (/connectionSpecs)',
  usage: USAGE,
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags('destinations', argv, { dir: { type: 'string' }, all: { type: 'boolean' }, output: { type: 'string' }, ...CONNECT_OPTIONS });
    if (positionals.length > 0) throw new FlowsyncError('FS_CLI_USAGE', `destinations: unexpected argument ${positionals.join(' ')}`);
    const output = oneOf('destinations', 'output', values.output, ['text', 'json'] as const, 'text');
    // Only flowsync.yaml matters here: the manifests are not read.
    const connected = await connectWithConfigOnly(values, io);
    if (!connected) return 1;
    const { client } = connected;
    try {
      const infos = describeSpecs(await client.connectionSpecs()).filter((i) => values.all || i.isDestination);
      if (output === 'json') io.stdout.write(`${JSON.stringify({ formatVersion: 1, destinations: infos }, null, 2)}\n`);
      else io.stdout.write(renderDestinationsText(infos, useColor(io.stdout, io.env)));
      return 0;
    } finally {
      client.close();
    }
  },
};
