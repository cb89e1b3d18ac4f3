// One registry of coded errors (FS_<AREA>_<WHAT>), each with a hint that says how to fix it.
// docs/errors.md lists every code; test/unit/errors.test.ts keeps the two in step.
// Add a code here first, then throw it with `new FlowsyncError(code, message, { cause, details })`.

export const ERRORS = {
  FS_CLI_USAGE: 'Run `flowsync --help` or `flowsync <command> --help` for the accepted flags.',
  FS_CLI_UNKNOWN_COMMAND: 'Run `flowsync --help` to list the commands.',
  FS_CONFIG_INVALID: 'Fix flowsync.yaml at the position shown; `flowsync validate` checks it with the manifests.',
  FS_CONFIG_NOT_FOUND: 'Run the command from a config repo root, or pass --dir (flowsync.yaml is optional; defaults apply without it).',
  FS_API_AUTH: 'Check the client id and secret (or access token) and that the API project has the AEP product profile.',
  FS_API_REQUEST: 'The Flow Service API refused the request; the message says which entity and why.',
  FS_API_UNAVAILABLE: 'The API did not answer after retries; check the endpoint and network, then run again.',
  FS_API_BUDGET: 'The request budget or circuit breaker stopped further calls; wait and run again, or raise the budget.',
  FS_API_NOT_FOUND: 'The entity no longer exists; run `flowsync plan` again to see the current state.',
  FS_API_PRECONDITION: 'Someone changed the entity since it was read (etag mismatch); run `flowsync plan` again.',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERRORS;

export class FlowsyncError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowsyncError';
    this.code = code;
    this.hint = options.hint ?? ERRORS[code];
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...(this.details ? { details: this.details } : {}) };
  }
}

export function isFlowsyncError(err: unknown, code?: ErrorCode): err is FlowsyncError {
  return err instanceof FlowsyncError && (code === undefined || err.code === code);
}
