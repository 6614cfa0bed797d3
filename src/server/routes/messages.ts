/**
 * POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API. Errors here
 * take Anthropic's shape `{"type":"error","error":{"type","message"}}`, written by the route
 * itself because the error middleware speaks OpenAI's.
 */
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { estimateInputTokens, planMessages } from '../../anthropic/messages-request';
import { countTokensSchema, messagesRequestSchema } from '../../anthropic/messages-schema';
import {
  type AnthropicEvent,
  foldMessage,
  messagesUsage,
  newMessagesStreamState,
  translateLine,
} from '../../anthropic/messages-stream';
import type { ApiError } from '../../openai/errors';
import { validate } from '../../openai/validate';
import type { AppDeps, RequestState } from '../context';
import { toApiError } from '../errors';
import { serveModelRun } from '../model-run';

export function registerMessagesRoutes(router: Router, deps: AppDeps): void {
  router.post('/v1/messages', (ctx) => withAnthropicErrors(ctx, deps, () => messages(ctx, deps)));
  router.post('/v1/messages/count_tokens', (ctx) =>
    withAnthropicErrors(ctx, deps, async () => {
      ctx.body = { input_tokens: estimateInputTokens(validate(countTokensSchema, ctx.request.body)) };
    }),
  );
}

async function messages(ctx: Context, deps: AppDeps): Promise<void> {
  const settings = deps.settings();
  const plan = planMessages(validate(messagesRequestSchema, ctx.request.body), settings.defaultModel);
  const state = ctx.state as RequestState;
  state.model = plan.request.model;
  const stream = newMessagesStreamState({ id: `msg_${randomUUID().replace(/-/g, '')}`, model: plan.request.model });
  await serveModelRun<AnthropicEvent>(ctx, deps, plan.request, plan.stream, {
    translate: (line) => translateLine(stream, line),
    tokens: (result) => {
      const u = messagesUsage(result.usage);
      return {
        promptTokens: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
        completionTokens: u.output_tokens,
      };
    },
    fold: (events) => foldMessage(events),
    send: (sse, event) => sse.send(event, event.type),
    // Headers are gone: Anthropic's clients read a mid-stream failure as an `error` event.
    fail: (sse, error) => sse.send(anthropicErrorBody(error), 'error'),
  });
}

async function withAnthropicErrors(ctx: Context, deps: AppDeps, handle: () => Promise<void>): Promise<void> {
  try {
    await handle();
  } catch (err) {
    if (ctx.respond === false || ctx.headerSent) throw err; // a stream already answered: the middleware only logs
    const apiError = toApiError(err, deps.logger);
    ctx.status = apiError.status;
    ctx.set(apiError.headers);
    ctx.body = anthropicErrorBody(apiError);
  }
}

export function anthropicErrorBody(e: ApiError): { type: 'error'; error: { type: string; message: string } } {
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
