// Error answers in the shapes the real gateway and Flow Service use (../shared/reference/flow-service-api.md §10).
// Handlers throw ApiError; the server turns it into the HTTP answer.

export class ApiError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body.message ?? body.errorMessage ?? body.title ?? status));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const MESSAGE_FIELDS = ['message', 'errorMessage', 'errorDetails', 'error_description', 'detail'];

/** The faults' echoRequest: the same error with `echo` (what the request carried) appended to every message field. */
export function withEcho(err: ApiError, echo: string): ApiError {
  const body: Record<string, unknown> = { ...err.body };
  for (const k of MESSAGE_FIELDS) if (typeof body[k] === 'string') body[k] = `${body[k] as string}; request was: ${echo}`;
  const report = body.report;
  if (report && typeof report === 'object') {
    const r = report as Record<string, unknown>;
    body.report = { ...r, 'detailed-message': `${String(r['detailed-message'] ?? '')}; request was: ${echo}` };
  }
  if (!MESSAGE_FIELDS.some((k) => k in body) && !report) body.message = `request was: ${echo}`;
  return new ApiError(err.status, body, err.headers);
}

/** Gateway shape: `{error_code, message}` (auth, api key, org header, throttling). */
export function gatewayError(status: number, errorCode: string, message: string, headers: Record<string, string> = {}): ApiError {
  return new ApiError(status, { error_code: errorCode, message }, headers);
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Resource not found',
  412: 'Precondition failed',
  422: 'Unprocessable entity',
  500: 'Internal error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/**
 * Current Flow Service shape (problem details plus the legacy errorMessage/errorDetails pair), e.g.
 * `{type:".../FLOW-1439-404", title, status, report:{detailed-message, ...}, errorMessage, errorDetails}`.
 * `code` is the catalogue number without the status (e.g. '1439').
 */
export function flowError(status: number, code: string, message: string, report: Record<string, unknown> = {}, title?: string): ApiError {
  return new ApiError(status, {
    type: `https://ns.adobe.com/aep/errors/FLOW-${code}-${status}`,
    title: title ?? TITLES[status] ?? 'Error',
    status,
    report: { 'detailed-message': message, ...report },
    errorMessage: message,
    errorDetails: message,
  });
}

export function notFound(collection: string, id: string): ApiError {
  return flowError(404, '1439', `${collection} not found with id = [${id}]`, { id, type: collection });
}

/** 2100-404 / 2101-404, titled "Sandbox not found" as in the catalogue (help/sources/errors/flow-service-errors.md). */
export function sandboxNotFound(code: '2100' | '2101', sandbox: string, message: string): ApiError {
  return flowError(404, code, message, { sandbox }, 'Sandbox not found');
}

export function badRequest(code: string, message: string, report: Record<string, unknown> = {}): ApiError {
  return flowError(400, code, message, report);
}

/** The documented 412 body; `sent` and `current` are etags as the client sent / the store holds them. */
export function staleEtag(sent: string, current: string): ApiError {
  const quote = (s: string) => (s.startsWith('"') ? s : `"${s}"`);
  const message = `Supplied version=[${quote(sent)}] does not match the current version on entity=[${quote(current)}]`;
  return flowError(412, '1404', message);
}

export function invalidSpecId(): ApiError {
  return new ApiError(400, { message: 'Please provide a valid spec id' });
}

export function contentTypeError(): ApiError {
  return new ApiError(400, { type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' });
}
