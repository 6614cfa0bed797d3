/**
 * One AbortController per request: the client going away, the request timeout and server
 * shutdown all abort it, and the CLI run it drives is killed.
 */
import type { Context } from 'koa';
import { errors } from '../core/api-error';

export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGoneError';
  }
}

export function requestSignal(
  ctx: Context,
  timeoutMs: number,
  shutdown?: AbortSignal,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        errors.timeout(
          `The request took longer than the ${Math.round(timeoutMs / 1000)} s timeout; the Claude CLI run was stopped.`,
        ),
      ),
    timeoutMs,
  );
  const onClose = () => {
    if (!ctx.res.writableFinished) controller.abort(new ClientGoneError());
  };
  const onShutdown = () => controller.abort(shutdown?.reason ?? errors.stopping());
  ctx.res.once('close', onClose);
  if (shutdown?.aborted) onShutdown();
  else shutdown?.addEventListener('abort', onShutdown, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      ctx.res.off('close', onClose);
      shutdown?.removeEventListener('abort', onShutdown);
    },
  };
}

/** Runs `work` under the request's signal (client gone, timeout, shutdown), for work done before the model run. */
export async function withRequestSignal<T>(
  ctx: Context,
  timeoutMs: number,
  shutdown: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { signal, dispose } = requestSignal(ctx, timeoutMs, shutdown);
  try {
    return await work(signal);
  } finally {
    dispose();
  }
}
