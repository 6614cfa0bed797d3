/**
 * The one place errors become responses. Every error — from a route, the body parser, the
 * security checks or the router (unknown route, wrong method) — becomes an ApiError, and
 * the API the path belongs to renders it in its own shape: Anthropic's under /v1/messages,
 * OpenAI's everywhere else. Anything unexpected is a logged 500 and the server carries on.
 */
import type { Context, Next } from 'koa';
import { anthropicErrorBody } from '../anthropic/error-body';
import { ApiError, errors } from '../core/api-error';
import { openaiErrorBody } from '../openai/error-body';
import type { Logger } from '../util/logger';
import type { RequestState } from './context';
import { ClientGoneError } from './request-signal';
import { bodyUnread, discardBound, discardUnreadBody } from './unread-body';

export type ErrorBody = (e: ApiError) => unknown;

/** The error shape of the API that `path` belongs to (matched as the router matches: any case). */
export function errorBodyFor(path: string): ErrorBody {
  return /^\/v1\/messages(\/|$)/i.test(path) ? anthropicErrorBody : openaiErrorBody;
}

/** `maxBodyMb` bounds how much of an unread body is thrown away before an early error answer. */
export function errorMiddleware(logger: Logger, maxBodyMb: () => number) {
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
      (ctx.state as RequestState).errorCode = apiError.code ?? undefined;
      if (bodyUnread(ctx.req)) {
        // Answered while the client still writes: take the rest first, so it reads the answer, then close.
        ctx.set('Connection', 'close');
        await discardUnreadBody(ctx.req, discardBound(maxBodyMb()));
      }
      ctx.status = apiError.status;
      ctx.set(apiError.headers);
      ctx.body = errorBodyFor(ctx.path)(apiError);
    }
  };
}

export function toApiError(err: unknown, logger: Logger): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ClientGoneError) return new ApiError(499, err.message, 'client_closed_request');
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
    return new ApiError(e.status, e.message ?? 'Bad request', null);
  }
  logger.error(err instanceof Error ? err : String(err));
  return errors.internal('CLI2API hit an internal error handling this request; it has been logged.');
}

function notFound(ctx: Context): ApiError {
  const unsupported =
    /^\/v1\/(embeddings|completions|images|audio|moderations|files|fine_tuning|batches|assistants|threads|vector_stores|realtime)\b/i.exec(
      ctx.path,
    );
  if (unsupported) {
    return errors.notFound(
      `CLI2API does not serve ${ctx.path}: it exposes Claude through the Claude Code CLI, which only generates chat responses. ` +
        'Supported: /v1/chat/completions, /v1/responses, /v1/messages, /v1/models.',
      'unsupported_endpoint',
    );
  }
  return errors.notFound(
    `Unknown route ${ctx.method} ${ctx.path}. See GET / for the endpoints CLI2API serves.`,
    'unknown_url',
  );
}
