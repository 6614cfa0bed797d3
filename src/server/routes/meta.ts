/**
 * GET /health (liveness), GET /health/ready (readiness) and GET / (the public routes: served
 * without a key) and GET /v1/models, GET /v1/models/{id}, GET /v1/model/info (which need one
 * when keys are set, like every other route).
 */
import type Router from '@koa/router';
import { errors } from '../../core/api-error';
import { modelInfo } from '../../core/model-info';
import { VERSION } from '../../version';
import type { AppDeps } from '../context';
import { liteLlmModelInfo, modelObject } from '../model-catalog';
import { readiness } from '../readiness';

/** The only routes served without an API key. Keep this list short: everything else needs a key. */
export function registerPublicRoutes(router: Router, deps: AppDeps): void {
  router.get('/health', async (ctx) => {
    const cli = await deps.cli.status();
    // With API keys the server is meant to be shared: /health stays open but names no local paths.
    const open = deps.settings().apiKeys.length === 0;
    const runner = deps.identity.runner();
    ctx.body = {
      name: 'CLI2API',
      status: cli.ok ? 'ok' : 'degraded',
      version: VERSION,
      instance: deps.identity.instance,
      runner: open ? { ...runner, pid: process.pid } : { kind: runner.kind },
      cli: cli.ok
        ? {
            ok: true,
            version: cli.version,
            // Inside the range of CLI versions CLI2API was tested with; outside it, a warning says what to know.
            tested: cli.tested,
            ...(cli.warning ? { warning: cli.warning } : {}),
            ...(open ? { path: cli.path } : {}),
          }
        : { ok: false, error: open ? cli.error : 'The Claude Code CLI is not available (the server log says why).' },
      processes: {
        alive: deps.cli.liveProcesses,
        limit: deps.cli.processBound,
        running: deps.cli.queue.active,
        queued: deps.cli.queue.queued,
        ...deps.cli.pooled,
      },
    };
  });

  router.get('/health/ready', async (ctx) => {
    const ready = await readiness(deps, deps.settings().apiKeys.length === 0);
    ctx.status = ready.ready ? 200 : 503;
    ctx.body = { status: ready.ready ? 'ready' : 'not_ready', ...ready };
  });

  router.get('/', (ctx) => {
    ctx.body = {
      name: 'CLI2API',
      version: VERSION,
      description: 'OpenAI-compatible API over the Claude Code CLI',
      endpoints: [
        'GET /health',
        'GET /health/ready',
        'GET /metrics',
        'GET /v1/models',
        'GET /v1/models/{id}',
        'GET /v1/model/info',
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
}

export function registerModelsRoutes(router: Router, deps: AppDeps): void {
  router.get('/v1/models', (ctx) => {
    ctx.body = { object: 'list', data: deps.settings().models.map((id) => modelObject(id, modelInfo(id))) };
  });

  router.get('/v1/models/:id', (ctx) => {
    const id = ctx.params.id ?? '';
    if (!deps.settings().models.includes(id)) throw errors.modelNotFound(id);
    ctx.body = modelObject(id, modelInfo(id));
  });

  // LiteLLM's model list with limits and capabilities (read by Zoo Code's and Kilo Code's LiteLLM providers).
  router.get('/v1/model/info', (ctx) => {
    ctx.body = { data: deps.settings().models.map((id) => liteLlmModelInfo(id, modelInfo(id))) };
  });
}
