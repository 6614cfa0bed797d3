/**
 * The one place errors become responses: ApiErrors keep their status and body; body-parser
 * and router errors (malformed JSON, too large, unknown route, wrong method) get OpenAI's
 * shape too; anything unexpected is a logged 500 and the server carries on.
 */
import type { Context, Next } from 'koa';
import { ApiError, errors } from '../openai/errors';
import type { Logger } from '../util/logger';
import { ClientGoneError } from './request-signal';

export function errorMiddleware(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.respond === false) return;
      if (ctx.status === 405)
        throw errors.methodNotAllowed(ctx.method, ctx.path, String(ctx.response.get('Allow') || 'GET').split(/,\s*/));
      if (ctx.status === 404 && ctx.body === undefined) throw notFound(ctx);
    } catch (err) {
      if (ctx.respond === false || ctx.headerSent) {
        if (!(err instanceof ClientGoneError)) logger.error(err instanceof Error ? err : String(err));
        return;
      }
      const apiError = toApiError(err, logger);
      ctx.status = apiError.status;
      ctx.set(apiError.headers);
      ctx.body = apiError.toBody();
    }
  };
}

export function toApiError(err: unknown, logger: Logger): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ClientGoneError)
    return new ApiError(499, 'invalid_request_error', err.message, 'client_closed_request');
  const e = err as { status?: number; type?: string; message?: string; expose?: boolean };
  if (e?.type === 'entity.too.large' || e?.status === 413) {
    return errors.payloadTooLarge(`Request body too large: ${e.message ?? 'over the limit'}.`);
  }
  if (e?.type === 'entity.parse.failed' || (e?.status === 400 && /json/i.test(e.message ?? ''))) {
    return errors.invalidRequest(
      `We could not parse the JSON body of your request: ${e.message ?? 'invalid JSON'}.`,
      null,
      'invalid_json',
    );
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new ApiError(e.status, 'invalid_request_error', e.message ?? 'Bad request', null);
  }
  logger.error(err instanceof Error ? err : String(err));
  return errors.internal('CLI2API hit an internal error handling this request; it has been logged.');
}

function notFound(ctx: Context): ApiError {
  const unsupported =
    /^\/v1\/(embeddings|completions|images|audio|moderations|files|fine_tuning|batches|assistants|threads|vector_stores|realtime)\b/.exec(
      ctx.path,
    );
  if (unsupported) {
    return errors.notFound(
      `CLI2API does not serve ${ctx.path}: it exposes Claude through the Claude Code CLI, which only generates chat responses. ` +
        'Supported: /v1/chat/completions, /v1/responses, /v1/models.',
      'unsupported_endpoint',
    );
  }
  return errors.notFound(
    `Unknown route ${ctx.method} ${ctx.path}. See GET / for the endpoints CLI2API serves.`,
    'unknown_url',
  );
}
