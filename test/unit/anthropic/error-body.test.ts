/** ApiErrors in Anthropic's error shape, with the types Anthropic's SDKs and Claude Code know. */
import assert from 'node:assert/strict';
import { errors } from '../../../src/core/api-error';
import { anthropicErrorBody, anthropicErrorType } from '../../../src/anthropic/error-body';

describe('Anthropic error body', () => {
  it('is {"type":"error","error":{type,message}}, without OpenAI’s param and code', () => {
    assert.deepEqual(anthropicErrorBody(errors.invalidRequest('Bad role.', 'messages[0].role', 'invalid_value')), {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Bad role.' },
    });
    assert.deepEqual(anthropicErrorBody(errors.queueFull(2)).error.type, 'rate_limit_error');
  });

  it('maps each status to its error type', () => {
    const cases: Array<[number, string]> = [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [405, 'invalid_request_error'],
      [413, 'request_too_large'],
      [422, 'invalid_request_error'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [502, 'api_error'],
      [503, 'overloaded_error'],
      [504, 'api_error'],
      [529, 'overloaded_error'],
    ];
    for (const [status, type] of cases) assert.equal(anthropicErrorType(status), type, String(status));
  });
});
