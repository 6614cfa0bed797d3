/**
 * The Responses API: POST /v1/responses (validate → plan → CLI run → events as SSE, or the
 * folded response object), GET and DELETE /v1/responses/{id} on the Responses store (in
 * memory, or shared in Redis/Valkey).
 *
 * Streams are `event: <type>` + `data: <json>` per event and end with exactly one of
 * response.completed / response.incomplete / response.failed — never `[DONE]` (Codex reports
 * a stream without a terminal event as an error). A failure before the first event is a
 * plain HTTP error, so SDKs raise the right error class. A response is stored before its
 * terminal event (or its body) goes out, so a client that continues it at once — on any
 * instance sharing the store — finds it.
 */
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { errors } from '../../core/api-error';
import { planResponses, previousNotFound } from '../../openai/responses-request';
import { responsesRequestSchema } from '../../openai/responses-schema';
import {
  collectResponse,
  cutAtOutputLimit,
  failStream,
  isTerminal,
  newResponsesStreamState,
  type ResponseEvent,
  responsesUsage,
  translateLine,
} from '../../openai/responses-stream';
import { inlineRemoteImages } from '../../openai/remote-images';
import { validate } from '../../core/validate';
import type { AppDeps, RequestState } from '../context';
import { serveModelRun } from '../model-run';
import { withRequestSignal } from '../request-signal';
import type { ResponseStore } from '../store/response-store';

export function registerResponsesRoutes(router: Router, deps: AppDeps): void {
  const store = deps.responses;
  router.post('/v1/responses', (ctx) => createResponse(ctx, deps, store));
  router.get('/v1/responses/:id', async (ctx) => {
    if (ctx.query.stream === 'true') {
      throw errors.invalidRequest(
        'Streaming a stored response again is not supported; retrieve it without stream.',
        'stream',
        'unsupported_value',
      );
    }
    ctx.body = (await found(store, ctx.params.id ?? '')).response;
  });
  router.delete('/v1/responses/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!(await store.delete(id))) throw notStored(id);
    ctx.body = { id, object: 'response.deleted', deleted: true };
  });
}

async function found(store: ResponseStore, id: string) {
  const entry = await store.get(id);
  if (!entry) throw notStored(id);
  return entry;
}

function notStored(id: string) {
  return errors.notFound(
    `No response found with id '${id}'. Responses are kept for a limited time; store:false responses are never kept.`,
  );
}

async function createResponse(ctx: Context, deps: AppDeps, store: ResponseStore): Promise<void> {
  const settings = deps.settings();
  if (settings.allowRemoteImages)
    await withRequestSignal(ctx, settings.timeoutSeconds * 1000, deps.shutdown, (signal) =>
      inlineRemoteImages(ctx.request.body, { ...deps.remoteImages, signal }),
    );
  const body = validate(responsesRequestSchema, ctx.request.body);
  const previousId = body.previous_response_id;
  const previous = previousId ? await store.get(previousId) : undefined;
  if (previousId && !previous) throw previousNotFound(previousId);
  const plan = planResponses(body, settings.defaultModel, previous?.conversation);
  if (plan.leftOutTools.length > 0)
    deps.logger.debug(`responses: left out hosted tools the CLI cannot run: ${plan.leftOutTools.join(', ')}`);
  // Known unreachable: say so before the model runs, not after its answer could not be kept.
  if (plan.store && !store.available) throw errors.storeUnavailable(store.unavailableReason ?? 'unreachable');
  const state = ctx.state as RequestState;
  state.model = plan.request.model;
  const stream = newResponsesStreamState({
    id: `resp_${randomUUID().replace(/-/g, '')}`,
    createdAt: Math.floor(Date.now() / 1000),
    echo: plan.echo,
    toolNames: plan.toolNames,
  });
  await serveModelRun<ResponseEvent>(ctx, deps, plan.request, plan.stream, {
    translate: (line) => translateLine(stream, line),
    tokens: (result) => {
      const usage = responsesUsage(result.usage);
      return { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens };
    },
    fold: (events) => collectResponse(events),
    send: (sse, event) => sse.send(event, event.type),
    // Only an answer cut at the output limit is still a response (incomplete); any other failure is an error.
    recover: (error) => (cutAtOutputLimit(stream, error) ? failStream(stream, error) : undefined),
    fail: async (sse, error) => {
      const events = failStream(stream, error);
      // The stream already failed: a store that fails too is logged, not reported twice.
      await keep(events).catch((e: unknown) => deps.logger.warn(`failed response not stored: ${String(e)}`));
      for (const event of events) await sse.send(event, event.type);
    },
    observe: (events) => keep(events),
  });

  async function keep(events: ResponseEvent[]): Promise<void> {
    const terminal = events.find(isTerminal);
    if (terminal && plan.store)
      await store.put(terminal.response, {
        turns: plan.request.turns,
        inputSystem: plan.inputSystem,
        toolNames: plan.toolNames,
      });
  }
}
