/** One log line per request: method, path, model, status, duration, tokens, cost. Counts into ServerStats. */
import type { Context, Next } from 'koa';
import type { Logger } from '../util/logger';
import type { RequestState } from './context';
import type { ServerStats } from './stats';

export function requestLog(logger: Logger, stats: ServerStats) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = performance.now();
    const counted = ctx.path.startsWith('/v1/');
    if (counted) stats.begin();
    let status = 500;
    try {
      await next();
      status = ctx.status;
    } finally {
      const s = ctx.state as RequestState;
      const ok = status < 400 && !s.streamError;
      if (counted)
        stats.end({ ok, promptTokens: s.promptTokens, completionTokens: s.completionTokens, costUsd: s.costUsd });
      const parts = [ctx.method, ctx.path];
      if (s.model) parts.push(`model=${s.model}`);
      parts.push(String(status), `${Math.round(performance.now() - started)}ms`);
      if (s.promptTokens !== undefined) parts.push(`tokens=${s.promptTokens}/${s.completionTokens ?? 0}`);
      if (s.costUsd) parts.push(`cost=$${s.costUsd.toFixed(6)}`);
      if (s.streamError) parts.push(`stream error: ${s.streamError}`);
      const line = parts.join(' ');
      if (status >= 500 || s.streamError) logger.warn(line);
      else logger.info(line);
    }
  };
}
