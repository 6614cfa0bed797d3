/**
 * Every failure the API reports is an ApiError: HTTP status plus OpenAI's
 * `{"error":{"message","type","param","code"}}`. One middleware writes it (server/errors.ts).
 */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const errors = {
  invalidRequest: (message: string, param: string | null = null, code: string | null = null) =>
    new ApiError(400, 'invalid_request_error', message, code, param),
  notFound: (message: string, code = 'not_found') => new ApiError(404, 'invalid_request_error', message, code),
  modelNotFound: (model: string, detail?: string) =>
    new ApiError(
      404,
      'invalid_request_error',
      `The model '${model}' does not exist or you do not have access to it.${detail ? ` Claude Code said: ${detail}` : ''}`,
      'model_not_found',
      'model',
    ),
  methodNotAllowed: (method: string, path: string, allowed: string[]) =>
    new ApiError(
      405,
      'invalid_request_error',
      `Method ${method} is not allowed on ${path}; use ${allowed.join(', ')}.`,
      'method_not_allowed',
      null,
      {
        Allow: allowed.join(', '),
      },
    ),
  payloadTooLarge: (message: string) => new ApiError(413, 'invalid_request_error', message, 'request_too_large'),
  authentication: (message: string) => new ApiError(401, 'authentication_error', message, 'cli_not_authenticated'),
  usageRefused: (message: string) => new ApiError(403, 'permission_error', message, 'cli_usage_refused'),
  rateLimited: (message: string, retryAfterSeconds?: number) =>
    new ApiError(
      429,
      'rate_limit_error',
      message,
      'rate_limit_exceeded',
      null,
      retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {},
    ),
  queueFull: (retryAfterSeconds: number) =>
    new ApiError(
      429,
      'rate_limit_error',
      'CLI2API is busy: every Claude CLI slot is in use and the queue is full. Retry shortly, or raise maxConcurrent / maxQueue.',
      'queue_full',
      null,
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  overloaded: (message: string) => new ApiError(503, 'server_error', message, 'overloaded'),
  cliUnavailable: (message: string) => new ApiError(503, 'server_error', message, 'cli_not_found'),
  upstream: (message: string) => new ApiError(502, 'server_error', message, 'upstream_error'),
  timeout: (message: string) => new ApiError(504, 'server_error', message, 'timeout'),
  internal: (message: string) => new ApiError(500, 'server_error', message, 'internal_error'),
};
