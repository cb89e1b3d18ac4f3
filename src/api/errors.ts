// Every error body the gateway and Flow Service send, parsed into one coded ApiError
// (../shared/reference/flow-service-api.md §10). Nothing from the request (body, headers,
// token) is copied into an error: only the API's own message, with known secrets scrubbed.
import { FlowsyncError, type ErrorCode } from '../domain/errors.ts';
import { redactSecrets } from '../domain/redact.ts';

export interface ApiErrorInfo {
  status: number; // 0 when no HTTP answer arrived
  adobeCode?: string;
  requestId?: string;
  entity?: string; // e.g. "flows/<id>" or "flows"
}

export class ApiError extends FlowsyncError {
  readonly status: number;
  readonly adobeCode: string | undefined;
  readonly requestId: string | undefined;
  readonly entity: string | undefined;

  constructor(code: ErrorCode, message: string, info: ApiErrorInfo, options: { hint?: string } = {}) {
    const details: Record<string, unknown> = { status: info.status };
    if (info.adobeCode) details.adobeCode = info.adobeCode;
    if (info.requestId) details.requestId = info.requestId;
    if (info.entity) details.entity = info.entity;
    super(code, message, { details, ...(options.hint ? { hint: options.hint } : {}) });
    this.name = 'ApiError';
    this.status = info.status;
    this.adobeCode = info.adobeCode;
    this.requestId = info.requestId;
    this.entity = info.entity;
  }
}

export function isApiError(err: unknown, code?: ErrorCode): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

/** The error code for an HTTP status that will not be retried. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 412) return 'FS_API_PRECONDITION';
  if (status === 404) return 'FS_API_NOT_FOUND';
  if (status === 401 || status === 403) return 'FS_API_AUTH';
  if (status >= 400 && status < 500) return 'FS_API_REQUEST';
  return 'FS_API_UNAVAILABLE';
}

export interface ParsedErrorBody {
  message?: string;
  adobeCode?: string;
  requestId?: string;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;

/**
 * Reads any documented error shape: gateway `{error_code, message}`, legacy `{errorMessage,
 * errorDetails}`, problem details with `report`, `{type, status, title, detail}`, `{message}`,
 * IMS `{error, error_description}`. Unknown shapes give an empty result; the caller falls back to
 * the HTTP status text.
 */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  if (typeof body === 'string') return body.trim() ? { message: body.trim().slice(0, 300) } : {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const b = body as Record<string, unknown>;
  const report = b.report && typeof b.report === 'object' ? (b.report as Record<string, unknown>) : {};
  const message =
    str(report['detailed-message']) ??
    str(b.errorMessage) ??
    str(b.message) ??
    str(b.detail) ??
    str(b.error_description) ??
    str(b.title) ??
    str(b.error);
  const typeCode = /([A-Z]+-)?(\d{3,4}-\d{3})$/.exec(str(b.type) ?? '');
  const adobeCode = str(b.error_code) ?? str(b.code) ?? (typeCode ? typeCode[2] : undefined) ?? (b.error && b.error_description ? str(b.error) : undefined);
  const requestId = str(report['request-id']) ?? str(b['request-id']) ?? str(b.requestId);
  return {
    ...(message ? { message } : {}),
    ...(adobeCode ? { adobeCode } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

/**
 * Replaces every occurrence of the given secret values (and every secret flowsync knows, and
 * form-encoded credentials such as `client_secret=…`) with "***". Values shorter than 4 chars are left alone.
 */
export function scrub(text: string, secrets: Iterable<string | undefined>): string {
  return redactSecrets(text, secrets);
}
