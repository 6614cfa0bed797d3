/** The `errors` factory: the status, code and headers each failure carries to the client. */
import assert from 'node:assert/strict';
import { ApiError, errors } from '../../../src/core/api-error';

describe('API errors', () => {
  it('gives each kind of failure its status and code', () => {
    const cases: Array<[ApiError, number, string]> = [
      [errors.invalidRequest('bad', 'messages'), 400, ''],
      [errors.notFound('gone'), 404, 'not_found'],
      [errors.modelNotFound('gpt-9'), 404, 'model_not_found'],
      [errors.payloadTooLarge('big'), 413, 'request_too_large'],
      [errors.authentication('who'), 401, 'cli_not_authenticated'],
      [errors.usageRefused('no'), 403, 'cli_usage_refused'],
      [errors.overloaded('busy'), 503, 'overloaded'],
      [errors.stopping(), 503, 'server_stopping'],
      [errors.cliUnavailable('where'), 503, 'cli_not_found'],
      [errors.upstream('down'), 502, 'upstream_error'],
      [errors.timeout('slow'), 504, 'timeout'],
      [errors.internal('oops'), 500, 'internal_error'],
    ];
    for (const [e, status, code] of cases) {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, status, e.message);
      assert.equal(e.code ?? '', code, e.message);
    }
    assert.equal(errors.invalidRequest('bad', 'messages', 'invalid_value').param, 'messages');
  });

  it('names the model, and what the CLI said about it', () => {
    const e = errors.modelNotFound('gpt-9', 'no such model');
    assert.equal(e.param, 'model');
    assert.match(e.message, /'gpt-9' does not exist.*Claude Code said: no such model/);
    assert.doesNotMatch(errors.modelNotFound('gpt-9').message, /Claude Code said/);
  });

  it('sends Retry-After on 429s when the wait is known, and Allow on 405', () => {
    assert.deepEqual(errors.rateLimited('slow down', 7).headers, { 'Retry-After': '7' });
    assert.deepEqual(errors.rateLimited('slow down').headers, {});
    assert.deepEqual(
      errors.rateLimited('retry now', 0).headers,
      { 'Retry-After': '0' },
      'a wait of 0 s is still known',
    );
    const full = errors.queueFull(3);
    assert.equal(full.status, 429);
    assert.equal(full.code, 'queue_full');
    assert.deepEqual(full.headers, { 'Retry-After': '3' });
    const method = errors.methodNotAllowed('PUT', '/v1/models', ['GET', 'HEAD']);
    assert.equal(method.status, 405);
    assert.deepEqual(method.headers, { Allow: 'GET, HEAD' });
    assert.match(method.message, /PUT is not allowed on \/v1\/models; use GET, HEAD/);
  });
});
