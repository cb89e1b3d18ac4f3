// The Flow Service catalog IDs flowsync works with (../shared/reference/flow-service-api.md §7).
import type { DestinationType } from './model.ts';

export const PROFILE_STORE_SPEC_ID = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';
export const STREAMING_FLOW_SPEC_ID = '71471eba-b620-49e4-90fd-23f1fa0174d8';

export interface DestinationTypeSpec {
  type: DestinationType;
  specId: string;
  displayName: string;
  authSpecName: string;
  authParams: readonly string[];
  secretParams: readonly string[];
  targetParams: readonly string[]; // required target params
  optionalTargetParams: readonly string[];
}

export const DESTINATION_TYPE_SPECS: Record<DestinationType, DestinationTypeSpec> = {
  'amazon-kinesis': {
    type: 'amazon-kinesis',
    specId: '86043421-563b-46ec-8e6c-e23184711bf6',
    displayName: 'Amazon Kinesis',
    authSpecName: 'Aws Kinesis authentication credentials',
    authParams: ['accessKeyId', 'secretKey', 'region'],
    secretParams: ['secretKey'],
    targetParams: ['stream', 'region'],
    optionalTargetParams: ['includeSegmentNames', 'includeSegmentTimestamps'],
  },
  'azure-event-hubs': {
    type: 'azure-event-hubs',
    specId: 'bf9f5905-92b7-48bf-bf20-455bc6b60a4e',
    displayName: 'Azure Event Hubs',
    authSpecName: 'Azure EventHub authentication credentials',
    authParams: ['sasKeyName', 'sasKey', 'namespace'],
    secretParams: ['sasKey'],
    targetParams: ['eventHubName'],
    optionalTargetParams: ['includeSegmentNames', 'includeSegmentTimestamps'],
  },
};

export function typeForSpecId(specId: string): DestinationType | undefined {
  for (const spec of Object.values(DESTINATION_TYPE_SPECS)) if (spec.specId === specId) return spec.type;
  return undefined;
}
