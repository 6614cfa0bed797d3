/** GET /health, GET /, GET /v1/models, GET /v1/models/{id}. */
import type Router from '@koa/router';
import { errors } from '../../core/api-error';
import { VERSION } from '../../version';
import type { AppDeps } from '../context';

/** A fixed creation time: the ids are aliases whose real models change underneath. */
const MODEL_CREATED = 1_735_689_600;

export function registerMetaRoutes(router: Router, deps: AppDeps): void {
  router.get('/health', async (ctx) => {
    const cli = await deps.cli.status();
    ctx.body = {
      status: cli.ok ? 'ok' : 'degraded',
      version: VERSION,
      // With API keys the server is meant to be shared: /health stays open but names no local paths.
      cli: cli.ok
        ? {
            ok: true,
            version: cli.version,
            // Inside the range of CLI versions CLI2API was tested with; outside it, a warning says what to know.
            tested: cli.tested,
            ...(cli.warning ? { warning: cli.warning } : {}),
            ...(deps.settings().apiKeys.length === 0 ? { path: cli.path } : {}),
          }
        : { ok: false, error: cli.error },
      processes: {
        alive: deps.cli.liveProcesses,
        limit: deps.cli.processBound,
        running: deps.cli.queue.active,
        queued: deps.cli.queue.queued,
        ...deps.cli.pooled,
      },
    };
  });

  router.get('/', (ctx) => {
    ctx.body = {
      name: 'CLI2API',
      version: VERSION,
      description: 'OpenAI-compatible API over the Claude Code CLI',
      endpoints: [
        'GET /health',
        'GET /v1/models',
        'GET /v1/models/{id}',
        'POST /v1/chat/completions',
        'POST /v1/responses',
        'GET /v1/responses/{id}',
        'DELETE /v1/responses/{id}',
        'POST /v1/messages',
        'POST /v1/messages/count_tokens',
        'GET /v1/usage',
      ],
    };
  });

  router.get('/v1/models', (ctx) => {
    ctx.body = { object: 'list', data: deps.settings().models.map(modelObject) };
  });

  router.get('/v1/models/:id', (ctx) => {
    const id = ctx.params.id ?? '';
    if (!deps.settings().models.includes(id)) throw errors.modelNotFound(id);
    ctx.body = modelObject(id);
  });
}

function modelObject(id: string) {
  return { id, object: 'model' as const, created: MODEL_CREATED, owned_by: 'anthropic' };
}
