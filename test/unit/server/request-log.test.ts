import assert from 'node:assert/strict';
import { requestLine } from '../../../src/server/request-log';

describe('request log line', () => {
  it('names the error code of a failed request between the status and the duration', () => {
    assert.equal(
      requestLine({
        method: 'POST',
        path: '/v1/chat/completions',
        model: 'sonnet',
        status: 503,
        ms: 17,
        errorCode: 'cli_not_found',
      }),
      'POST /v1/chat/completions model=sonnet 503 cli_not_found 17ms',
    );
  });

  it('keeps a successful line as before, with tokens and cost', () => {
    assert.equal(
      requestLine({
        method: 'POST',
        path: '/v1/responses',
        model: 'opus',
        status: 200,
        ms: 812,
        promptTokens: 12,
        completionTokens: 3,
        costUsd: 0.0012,
      }),
      'POST /v1/responses model=opus 200 812ms tokens=12/3 cost=$0.001200',
    );
  });

  it('names the code of an error that ended a stream after its 200', () => {
    assert.equal(
      requestLine({
        method: 'POST',
        path: '/v1/chat/completions',
        model: 'sonnet',
        status: 200,
        ms: 40,
        errorCode: 'server_stopping',
        streamError: 'CLI2API is stopping',
      }),
      'POST /v1/chat/completions model=sonnet 200 40ms stream error: server_stopping — CLI2API is stopping',
    );
  });
});
