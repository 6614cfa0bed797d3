/**
 * The subscription's usage windows in front of every model run. While a window is known to
 * be full (its reset still ahead), a request gets that window's 429 at once: no CLI started,
 * no byte of an answer sent — so a load balancer can move it elsewhere. With `waitWhenFull`
 * the request is held until the reset instead, when the reset comes before its deadline,
 * and a run the API refused for a full window (before any output) runs again after the
 * reset; nothing else is ever retried.
 */
import type { RunOptions } from '../cli/cli-manager';
import type { CliLine, ResultLine } from '../cli/events';
import type { ModelRequest } from '../core/model-request';
import { type UsageLimits, UsageLimitError } from '../core/usage-limits';
import { formatReset, windowLabel } from '../core/usage-text';
import type { Logger } from '../util/logger';
import type { AppDeps } from './context';

/** Resolves when no window refuses requests; throws the 429, or the signal's reason if the wait is cut short. */
export async function passUsageGate(
  usage: UsageLimits,
  opts: { wait: boolean; deadlineMs: number; signal: AbortSignal; logger?: Logger },
): Promise<void> {
  for (;;) {
    const now = Date.now();
    const rejection = usage.rejection(now);
    if (!rejection) return;
    if (!opts.wait || rejection.resetsAt * 1000 > opts.deadlineMs) throw rejection;
    opts.logger?.info(
      `holding a request until the Claude ${windowLabel(rejection.window)} window resets at ${formatReset(rejection.resetsAt, now)}`,
    );
    await sleepUntil(rejection.resetsAt * 1000, opts.signal);
  }
}

/** `deps.cli.run` behind the gate (see the top of this file). */
export async function* gatedRun(
  deps: AppDeps,
  request: ModelRequest,
  signal: AbortSignal,
  deadlineMs: number,
  opts: RunOptions = {},
): AsyncGenerator<CliLine, ResultLine> {
  for (;;) {
    const gate = { wait: deps.settings().waitWhenFull, deadlineMs, signal, logger: deps.logger };
    await passUsageGate(deps.usage, gate);
    const run = deps.cli.run(request, signal, opts);
    let answered = false;
    try {
      for (;;) {
        const next = await run.next();
        if (next.done) return next.value;
        // The model's output comes as stream events; before the first one nothing reached the client.
        if (next.value.type === 'stream_event') answered = true;
        yield next.value;
      }
    } catch (err) {
      if (!(err instanceof UsageLimitError) || answered || !deps.settings().waitWhenFull) throw err;
    } finally {
      await run.return(undefined as never);
    }
  }
}

function sleepUntil(atMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, atMs - Date.now()),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
