/**
 * GET /metrics (Prometheus text format). With a metrics key set, it needs exactly that key
 * (Bearer or x-api-key) and no member key opens it, so a scraper does not need a member's
 * key and members do not see each other's usage. Without one it follows the API keys: any
 * member key when keys are set, open when none are (the single-user default).
 */
import type Router from '@koa/router';
import { ApiError } from '../../core/api-error';
import type { AppDeps, RequestState } from '../context';
import { invalidKey, keyAccepted, matchKey, presentedKey, UNNAMED_MEMBER } from '../security';

export function registerMetricsRoutes(router: Router, deps: AppDeps): void {
  router.get('/metrics', async (ctx) => {
    const s = deps.settings();
    const presented = presentedKey(ctx);
    if (s.metricsKey) {
      if (!keyAccepted(presented, [s.metricsKey]))
        throw new ApiError(
          401,
          'GET /metrics needs the metrics key (CLI2API_METRICS_KEY) as "Authorization: Bearer <key>".',
          'invalid_api_key',
        );
    } else if (s.apiKeys.length > 0) {
      const matched = matchKey(presented, s.apiKeys);
      if (!matched) throw invalidKey();
      (ctx.state as RequestState).member = matched.member ?? UNNAMED_MEMBER;
    }
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.text();
  });
}
