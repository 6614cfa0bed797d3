/**
 * One log line per request: method, path, member, model, status, why it failed (the error
 * code), duration, tokens, cost. Counts into ServerStats (the status bar, /health) and
 * ServerMetrics (/metrics). Health checks (other windows and load balancers poll /health)
 * are logged at debug only.
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
      const code = ok ? undefined : (s.errorCode ?? String(status));
      if (counted)
        stats.end({
          ok,
          status,
          code,
          promptTokens: s.promptTokens,
          completionTokens: s.completionTokens,
          costUsd: s.costUsd,
        });
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
      const line = requestLine({ method: ctx.method, path: ctx.path, status, ms: Math.round(ms), ...s });
      if (status >= 500 || s.streamError) logger.warn(line);
      else if ((ctx.path === '/health' || ctx.path === '/health/ready') && status === 200) logger.debug(line);
      else logger.info(line);
    }
  };
}

/** `POST /v1/chat/completions model=sonnet 503 cli_not_found 17ms` — pure, so its format is tested. */
export function requestLine(r: RequestState & { method: string; path: string; status: number; ms: number }): string {
  const parts = [r.method, r.path];
  if (r.member) parts.push(`member=${r.member}`);
  if (r.model) parts.push(`model=${r.model}`);
  parts.push(String(r.status));
  if (r.status >= 400 && r.errorCode) parts.push(r.errorCode);
  parts.push(`${r.ms}ms`);
  if (r.promptTokens !== undefined) parts.push(`tokens=${r.promptTokens}/${r.completionTokens ?? 0}`);
  if (r.costUsd) parts.push(`cost=$${r.costUsd.toFixed(6)}`);
  if (r.streamError) parts.push(`stream error: ${r.errorCode ? `${r.errorCode} — ` : ''}${r.streamError}`);
  return parts.join(' ');
}
