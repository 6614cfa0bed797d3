/** The one error middleware, driven through a real Koa app: status, headers, and each API's error shape. */
import assert from 'node:assert/strict';
import Router from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { ApiError, errors } from '../../../src/core/api-error';
import { errorBodyFor, errorMiddleware, toApiError } from '../../../src/server/errors';
import { ClientGoneError } from '../../../src/server/request-signal';
import { recordingLogger, type Served, serve } from '../../support/http-app';

/** What the routes throw, by `?fail=`. */
const failures: Record<string, (ctx: Koa.Context) => unknown> = {
  'rate-limited': () => errors.rateLimited('Slow down.', 7),
  crash: () => new TypeError("Cannot read properties of undefined (reading 'secret')"),
  conflict: (ctx) => ctx.throw(409, 'Already running.'),
};

function app(logger: ReturnType<typeof recordingLogger>): Koa {
  const koa = new Koa();
  koa.silent = true;
  const router = new Router();
  const route = (ctx: Koa.Context) => {
    const fail = failures[String(ctx.query.fail)];
    if (fail) throw fail(ctx);
    ctx.body = { ok: true };
  };
  router.post('/v1/chat/completions', route);
  router.post('/v1/messages', route);
  router.post('/v1/messages/count_tokens', route);
  router.get('/v1/models', (ctx) => (ctx.body = { data: [] }));
  router.get('/v1/stream', (ctx) => {
    ctx.respond = false;
    ctx.res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    ctx.res.end('data: partial\n\n');
    throw new Error('failed after the headers');
  });
  koa.use(errorMiddleware(logger, () => 1));
  koa.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1kb', strict: true }));
  koa.use(router.routes());
  koa.use(router.allowedMethods());
  return koa;
}

describe('error middleware', () => {
  let logger: ReturnType<typeof recordingLogger>;
  let server: Served;
  const post = (path: string, body = '{}') =>
    fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  beforeEach(async () => {
    logger = recordingLogger();
    server = await serve(app(logger));
  });
  afterEach(() => server.close());

  it("renders an ApiError in OpenAI's shape, with its headers", async () => {
    const res = await post('/v1/chat/completions?fail=rate-limited');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), {
      error: { message: 'Slow down.', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
    });
    assert.deepEqual(logger.errors, []);
  });

  it("renders it in Anthropic's shape under /v1/messages, in any case", async () => {
    for (const path of ['/v1/messages', '/V1/Messages', '/v1/messages/count_tokens']) {
      const res = await post(`${path}?fail=rate-limited`);
      assert.equal(res.status, 429, path);
      assert.equal(res.headers.get('retry-after'), '7', path);
      assert.deepEqual(await res.json(), { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down.' } });
    }
  });

  it('turns unparsable JSON into 400 invalid_json and a body over the limit into 413', async () => {
    const bad = await post('/v1/chat/completions', '{"model":');
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as { error: { code: string; type: string; message: string } };
    assert.equal(badBody.error.code, 'invalid_json');
    assert.equal(badBody.error.type, 'invalid_request_error');
    const big = await post('/v1/messages', JSON.stringify({ text: 'x'.repeat(4096) }));
    assert.equal(big.status, 413);
    assert.deepEqual(((await big.json()) as { error: { type: string } }).error.type, 'request_too_large');
    assert.deepEqual(logger.errors, []);
  });

  it('answers unknown routes with 404 unknown_url, and OpenAI endpoints CLI2API lacks with unsupported_endpoint', async () => {
    const unknown = await fetch(`${server.url}/nope`);
    assert.equal(unknown.status, 404);
    const u = (await unknown.json()) as { error: { code: string; message: string } };
    assert.equal(u.error.code, 'unknown_url');
    assert.match(u.error.message, /GET \/nope/);
    for (const path of ['/v1/embeddings', '/v1/completions', '/v1/audio/speech']) {
      const res = await post(path);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unsupported_endpoint', path);
    }
    const batches = await post('/v1/messages/batches');
    assert.deepEqual(
      ((await batches.json()) as { type: string; error: { type: string } }).error.type,
      'not_found_error',
    );
    const near = await post('/v1/messagesx');
    assert.equal(((await near.json()) as { error: { code: string } }).error.code, 'unknown_url');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await post('/v1/models');
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow') ?? '', /\bGET\b/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'method_not_allowed');
    assert.match(body.error.message, /^Method POST is not allowed on \/v1\/models; use .*GET/);
    const messages = await fetch(`${server.url}/v1/messages`);
    assert.equal(messages.status, 405);
    assert.equal(messages.headers.get('allow'), 'POST');
    assert.equal(((await messages.json()) as { type: string }).type, 'error');
  });

  it('passes on the status and message of an exposed 4xx http error', async () => {
    const res = await post('/v1/chat/completions?fail=conflict');
    assert.equal(res.status, 409);
    assert.deepEqual(await res.json(), {
      error: { message: 'Already running.', type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('logs an unexpected error, answers 500 without its details, and keeps serving', async () => {
    const res = await post('/v1/chat/completions?fail=crash');
    assert.equal(res.status, 500);
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    assert.equal(body.error.code, 'internal_error');
    assert.equal(body.error.type, 'server_error');
    assert.doesNotMatch(body.error.message, /secret/);
    assert.equal(logger.errors.length, 1);
    assert.ok(logger.errors[0] instanceof TypeError);
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 200);
  });

  it('only logs an error thrown after the response has started', async () => {
    const res = await fetch(`${server.url}/v1/stream`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'data: partial\n\n');
    assert.equal(logger.errors.length, 1);
    assert.match(String(logger.errors[0]), /failed after the headers/);
  });
});

describe('toApiError', () => {
  it('keeps ApiErrors and maps what the body parser, Koa and the request signal throw', () => {
    const logger = recordingLogger();
    const api = errors.timeout('Too slow.');
    assert.equal(toApiError(api, logger), api);
    const cases: Array<[unknown, number, string | null]> = [
      [new ClientGoneError(), 499, 'client_closed_request'],
      [{ type: 'entity.parse.failed' }, 400, 'invalid_json'],
      [{ status: 400, message: 'Unexpected token in JSON at position 3' }, 400, 'invalid_json'],
      [{ type: 'entity.too.large' }, 413, 'request_too_large'],
      [{ status: 413, message: 'too big' }, 413, 'request_too_large'],
      [{ status: 404, expose: true, message: 'Nothing here.' }, 404, null],
    ];
    for (const [err, status, code] of cases) {
      const e = toApiError(err, logger);
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, status, JSON.stringify(err));
      assert.equal(e.code, code, JSON.stringify(err));
    }
    assert.deepEqual(logger.errors, []);
  });

  it('makes anything else a logged 500, a thrown string or an unexposed status included', () => {
    const logger = recordingLogger();
    assert.equal(toApiError('just a string', logger).status, 500);
    assert.equal(toApiError({ status: 400, expose: false, message: 'internal detail' }, logger).status, 500);
    assert.equal(toApiError({ status: 502, expose: true, message: 'upstream' }, logger).status, 500);
    assert.equal(logger.errors.length, 3);
    assert.equal(logger.errors[0], 'just a string');
  });

  it('picks the error shape by path', () => {
    const e = errors.notFound('Gone.');
    assert.deepEqual(errorBodyFor('/v1/messages')(e), {
      type: 'error',
      error: { type: 'not_found_error', message: 'Gone.' },
    });
    assert.deepEqual(errorBodyFor('/V1/MESSAGES/count_tokens')(e), errorBodyFor('/v1/messages')(e));
    for (const path of ['/v1/chat/completions', '/v1/messagesx', '/messages', '/'])
      assert.deepEqual(errorBodyFor(path)(e), {
        error: { message: 'Gone.', type: 'invalid_request_error', param: null, code: 'not_found' },
      });
  });
});
