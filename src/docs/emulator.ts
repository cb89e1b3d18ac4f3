// docs/reference/emulator.md: the emulator's routes (src/emulator/routes.ts), its fault settings
// (the FaultConfig type and DEFAULT_FAULTS), its catalog of specs and its built-in clients. The
// prose of where it differs from Adobe stays hand-written in docs/emulator.md.
import type { Route } from '../emulator/routes.ts';
import type { DestinationTypeSpec } from '../domain/specs.ts';
import type { TypeField } from './ts-interface.ts';
import { code, page, table } from './markdown.ts';

export interface EmulatorFacts {
  routes: readonly Route[];
  faultFields: readonly TypeField[];
  faultDefaults: Record<string, unknown>;
  destinationSpecs: readonly DestinationTypeSpec[];
  profileStoreSpecId: string;
  flowSpecId: string;
  clients: Readonly<Record<string, string>>;
  sandboxes: readonly string[];
}

function defaultOf(defaults: Record<string, unknown>, path: string): string {
  if (path.includes('.')) return '';
  return path in defaults ? code(JSON.stringify(defaults[path])) : '';
}

export function renderEmulatorReference(f: EmulatorFacts): string {
  return page(
    'Emulator reference',
    [
      `\`flowsync emulator\` (and \`npm start\`) runs a local stand-in for the AEP APIs flowsync calls, on 127.0.0.1:4010 by default. Its flags are in the [CLI reference](cli.md#flowsync-emulator); where it differs from Adobe's API, and why, is in [the emulator page](../emulator.md).`,
    ],
    [
      `## Routes\n\n${table(['Method', 'Path', 'What it does'], f.routes.map((r) => [r.method, code(r.path), r.what]))}`,
      `## Clients and sandboxes\n\nEvery org has the sandboxes ${f.sandboxes.map(code).join(', ')} by default (\`--sandboxes\` replaces all but prod; \`POST /__emulator/sandboxes\` adds one). The built-in API clients and their orgs (any client secret is accepted for them; add more with \`POST /__emulator/clients\`):\n\n${table(['Client id', 'Org'], Object.entries(f.clients).map(([c, o]) => [code(c), code(o)]))}`,
      `## Catalog\n\n${table(['Destination type', 'Connection spec id', 'Auth params (secret ones masked on read)', 'Target params (optional ones in brackets)'], f.destinationSpecs.map((s) => [
        `${s.displayName} (${code(s.type)})`,
        code(s.specId),
        s.authParams.map((p) => (s.secretParams.includes(p) ? `${p} (secret)` : p)).join(', '),
        [...s.targetParams, ...s.optionalTargetParams.map((p) => `[${p}]`)].join(', '),
      ]))}\n\nProfile Store source spec: ${code(f.profileStoreSpecId)}. Streaming flow spec: ${code(f.flowSpecId)}.`,
      `## Faults\n\nOff by default. Set them at start with the fault flags of \`flowsync emulator\`, or at runtime with \`PUT /__emulator/faults\` and a JSON object of these fields (merged over the current settings; a one-shot rule list may be given as one rule):\n\n${table(['Field', 'Type', 'Default', 'What it does'], f.faultFields.map((x) => [code(x.path), x.type, defaultOf(f.faultDefaults, x.path), x.doc]))}`,
    ],
  );
}
