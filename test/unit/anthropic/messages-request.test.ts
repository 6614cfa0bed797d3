/** Anthropic Messages request → ModelRequest, and the Anthropic error shape. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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
    rejects400({ messages, tools: [{ type: 'bash_20250124', name: 'bash' }] }, /^tools\[0\]\.type$/);
  });

  it('leaves server tools out, unless tool_choice forces one (a 400 that says why)', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const tools = [
      { name: 'get_weather', input_schema: { type: 'object' } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      { type: 'mcp_toolset', name: 'mcp', mcp_server_name: 'x' },
    ];
    const p = plan({ messages, tools });
    assert.deepEqual(
      p.request.tools?.map((t) => t.name),
      ['get_weather'],
    );
    assert.deepEqual(p.leftOutTools, ['web_search_20250305 (tools[1])', 'mcp_toolset (tools[2])']);
    assert.throws(
      () => plan({ messages, tools, tool_choice: { type: 'tool', name: 'web_search' } }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.param === 'tool_choice.name' &&
        /forces the server tool 'web_search'/.test(e.message),
    );
  });

  it('hides defer_loading tools until a tool_reference loads them, as tool search does', () => {
    const tools = [
      { name: 'ToolSearch', input_schema: { type: 'object' } },
      { name: 'WebFetch', input_schema: { type: 'object' }, defer_loading: true },
      { name: 'CronList', input_schema: { type: 'object' }, defer_loading: true },
    ];
    const first = plan({ tools, messages: [{ role: 'user', content: 'fetch it' }] });
    assert.deepEqual(
      first.request.tools?.map((t) => t.name),
      ['ToolSearch'],
    );
    const later = plan({
      tools,
      messages: [
        { role: 'user', content: 'fetch it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ToolSearch', input: { query: 'fetch' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'tool_reference', tool_name: 'WebFetch' }] },
          ],
        },
      ],
    });
    assert.deepEqual(
      later.request.tools?.map((t) => t.name),
      ['ToolSearch', 'WebFetch'],
    );
    assert.deepEqual(later.request.turns[2]!.content, [
      {
        type: 'tool_result',
        tool_use_id: 't1',
        content: [{ type: 'text', text: 'Tool found and now available: WebFetch' }],
      },
    ]);
    const serverSearch = plan({
      tools: [...tools, { type: 'tool_search_tool_regex_20251119', name: 'tool_search_tool_regex' }],
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.deepEqual(
      serverSearch.request.tools?.map((t) => t.name),
      ['ToolSearch', 'WebFetch', 'CronList'],
      'with a server-side search the CLI cannot run, every deferred tool is offered',
    );
  });

  it('keeps role:"system" messages in place: leading ones in the system prompt, later ones in the user turn', () => {
    const { request } = plan({
      system: 'Base.',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Leading.', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'q1' },
        { role: 'system', content: 'Env: /w', output_config: { effort: 'medium' } },
        { role: 'assistant', content: 'a1' },
        { role: 'system', content: [] },
        { role: 'system', content: 'Between.' },
        { role: 'user', content: 'q2' },
      ],
    });
    assert.equal(request.system, 'Base.\n\nLeading.');
    assert.deepEqual(request.turns, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'q1' },
          { type: 'text', text: '<system-message>\nEnv: /w\n</system-message>' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'a1' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-message>\nBetween.\n</system-message>' },
          { type: 'text', text: 'q2' },
        ],
      },
    ]);
    rejects400(
      {
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'system',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'x' } }],
          },
        ],
      },
      /^messages\[1\]\.content\[0\]\.type$/,
    );
  });

  it('maps output_config.format (and the beta output_format) to a JSON schema answer', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const messages = [{ role: 'user', content: 'x' }];
    assert.deepEqual(
      plan({ messages, output_config: { format: { type: 'json_schema', schema } } }).request.jsonSchema,
      schema,
    );
    assert.deepEqual(plan({ messages, output_format: { type: 'json_schema', schema } }).request.jsonSchema, schema);
    assert.equal(plan({ messages }).request.jsonSchema, undefined);
  });

  for (const name of ['claude-code-2.1.332-first', 'claude-code-2.1.332-tool-result']) {
    it(`accepts what Claude Code 2.1.332 sends (${name}): system messages, thinking, deferred tools`, () => {
      const recorded = JSON.parse(
        fs.readFileSync(path.join(__dirname, `../../fixtures/requests/${name}.json`), 'utf8'),
      ) as { body: Record<string, unknown> };
      const { request } = plan(recorded.body);
      assert.match(request.system, /You are a Claude agent/);
      const names = request.tools?.map((t) => t.name) ?? [];
      assert.ok(names.includes('Bash') && names.includes('ToolSearch'));
      assert.ok(!names.includes('DeferredToolPlaceholder'), 'a deferred tool nobody loaded stays hidden');
      assert.match(JSON.stringify(request.turns[0]), /<system-message>\\n# Environment/);
      assert.equal(request.effort, 'medium');
      assert.equal(request.turns.at(-1)?.role, 'user');
    });
  }

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
