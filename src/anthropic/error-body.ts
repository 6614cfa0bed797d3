/** An ApiError in Anthropic's shape: `{"type":"error","error":{"type","message"}}`. */
import type { ApiError } from '../core/api-error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

export function anthropicErrorBody(e: ApiError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(e.status), message: e.message } };
}

/** ApiError statuses → the error types Anthropic's SDKs and Claude Code know. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}
