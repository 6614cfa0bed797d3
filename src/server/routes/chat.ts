/** POST /v1/chat/completions: validate → plan → CLI run → chunks (SSE) or one completion. */
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { validate } from '../../core/validate';
import { collectCompletion } from '../../openai/chat-completion';
import { planChat } from '../../openai/chat-request';
import { chatRequestSchema } from '../../openai/chat-schema';
import { type ChatChunk, chatUsage, newChatStreamState, translateLine } from '../../openai/chat-stream';
import { openaiErrorBody } from '../../openai/error-body';
import { inlineRemoteImages } from '../../openai/remote-images';
import type { AppDeps, RequestState } from '../context';
import { serveModelRun } from '../model-run';
import { withRequestSignal } from '../request-signal';

export function registerChatRoutes(router: Router, deps: AppDeps): void {
  router.post('/v1/chat/completions', (ctx) => chatCompletions(ctx, deps));
}

async function chatCompletions(ctx: Context, deps: AppDeps): Promise<void> {
  const settings = deps.settings();
  if (settings.allowRemoteImages)
    await withRequestSignal(ctx, settings.timeoutSeconds * 1000, deps.shutdown, (signal) =>
      inlineRemoteImages(ctx.request.body, { ...deps.remoteImages, signal }),
    );
  const plan = planChat(validate(chatRequestSchema, ctx.request.body), settings.defaultModel);
  const state = ctx.state as RequestState;
  state.model = plan.request.model;
  const stream = newChatStreamState({
    id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
    model: plan.request.model,
    created: Math.floor(Date.now() / 1000),
    includeUsage: plan.includeUsage,
  });
  await serveModelRun<ChatChunk>(ctx, deps, plan.request, plan.stream, {
    translate: (line) => translateLine(stream, line),
    tokens: (result) => {
      const usage = chatUsage(result.usage);
      return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
    },
    fold: (chunks, result) => collectCompletion(chunks, chatUsage(result?.usage)),
    send: (sse, chunk) => sse.send(chunk),
    done: (sse) => sse.write('data: [DONE]\n\n'),
    fail: (sse, error) => sse.send(openaiErrorBody(error)),
  });
}
