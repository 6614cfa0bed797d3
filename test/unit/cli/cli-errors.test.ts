import assert from 'node:assert/strict';
import { errorFromResult } from '../../../src/cli/cli-errors';
import type { ResultLine } from '../../../src/cli/events';

const result = (text: string, status: number | null = null): ResultLine =>
  ({ type: 'result', subtype: 'success', is_error: true, result: text, api_error_status: status }) as ResultLine;

describe('CLI errors', () => {
  it('classifies CLI failures into API errors', () => {
    const cases: Array<[ResultLine, number, string]> = [
      [result('Invalid API key · Fix external API key', 401), 401, 'cli_not_authenticated'],
      [result('Not logged in · Please run /login'), 401, 'cli_not_authenticated'],
      [result('API Error: Request rejected (429) · too many', 429), 429, 'rate_limit_exceeded'],
      [result('API Error: 529 Overloaded'), 503, 'overloaded'],
      [result("There's an issue with the selected model (x). It may not exist"), 404, 'model_not_found'],
      [result('Request timed out'), 504, 'timeout'],
      [result('API Error: 400 Third-party apps now draw from your extra usage'), 403, 'cli_usage_refused'],
      [result('API Error: Unable to connect to API (ConnectionRefused)'), 502, 'upstream_error'],
      [result('Failed to provide valid structured output after 5 attempts'), 422, 'structured_output_failed'],
    ];
    for (const [line, status, code] of cases) {
      const e = errorFromResult(line, 'x');
      assert.equal(e.status, status, line.result);
      assert.equal(e.code, code, line.result);
    }
  });
});
