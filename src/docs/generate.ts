// Every generated page of docs/reference/, by path relative to the repository root. Reads the
// registries and schemas; writes nothing (cmd/docs.ts writes or compares).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../cli/registry.ts';
import { DaemonMetrics } from '../daemon/metrics.ts';
import { CONDITIONS } from '../daemon/types.ts';
import { DIAGNOSTIC_CODES } from '../domain/diagnostics.ts';
import { ERRORS } from '../domain/errors.ts';
import { DESTINATION_TYPE_SPECS, PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID } from '../domain/specs.ts';
import { DEFAULT_CLIENTS, DEFAULT_FAULTS, DEFAULT_SANDBOXES } from '../emulator/index.ts';
import { ROUTES } from '../emulator/routes.ts';
import { renderCliReference } from './cli.ts';
import { renderEmulatorReference } from './emulator.ts';
import { renderErrorsReference } from './errors.ts';
import { page } from './markdown.ts';
import { renderMetricsReference } from './metrics.ts';
import { schemaSection } from './schema.ts';
import { renderStatusReference } from './status.ts';
import { createTypeReader } from './ts-interface.ts';

export const REFERENCE_DIR = 'docs/reference';

function schema(root: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;
}

const INDEX = page('Reference', ['Generated from the code by `npm run docs`; `npm run docs:check` (part of `npm test`) fails when a page here is stale.'], [
  [
    '- [CLI](cli.md): every command, flag and exit code',
    '- [Manifests](manifests.md): `DestinationAccount` and `StreamingDestination`, field by field',
    '- [flowsync.yaml](config.md): the config file, field by field',
    '- [Metrics](metrics.md): what the daemon exports at `/metrics`',
    '- [/status](status.md): the daemon\'s status document, and `flowsync status --output json`',
    '- [Error codes](errors.md): every code and the hint printed with it',
    '- [Emulator](emulator.md): routes, clients, catalog and faults',
  ].join('\n'),
]);

export function generateReference(root: string): Map<string, string> {
  const statusFile = path.join(root, 'src/daemon/status-store.ts');
  const faultsFile = path.join(root, 'src/emulator/types.ts');
  const readType = createTypeReader([statusFile, faultsFile]);
  const pages = new Map<string, string>();
  const add = (name: string, text: string) => pages.set(`${REFERENCE_DIR}/${name}`, text);
  add('README.md', INDEX);
  add('cli.md', renderCliReference(COMMANDS));
  add('manifests.md', page('Manifest reference', ['Each manifest is a YAML document with `apiVersion: flowsync/v1`, a `kind`, `metadata` and `spec`. A file may hold several documents separated by `---`. Add `# yaml-language-server: $schema=…` at the top of a file for completion in editors.'], [
    schemaSection(schema(root, 'schemas/account.schema.json'), 'schemas/account.schema.json', 'DestinationAccount'),
    schemaSection(schema(root, 'schemas/destination.schema.json'), 'schemas/destination.schema.json', 'StreamingDestination'),
  ]));
  add('config.md', page('flowsync.yaml reference', ['The config file at the root of a config repo. It is optional: without it the defaults below apply.'], [
    schemaSection(schema(root, 'schemas/config.schema.json'), 'schemas/config.schema.json', 'Config'),
  ]));
  add('metrics.md', renderMetricsReference(new DaemonMetrics({ processMetrics: false }).registry));
  const statusSchema = 'schemas/status.schema.json';
  const commandStatus = existsSync(path.join(root, statusSchema)) ? schemaSection(schema(root, statusSchema), statusSchema, '`flowsync status --output json`') : undefined;
  add('status.md', renderStatusReference(readType(statusFile, 'StatusDocument'), CONDITIONS, commandStatus));
  add('errors.md', renderErrorsReference(ERRORS, DIAGNOSTIC_CODES));
  add('emulator.md', renderEmulatorReference({
    routes: ROUTES,
    faultFields: readType(faultsFile, 'FaultConfig'),
    faultDefaults: { ...DEFAULT_FAULTS },
    destinationSpecs: Object.values(DESTINATION_TYPE_SPECS),
    profileStoreSpecId: PROFILE_STORE_SPEC_ID,
    flowSpecId: STREAMING_FLOW_SPEC_ID,
    clients: DEFAULT_CLIENTS,
    sandboxes: DEFAULT_SANDBOXES,
  }));
  return pages;
}
