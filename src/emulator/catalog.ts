// The catalog the emulator serves: connection specs (Kinesis, Event Hubs, Profile Store) and the streaming
// destination flow spec. IDs and param names come from src/domain/specs.ts; each auth and target spec is a
// JSON Schema, as in the real catalog, and the emulator validates request bodies against it.
// Where each param comes from (Adobe's streaming destination API tutorial and the Kinesis and Event
// Hubs catalog pages) and which parts are guesses: docs/emulator.md, "Emulator catalog: where each param comes from".
import { DESTINATION_TYPE_SPECS, PROFILE_STORE_SPEC_ID, STREAMING_FLOW_SPEC_ID, type DestinationTypeSpec } from '../domain/specs.ts';

export const DESTINATION_PROVIDER_ID = '521eee4d-8cbe-4906-bb48-fb6bd4450033';
export const PROFILE_PROVIDER_ID = '0ed90a81-07f4-4586-8190-b40eccef1c5a';

const OPTIONAL_BOOLEAN = { type: ['boolean', 'string'], enum: [true, false, 'true', 'false'] };

const AUTH_PARAM_SCHEMAS: Record<string, Record<string, unknown>> = {
  accessKeyId: { type: 'string', minLength: 1, description: 'AWS access key ID' },
  secretKey: { type: 'string', minLength: 1, format: 'password', description: 'AWS secret access key' },
  // The docs say only "region"; the pattern (an AWS region's shape) is a guess.
  region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', description: 'AWS region, e.g. us-east-1' },
  sasKeyName: { type: 'string', minLength: 1, description: 'Name of the shared access policy' },
  sasKey: { type: 'string', minLength: 1, format: 'password', description: 'Primary key of the shared access policy' },
  namespace: { type: 'string', minLength: 1, description: 'Event Hubs namespace' },
};

const TARGET_PARAM_SCHEMAS: Record<string, Record<string, unknown>> = {
  stream: { type: 'string', minLength: 1, description: 'Name of an existing Kinesis data stream' },
  region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', description: 'AWS region of the stream' },
  eventHubName: { type: 'string', minLength: 1, description: 'Name of the event hub' },
  // UI toggles in the Kinesis and Event Hubs catalog pages; their API key, place and type are a guess.
  includeSegmentNames: { ...OPTIONAL_BOOLEAN, description: 'Include Segment Names' },
  includeSegmentTimestamps: { ...OPTIONAL_BOOLEAN, description: 'Include Segment Timestamps' },
};

function objectSchema(description: string, required: readonly string[], optional: readonly string[], defs: Record<string, Record<string, unknown>>) {
  const properties: Record<string, unknown> = {};
  for (const name of [...required, ...optional]) properties[name] = defs[name];
  return { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', description, properties, required: [...required] };
}

function destinationSpec(spec: DestinationTypeSpec) {
  return {
    id: spec.specId,
    name: spec.displayName,
    providerId: DESTINATION_PROVIDER_ID,
    version: '1.0',
    authSpec: [
      {
        name: spec.authSpecName,
        type: spec.type === 'amazon-kinesis' ? 'AwsKinesisAuth' : 'AzureEventHubAuth',
        spec: objectSchema(`${spec.displayName} credentials`, spec.authParams, [], AUTH_PARAM_SCHEMAS),
      },
    ],
    targetSpec: {
      name: `${spec.displayName} target`,
      type: 'Streaming',
      // Closed: a param the spec does not list (a typo such as `streem`) is refused, as the UI's form
      // would never send one. Adobe does not publish this schema; the choice is the emulator's (docs/emulator.md).
      spec: { ...objectSchema(`${spec.displayName} destination details`, spec.targetParams, spec.optionalTargetParams, TARGET_PARAM_SCHEMAS), additionalProperties: false },
    },
    attributes: { category: 'streaming', isDestination: true, isSource: true },
    permissionsInfo: { view: [{ '@type': 'lowLevel', name: 'Destination', permissions: ['read'] }], manage: [{ '@type': 'lowLevel', name: 'Destination', permissions: ['write'] }] },
  };
}

const PROFILE_STORE_SPEC = {
  id: PROFILE_STORE_SPEC_ID,
  name: 'Profile Store',
  providerId: PROFILE_PROVIDER_ID,
  version: '1.0',
  authSpec: [],
  sourceSpec: {
    name: 'Profile Store source',
    type: 'ProfileFragments',
    spec: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', description: 'No parameters', properties: {} },
  },
  attributes: { category: 'profile', isSource: true },
  permissionsInfo: { view: [{ '@type': 'lowLevel', name: 'Profile', permissions: ['read'] }], manage: [] },
};

export const CONNECTION_SPECS: readonly Record<string, unknown>[] = [
  ...Object.values(DESTINATION_TYPE_SPECS).map(destinationSpec),
  PROFILE_STORE_SPEC,
];

export const FLOW_SPECS: readonly Record<string, unknown>[] = [
  {
    id: STREAMING_FLOW_SPEC_ID,
    name: 'Profile Based Destinations',
    providerId: DESTINATION_PROVIDER_ID,
    version: '1.0',
    sourceConnectionSpecIds: [PROFILE_STORE_SPEC_ID],
    targetConnectionSpecIds: Object.values(DESTINATION_TYPE_SPECS).map((s) => s.specId),
    transformationSpecs: [
      {
        name: 'GeneralTransform',
        spec: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: {
            profileSelectors: { type: 'object', properties: { selectors: { type: 'array', items: { type: 'object' } } } },
            segmentSelectors: { type: 'object', properties: { selectors: { type: 'array', items: { type: 'object' } } } },
          },
        },
      },
    ],
    attributes: { isDestinationFlow: true, frequency: 'streaming' },
    permissionsInfo: { view: [{ '@type': 'lowLevel', name: 'Destination', permissions: ['read'] }], manage: [{ '@type': 'lowLevel', name: 'Destination', permissions: ['write'] }] },
  },
];

export function connectionSpec(id: unknown): Record<string, unknown> | undefined {
  return CONNECTION_SPECS.find((s) => s.id === id);
}

export function flowSpec(id: unknown): Record<string, unknown> | undefined {
  return FLOW_SPECS.find((s) => s.id === id);
}

export const SECRET_AUTH_PARAMS: ReadonlySet<string> = new Set(Object.values(DESTINATION_TYPE_SPECS).flatMap((s) => s.secretParams));
