/** ApiErrors in OpenAI's error shape, with the `type` OpenAI's SDKs read. */
import assert from 'node:assert/strict';
import { ApiError, errors } from '../../../src/core/api-error';
import { openaiErrorBody, openaiErrorType } from '../../../src/openai/error-body';

describe('OpenAI error body', () => {
  it('has message, type, param and code', () => {
    assert.deepEqual(openaiErrorBody(errors.invalidRequest('Bad role.', 'messages[0].role', 'invalid_value')), {
      error: { message: 'Bad role.', type: 'invalid_request_error', param: 'messages[0].role', code: 'invalid_value' },
    });
    assert.deepEqual(openaiErrorBody(new ApiError(500, 'Boom.')), {
      error: { message: 'Boom.', type: 'server_error', param: null, code: null },
    });
  });

  it('derives the type from the status (and a bad key from its code)', () => {
    const cases: Array<[number, string | null, string]> = [
      [400, null, 'invalid_request_error'],
      [401, 'cli_not_authenticated', 'authentication_error'],
      [401, 'invalid_api_key', 'invalid_request_error'],
      [403, 'host_not_allowed', 'permission_error'],
      [404, 'model_not_found', 'invalid_request_error'],
      [413, 'request_too_large', 'invalid_request_error'],
      [422, 'tool_choice_not_satisfied', 'invalid_request_error'],
      [429, 'queue_full', 'rate_limit_error'],
      [500, 'internal_error', 'server_error'],
      [502, 'upstream_error', 'server_error'],
      [503, 'overloaded', 'server_error'],
      [504, 'timeout', 'server_error'],
    ];
    for (const [status, code, type] of cases)
      assert.equal(openaiErrorType({ status, code }), type, `${status} ${code}`);
  });
});
