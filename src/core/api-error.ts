/**
 * Every failure the server reports is an ApiError: an HTTP status, a machine-readable code,
 * a message a person understands, the request field at fault and extra headers. It carries
 * no API's body: each API renders it in its own shape (openai/error-body.ts,
 * anthropic/error-body.ts), chosen in one place (server/errors.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const errors = {
  invalidRequest: (message: string, param: string | null = null, code: string | null = null) =>
    new ApiError(400, message, code, param),
  notFound: (message: string, code = 'not_found') => new ApiError(404, message, code),
  modelNotFound: (model: string, detail?: string) =>
    new ApiError(
      404,
      `The model '${model}' does not exist or you do not have access to it.${detail ? ` Claude Code said: ${detail}` : ''}`,
      'model_not_found',
      'model',
    ),
  methodNotAllowed: (method: string, path: string, allowed: string[]) =>
    new ApiError(
      405,
      `Method ${method} is not allowed on ${path}; use ${allowed.join(', ')}.`,
      'method_not_allowed',
      null,
      {
        Allow: allowed.join(', '),
      },
    ),
  payloadTooLarge: (message: string) => new ApiError(413, message, 'request_too_large'),
  authentication: (message: string) => new ApiError(401, message, 'cli_not_authenticated'),
  usageRefused: (message: string) => new ApiError(403, message, 'cli_usage_refused'),
  rateLimited: (message: string, retryAfterSeconds?: number) =>
    new ApiError(
      429,
      message,
      'rate_limit_exceeded',
      null,
      retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {},
    ),
  queueFull: (retryAfterSeconds: number) =>
    new ApiError(
      429,
      'CLI2API is busy: every Claude CLI slot is in use and the queue is full. Retry shortly, or raise maxConcurrent / maxQueue.',
      'queue_full',
      null,
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  overloaded: (message: string) => new ApiError(503, message, 'overloaded'),
  stopping: () =>
    new ApiError(
      503,
      'CLI2API is stopping: this request was not finished. Retry once the server runs again.',
      'server_stopping',
    ),
  notAccepting: () =>
    new ApiError(
      503,
      'CLI2API is stopping and takes no new requests. Retry: another instance, or this one once it runs again, will answer.',
      'server_stopping',
      null,
      { Connection: 'close' },
    ),
  storeUnavailable: (reason: string) =>
    new ApiError(
      503,
      `The shared Responses store (Redis/Valkey) cannot be reached: ${reason}. Retry shortly.`,
      'store_unavailable',
    ),
  cliUnavailable: (message: string) => new ApiError(503, message, 'cli_not_found'),
  upstream: (message: string) => new ApiError(502, message, 'upstream_error'),
  timeout: (message: string) => new ApiError(504, message, 'timeout'),
  internal: (message: string) => new ApiError(500, message, 'internal_error'),
};
