/**
 * The part every model route shares: one CLI run per request, bounded by the request's
 * timeout and its client, always cleaned up; results noted for the log and stats; output
 * either folded into one body or streamed as SSE, with a failure after the stream started
 * sent as the API's own error event.
 */
import type { Context } from 'koa';
import type { CliLine, ResultLine } from '../cli/events';
import type { ModelRequest } from '../cli/types';
import type { ApiError } from '../openai/errors';
import { type AppDeps, noteRun, type RequestState } from './context';
import { toApiError } from './errors';
import { ClientGoneError, requestSignal } from './request-signal';
import { SseStream } from './sse';

export type ModelRun = AsyncGenerator<CliLine, ResultLine>;

/** Runs `use` over the CLI run of `request`; the run ends (and its process is released) whatever happens. */
export async function withModelRun(
  ctx: Context,
  deps: AppDeps,
  request: ModelRequest,
  use: (run: ModelRun) => Promise<void>,
): Promise<void> {
  const { signal, dispose } = requestSignal(ctx, deps.settings().timeoutSeconds * 1000);
  const run = deps.cli.run(request, signal);
  try {
    await use(run);
  } finally {
    dispose();
    await run.return(undefined as never);
  }
}

/**
 * An error after an SSE stream started (headers are gone): the ApiError to send as the last
 * event, or undefined when the client left (nobody to send it to). Before the stream
 * started it is rethrown for the error middleware.
 */
export function streamFailure(ctx: Context, sse: SseStream, err: unknown, deps: AppDeps): ApiError | undefined {
  if (!sse.started) throw err;
  const state = ctx.state as RequestState;
  if (err instanceof ClientGoneError) {
    state.streamError = 'client disconnected';
    return undefined;
  }
  const apiError = toApiError(err, deps.logger);
  state.streamError = apiError.message;
  return apiError;
}

export interface RouteFormat<E> {
  translate(line: CliLine): E[];
  /** Prompt and completion tokens of a result, for the log and the stats. */
  tokens(result: ResultLine): { promptTokens: number; completionTokens: number };
  /** The non-streamed body. */
  fold(events: E[], result: ResultLine): unknown;
  send(sse: SseStream, event: E): Promise<void>;
  /** After the last event of a successful stream (e.g. `data: [DONE]`). */
  done?(sse: SseStream): Promise<void>;
  fail(sse: SseStream, error: ApiError): Promise<void>;
}

/** Serves one model request in `format`, streamed or not. */
export function serveModelRun<E>(
  ctx: Context,
  deps: AppDeps,
  request: ModelRequest,
  stream: boolean,
  format: RouteFormat<E>,
): Promise<void> {
  const noteResult = (line: ResultLine) => noteRun(ctx, { ...format.tokens(line), costUsd: line.total_cost_usd });
  return withModelRun(ctx, deps, request, async (run) => {
    if (!stream) {
      const events: E[] = [];
      for await (const line of run) {
        events.push(...format.translate(line));
        if (line.type === 'result') {
          noteResult(line);
          ctx.body = format.fold(events, line);
        }
      }
      return;
    }
    const sse = new SseStream(ctx);
    try {
      for await (const line of run) {
        if (line.type === 'result') noteResult(line);
        for (const event of format.translate(line)) await format.send(sse, event);
      }
      await format.done?.(sse);
      sse.end();
    } catch (err) {
      const apiError = streamFailure(ctx, sse, err, deps);
      if (apiError) await format.fail(sse, apiError);
      sse.end();
    }
  });
}
