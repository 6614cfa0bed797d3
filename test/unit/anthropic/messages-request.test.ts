/** Anthropic Messages request → ModelRequest, and the Anthropic error shape. */
import assert from 'node:assert/strict';
import { estimateInputTokens, planMessages } from '../../../src/anthropic/messages-request';
import { countTokensSchema, messagesRequestSchema } from '../../../src/anthropic/messages-schema';
import { ApiError } from '../../../src/core/api-error';
import { validate } from '../../../src/core/validate';
import { anthropicErrorBody, anthropicErrorType } from '../../../src/anthropic/error-body';

const plan = (body: Record<string, unknown>) =>
  planMessages(validate(messagesRequestSchema, { max_tokens: 100, ...body }), 'sonnet');
const rejects400 = (body: Record<string, unknown>, param: RegExp) =>
  assert.throws(
    () => plan(body),
    (e: unknown) => e instanceof ApiError && e.status === 400 && param.test(e.param ?? ''),
  );

describe('messages request planning', () => {
  it('maps system blocks, string content, max_tokens, stop_sequences and effort', () => {
    const { request, stream } = plan({
      model: 'opus',
      system: [
        { type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be kind.' },
      ],
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 321,
      stop_sequences: ['END', ''],
      temperature: 0.5,
      top_k: 5,
      metadata: { user_id: 'u' },
      output_config: { effort: 'high' },
      stream: true,
    });
    assert.equal(stream, true);
    assert.equal(request.model, 'opus');
    assert.equal(request.system, 'Be terse.\n\nBe kind.');
    assert.deepEqual(request.turns, [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    assert.equal(request.maxOutputTokens, 321);
    assert.deepEqual(request.stop, ['END']);
    assert.equal(request.effort, 'high');
  });

  it('keeps tool_use, tool_result and images, drops thinking, and puts tool results first', () => {
    const { request } = plan({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'redacted_thinking', data: 'x' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'thanks' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] },
          ],
        },
      ],
    });
    assert.deepEqual(request.turns[0]!.content[1], {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
    });
    assert.deepEqual(request.turns[1]!.content, [
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    assert.deepEqual(request.turns[2]!.content, [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] },
      { type: 'text', text: 'thanks' },
    ]);
  });

  it('maps tools and tool_choice', () => {
    const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: {} } }];
    const messages = [{ role: 'user', content: 'hi' }];
    const auto = plan({ messages, tools, tool_choice: { type: 'auto', disable_parallel_tool_use: true } }).request;
    assert.deepEqual(auto.tools, [
      { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} } },
    ]);
    assert.equal(auto.toolChoice, 'auto');
    assert.equal(auto.parallelToolCalls, false);
    assert.equal(plan({ messages, tools, tool_choice: { type: 'any' } }).request.toolChoice, 'required');
    assert.equal(plan({ messages, tools, tool_choice: { type: 'none' } }).request.toolChoice, 'none');
    assert.deepEqual(plan({ messages, tools, tool_choice: { type: 'tool', name: 'get_weather' } }).request.toolChoice, {
      name: 'get_weather',
    });
    rejects400({ messages, tools, tool_choice: { type: 'tool', name: 'nope' } }, /tool_choice/);
    rejects400({ messages, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, /^tools\[0\]\.type$/);
  });

  it('refuses what cannot be served with a 400 that names the field', () => {
    rejects400({ messages: [{ role: 'user', content: 'hi' }], max_tokens: undefined }, /^max_tokens$/);
    rejects400(
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'prefill' },
        ],
      },
      /^messages$/,
    );
    rejects400(
      { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] },
      /source/,
    );
    rejects400(
      { messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
      /^messages\[0\]\.content\[0\]\.type$/,
    );
  });

  it('estimates count_tokens at ~4 characters per token', () => {
    const body = validate(countTokensSchema, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'x'.repeat(400) }],
    });
    const n = estimateInputTokens(body);
    assert.ok(n >= 100 && n < 130, String(n));
  });

  it("maps ApiError statuses to Anthropic's error types", () => {
    const types = [400, 401, 403, 404, 413, 422, 429, 500, 502, 503, 504, 529].map(anthropicErrorType);
    assert.deepEqual(types, [
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'invalid_request_error',
      'rate_limit_error',
      'api_error',
      'api_error',
      'overloaded_error',
      'api_error',
      'overloaded_error',
    ]);
    assert.deepEqual(anthropicErrorBody(new ApiError(429, 'slow down')), {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow down' },
    });
  });
});
