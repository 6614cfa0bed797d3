/**
 * One log line per request: method, path, member, model, status, duration, tokens, cost.
 * Counts into ServerStats (the status bar, /health) and ServerMetrics (/metrics).
 */
import type { Context, Next } from 'koa';
import type { Logger } from '../util/logger';
import type { RequestState } from './context';
import type { ServerMetrics } from './metrics';
import type { ServerStats } from './stats';

export function requestLog(
  logger: Logger,
  stats: ServerStats,
  metrics: ServerMetrics,
  /** The route pattern a path belongs to (a label that ids cannot multiply). */
  routeOf: (ctx: Context) => string,
) {
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
      const ms = performance.now() - started;
      if (counted)
        stats.end({ ok, promptTokens: s.promptTokens, completionTokens: s.completionTokens, costUsd: s.costUsd });
      metrics.observe({
        route: routeOf(ctx),
        method: ctx.method,
        status,
        member: s.member,
        seconds: ms / 1000,
        firstTokenSeconds: s.firstTokenAt === undefined ? undefined : (s.firstTokenAt - started) / 1000,
        promptTokens: s.promptTokens,
        completionTokens: s.completionTokens,
        costUsd: s.costUsd,
      });
      const parts = [ctx.method, ctx.path];
      if (s.member) parts.push(`member=${s.member}`);
      if (s.model) parts.push(`model=${s.model}`);
      parts.push(String(status), `${Math.round(ms)}ms`);
      if (s.promptTokens !== undefined) parts.push(`tokens=${s.promptTokens}/${s.completionTokens ?? 0}`);
      if (s.costUsd) parts.push(`cost=$${s.costUsd.toFixed(6)}`);
      if (s.streamError) parts.push(`stream error: ${s.streamError}`);
      const line = parts.join(' ');
      if (status >= 500 || s.streamError) logger.warn(line);
      else logger.info(line);
    }
  };
}
