/** POST /v1/chat/completions: validate → plan → CLI run → chunks (SSE) or one completion. */
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ResultLine } from '../../cli/events';
import { collectCompletion } from '../../openai/chat-completion';
import { planChat } from '../../openai/chat-request';
import { chatRequestSchema } from '../../openai/chat-schema';
import { type ChatChunk, chatUsage, newChatStreamState, translateLine } from '../../openai/chat-stream';
import { inlineRemoteImages } from '../../openai/remote-images';
import { validate } from '../../openai/validate';
import { type AppDeps, noteRun, type RequestState } from '../context';
import { toApiError } from '../errors';
import { ClientGoneError, requestSignal } from '../request-signal';
import { SseStream } from '../sse';

export function registerChatRoutes(router: Router, deps: AppDeps): void {
  router.post('/v1/chat/completions', (ctx) => chatCompletions(ctx, deps));
}

async function chatCompletions(ctx: Context, deps: AppDeps): Promise<void> {
  const settings = deps.settings();
  if (settings.allowRemoteImages) await inlineRemoteImages(ctx.request.body);
  const plan = planChat(validate(chatRequestSchema, ctx.request.body), settings.defaultModel);
  const state = ctx.state as RequestState;
  state.model = plan.request.model;
  const stream = newChatStreamState({
    id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
    model: plan.request.model,
    created: Math.floor(Date.now() / 1000),
    includeUsage: plan.includeUsage,
  });
  const { signal, dispose } = requestSignal(ctx, settings.timeoutSeconds * 1000);
  const run = deps.cli.run(plan.request, signal);
  const noteResult = (line: ResultLine) => {
    const usage = chatUsage(line.usage);
    noteRun(ctx, { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, costUsd: line.total_cost_usd });
  };
  try {
    if (!plan.stream) {
      const chunks: ChatChunk[] = [];
      for await (const line of run) {
        chunks.push(...translateLine(stream, line));
        if (line.type === 'result') {
          noteResult(line);
          ctx.body = collectCompletion(chunks, chatUsage(line.usage));
        }
      }
      return;
    }
    const sse = new SseStream(ctx);
    try {
      for await (const line of run) {
        if (line.type === 'result') noteResult(line);
        for (const chunk of translateLine(stream, line)) await sse.send(chunk);
      }
      await sse.write('data: [DONE]\n\n');
      sse.end();
    } catch (err) {
      if (!sse.started) throw err;
      if (err instanceof ClientGoneError) {
        state.streamError = 'client disconnected';
        return;
      }
      const apiError = toApiError(err, deps.logger);
      state.streamError = apiError.message;
      await sse.send(apiError.toBody());
      sse.end();
    }
  } finally {
    dispose();
    await run.return(undefined as never);
  }
}
