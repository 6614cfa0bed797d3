/** The Koa application: request log → errors → security (host, CORS, keys) → body parser → routes. */
import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import type { AppDeps } from './context';
import { errorMiddleware } from './errors';
import { requestLog } from './request-log';
import { securityMiddleware } from './security';
import { registerChatRoutes } from './routes/chat';
import { registerMessagesRoutes } from './routes/messages';
import { registerMetaRoutes } from './routes/meta';
import { registerResponsesRoutes } from './routes/responses';
import { registerUsageRoutes } from './routes/usage';

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by errorMiddleware, not printed by Koa
  const router = new Router();
  registerMetaRoutes(router, deps);
  registerChatRoutes(router, deps);
  registerResponsesRoutes(router, deps);
  registerMessagesRoutes(router, deps);
  registerUsageRoutes(router, deps);
  app.use(requestLog(deps.logger, deps.stats));
  app.use(errorMiddleware(deps.logger));
  app.use(securityMiddleware(deps.settings));
  const parseBody = (limitMb: number) => bodyParser({ enableTypes: ['json'], jsonLimit: `${limitMb}mb`, strict: true });
  let parser = { limitMb: deps.settings().maxBodyMb, middleware: parseBody(deps.settings().maxBodyMb) };
  app.use((ctx, next) => {
    const limitMb = deps.settings().maxBodyMb;
    if (limitMb !== parser.limitMb) parser = { limitMb, middleware: parseBody(limitMb) };
    return parser.middleware(ctx, next);
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
