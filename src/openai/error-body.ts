/** An ApiError in OpenAI's shape: `{"error":{"message","type","param","code"}}`, the type derived from the status. */
import type { ApiError } from '../core/api-error';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openaiErrorBody(e: ApiError): OpenAIErrorBody {
  return { error: { message: e.message, type: openaiErrorType(e), param: e.param, code: e.code } };
}

/** The `type` OpenAI's SDKs and clients read; OpenAI reports a bad key as an invalid request. */
export function openaiErrorType(e: Pick<ApiError, 'status' | 'code'>): string {
  if (e.status === 401) return e.code === 'invalid_api_key' ? 'invalid_request_error' : 'authentication_error';
  if (e.status === 403) return 'permission_error';
  if (e.status === 429) return 'rate_limit_error';
  return e.status < 500 ? 'invalid_request_error' : 'server_error';
}
