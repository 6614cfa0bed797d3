/** The Koa application: request log → errors → body parser → routes. */
import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import type { AppDeps } from './context';
import { errorMiddleware } from './errors';
import { requestLog } from './request-log';
import { registerChatRoutes } from './routes/chat';
import { registerMetaRoutes } from './routes/meta';
import { registerResponsesRoutes } from './routes/responses';

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by errorMiddleware, not printed by Koa
  const router = new Router();
  registerMetaRoutes(router, deps);
  registerChatRoutes(router, deps);
  registerResponsesRoutes(router, deps);
  app.use(requestLog(deps.logger, deps.stats));
  app.use(errorMiddleware(deps.logger));
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '20mb', strict: true }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
