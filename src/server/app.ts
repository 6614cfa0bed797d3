/**
 * The Koa application: request log → errors → closing gate → Host/CORS → the public routes →
 * API key → body parser → every other route. Deny by default: the key check stands between
 * the two routers, so a request is served without a member key only when the public router
 * itself matched it (same matching, any spelling it accepts); every other path, known or not,
 * needs a key. GET /metrics is public to the router and checks its own key (routes/metrics.ts).
 */
import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { errors } from '../core/api-error';
import type { AppDeps } from './context';
import { errorMiddleware } from './errors';
import { requestLog } from './request-log';
import { hostAndOriginCheck, requireApiKey } from './security';
import { registerChatRoutes } from './routes/chat';
import { registerMessagesRoutes } from './routes/messages';
import { registerModelsRoutes, registerPublicRoutes } from './routes/meta';
import { registerMetricsRoutes } from './routes/metrics';
import { registerResponsesRoutes } from './routes/responses';
import { registerUsageRoutes } from './routes/usage';

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by errorMiddleware, not printed by Koa
  const publicRoutes = new Router();
  registerPublicRoutes(publicRoutes, deps);
  registerMetricsRoutes(publicRoutes, deps);
  const apiRoutes = new Router();
  registerModelsRoutes(apiRoutes, deps);
  registerChatRoutes(apiRoutes, deps);
  registerResponsesRoutes(apiRoutes, deps);
  registerMessagesRoutes(apiRoutes, deps);
  registerUsageRoutes(apiRoutes, deps);
  /** The route's pattern (for the metrics' `route` label), or `unmatched`. */
  const routeOf = (ctx: Koa.Context) => {
    for (const router of [publicRoutes, apiRoutes]) {
      const layer = router.match(ctx.path, ctx.method).path.find((l) => l.methods.length > 0);
      if (typeof layer?.path === 'string') return layer.path;
    }
    return 'unmatched';
  };
  app.use(requestLog(deps.logger, deps.stats, deps.metrics, routeOf));
  app.use(errorMiddleware(deps.logger, () => deps.settings().maxBodyMb));
  // Stopping (a drain on SIGTERM): requests already running go on; a new one on a kept-alive
  // connection gets a 503 that closes it, so a load balancer retries it elsewhere. The health
  // routes still answer (readiness says "stopping").
  app.use((ctx, next) => {
    if (deps.closing.aborted && !/^\/health(\/|$)/i.test(ctx.path)) throw errors.notAccepting();
    return next();
  });
  app.use(hostAndOriginCheck(deps.settings));
  app.use(publicRoutes.routes());
  app.use(requireApiKey(deps.settings));
  const parseBody = (limitMb: number) => bodyParser({ enableTypes: ['json'], jsonLimit: `${limitMb}mb`, strict: true });
  let parser = { limitMb: deps.settings().maxBodyMb, middleware: parseBody(deps.settings().maxBodyMb) };
  app.use((ctx, next) => {
    const limitMb = deps.settings().maxBodyMb;
    if (limitMb !== parser.limitMb) parser = { limitMb, middleware: parseBody(limitMb) };
    return parser.middleware(ctx, next);
  });
  app.use(apiRoutes.routes());
  // Also answers 405/OPTIONS for the public routes' paths: their matches are on ctx.matched too.
  app.use(apiRoutes.allowedMethods());
  return app;
}
