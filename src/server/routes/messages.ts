/**
 * POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API. Its errors take
 * Anthropic's shape (the error middleware renders them so for every path under /v1/messages).
 */
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { anthropicErrorBody } from '../../anthropic/error-body';
import { unifiedRateLimitHeaders } from '../../anthropic/ratelimit-headers';
import { estimateInputTokens, planMessages } from '../../anthropic/messages-request';
import { countTokensSchema, messagesRequestSchema } from '../../anthropic/messages-schema';
import {
  type AnthropicEvent,
  foldMessage,
  messagesUsage,
  newMessagesStreamState,
  translateLine,
} from '../../anthropic/messages-stream';
import { validate } from '../../core/validate';
import type { AppDeps, RequestState } from '../context';
import { serveModelRun } from '../model-run';

export function registerMessagesRoutes(router: Router, deps: AppDeps): void {
  router.post('/v1/messages', (ctx) => messages(ctx, deps));
  router.post('/v1/messages/count_tokens', (ctx) => {
    ctx.body = { input_tokens: estimateInputTokens(validate(countTokensSchema, ctx.request.body)) };
  });
}

async function messages(ctx: Context, deps: AppDeps): Promise<void> {
  const settings = deps.settings();
  const plan = planMessages(validate(messagesRequestSchema, ctx.request.body), settings.defaultModel);
  if (plan.leftOutTools.length > 0)
    deps.logger.debug(`messages: left out server tools the CLI cannot run: ${plan.leftOutTools.join(', ')}`);
  const state = ctx.state as RequestState;
  state.model = plan.request.model;
  const stream = newMessagesStreamState({ id: `msg_${randomUUID().replace(/-/g, '')}`, model: plan.request.model });
  // Anthropic's usage headers, as the real API sends them: a stream's go out with the state
  // known when it starts; an answer (or error) sent whole carries the state after the run.
  const rateLimitHeaders = () => ctx.set(unifiedRateLimitHeaders(deps.usage.snapshot()));
  rateLimitHeaders();
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
  }).finally(rateLimitHeaders);
}
