/**
 * The one run loop every model route shares: one CLI run per request (behind the usage gate:
 * a full subscription window answers 429 before any CLI starts), bounded by the
 * request's timeout, its client and the server's shutdown, always cleaned up; results noted
 * for the log and stats; output folded into one body or streamed as SSE. A route supplies
 * its wire format and hooks for what differs (keeping a Responses result, an answer cut at
 * the output limit that is still an answer); a failure after the stream started goes out as
 * the API's own error event.
 */
import type { Context } from 'koa';
import { carriesOutput, type CliLine, type ResultLine } from '../cli/events';
import { ApiError } from '../core/api-error';
import type { ModelRequest } from '../core/model-request';
import { type AppDeps, noteRun, type RequestState } from './context';
import { toApiError } from './errors';
import { ClientGoneError, requestSignal } from './request-signal';
import { SseStream } from './sse';
import { gatedRun } from './usage-gate';

export interface RouteFormat<E> {
  translate(line: CliLine): E[];
  /** Prompt and completion tokens of a result, for the log and the stats. */
  tokens(result: ResultLine): { promptTokens: number; completionTokens: number };
  /** The non-streamed body; `result` is missing only when `recover` turned a failure into the answer. */
  fold(events: E[], result: ResultLine | undefined): unknown;
  send(sse: SseStream, event: E): Promise<void>;
  /** After the last event of a successful stream (e.g. `data: [DONE]`). */
  done?(sse: SseStream): Promise<void>;
  /** The end of a stream that failed after it started, in the API's terms. */
  fail(sse: SseStream, error: ApiError): Promise<void>;
  /** A failure that still is an answer (Responses: cut at the output limit): the events that end it. */
  recover?(error: ApiError): E[] | undefined;
  /** Sees every event before it is sent (Responses keeps the finished response before its terminal event goes out). */
  observe?(events: E[]): Promise<void>;
}

/** Serves one model request in `format`, streamed or not. */
export async function serveModelRun<E>(
  ctx: Context,
  deps: AppDeps,
  request: ModelRequest,
  stream: boolean,
  format: RouteFormat<E>,
): Promise<void> {
  const timeoutMs = deps.settings().timeoutSeconds * 1000;
  const { signal, dispose } = requestSignal(ctx, timeoutMs, deps.shutdown);
  const run = gatedRun(deps, request, signal, Date.now() + timeoutMs, {
    tenant: (ctx.state as RequestState).tenant,
  });
  const sse = stream ? new SseStream(ctx) : undefined;
  const folded: E[] = [];
  let result: ResultLine | undefined;
  const emit = async (events: E[]) => {
    await format.observe?.(events);
    if (!sse) folded.push(...events);
    else for (const event of events) await format.send(sse, event);
  };
  const state = ctx.state as RequestState;
  try {
    try {
      for await (const line of run) {
        if (state.firstTokenAt === undefined && carriesOutput(line)) state.firstTokenAt = performance.now();
        if (line.type === 'result') {
          result = line;
          noteRun(ctx, { ...format.tokens(line), costUsd: line.total_cost_usd });
        }
        await emit(format.translate(line));
      }
    } catch (err) {
      const recovered = err instanceof ApiError ? format.recover?.(err) : undefined;
      if (!recovered) throw err;
      await emit(recovered);
    }
    if (!sse) {
      ctx.body = format.fold(folded, result);
      return;
    }
    await format.done?.(sse);
    sse.end();
  } catch (err) {
    // Before the stream started (or without one) the error middleware answers with a real status.
    if (!sse?.started) throw err;
    const apiError = streamFailure(ctx, err, deps);
    if (apiError) await format.fail(sse, apiError);
    sse.end();
  } finally {
    dispose();
    await run.return(undefined as never);
  }
}

/** The ApiError to send as a stream's last event, or undefined when the client left (nobody to send it to). */
function streamFailure(ctx: Context, err: unknown, deps: AppDeps): ApiError | undefined {
  const state = ctx.state as RequestState;
  if (err instanceof ClientGoneError) {
    state.streamError = 'client disconnected';
    state.errorCode = 'client_closed_request';
    return undefined;
  }
  const apiError = toApiError(err, deps.logger);
  state.streamError = apiError.message;
  state.errorCode = apiError.code ?? String(apiError.status);
  return apiError;
}
