// Public surface of the Flow Service client.
export { FlowServiceClient, quoteEtag } from './client.ts';
export type { ConnectionSpec, EntityCollection, FlowSpec, ListQuery, PatchOperation, WriteOptions, WriteResult } from './client.ts';
export { ApiError, isApiError, parseErrorBody } from './errors.ts';
export { clientOptionsFromEnv, flowServiceBase, DEFAULT_ENDPOINT, DEFAULT_IMS_ENDPOINT, DEFAULT_SCOPE } from './options.ts';
export type { ClientEvent, FlowServiceClientOptions, RetryReason } from './options.ts';
export { RatePacer, type PacerOptions } from './pacer.ts';
export type { Found, WriteGuard } from './transport.ts';
export { SandboxListError, isSandboxListUnavailable } from './sandboxes.ts';
export { DEFAULT_BREAKER } from './limits.ts';
