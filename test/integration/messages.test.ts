/**
 * Anthropic's Messages API end to end: the `@anthropic-ai/sdk` client → CLI2API → the real
 * Claude Code CLI → the fake Anthropic API. Every test also proves that no CLI process outlives it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import {
  lastMessage,
  lastToolResults,
  lastUserText,
  offeredToolName,
  resultText,
  systemText,
  textOf,
} from '../support/fake-anthropic';
import { useStack } from '../support/stack';

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('anthropic messages through the real CLI', function () {
  this.timeout(90_000);
  const stack = useStack();
  let client: Anthropic;
  before(() => {
    client = new Anthropic({ baseURL: stack.baseURL.replace(/\/v1$/, ''), apiKey: 'x', maxRetries: 0 });
  });

  it('answers messages.create with a message object and usage from the CLI result', async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'Paris.' }],
      usage: { input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    });
    const message = await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    assert.match(message.id, /^msg_/);
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, 'sonnet');
    assert.deepEqual(message.content, [{ type: 'text', text: 'Paris.' }]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
    assert.deepEqual(message.usage, {
      input_tokens: 30,
      output_tokens: 9,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 20,
    });
    const sent = stack.fake.messageRequests[0]!.body;
    assert.match(systemText(sent), /You are terse\./);
    assert.equal(lastUserText(sent), 'Capital of France?');
  });

  it('streams events in the order the SDK expects, and finalMessage() folds them', async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'Counting.' },
        { type: 'text', text: 'one two three', chunks: ['one', ' two', ' three'] },
      ],
    });
    const stream = client.messages.stream({
      model: 'haiku',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'count' }],
    });
    const events: Anthropic.MessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalMessage();
    const order = events.map((e) =>
      e.type === 'content_block_delta'
        ? `${e.index}:${e.delta.type}`
        : e.type === 'content_block_start'
          ? `start:${e.content_block.type}`
          : e.type,
    );
    const thinkingDeltas = order.filter((o) => o === '0:thinking_delta' || o === '0:signature_delta');
    assert.deepEqual(order, [
      'message_start',
      'start:thinking',
      ...thinkingDeltas,
      'content_block_stop',
      'start:text',
      '1:text_delta',
      '1:text_delta',
      '1:text_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    assert.ok(thinkingDeltas.includes('0:thinking_delta'));
    const start = events[0] as Anthropic.RawMessageStartEvent;
    assert.equal(start.message.model, 'haiku');
    assert.equal(start.message.id, final.id);
    assert.equal(final.content.length, 2);
    assert.equal(final.content[0]!.type, 'thinking');
    assert.equal(final.content[0]!.type === 'thinking' && final.content[0]!.thinking, 'Counting.');
    assert.deepEqual(final.content[1], { type: 'text', text: 'one two three' });
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.output_tokens, 5);
  });

  it('round-trips a tool call: tool_use with the client tool name, then the tool_result reaches the model', async () => {
    stack.fake.handle((req) => {
      const results = lastToolResults(req.body);
      if (results.length > 0)
        return { kind: 'message', blocks: [{ type: 'text', text: `got ${resultText(results[0]!.content)}` }] };
      return {
        kind: 'message',
        blocks: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Paris' } },
        ],
      };
    });
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.messages
      .stream({ model: 'sonnet', max_tokens: 256, messages, tools: [weatherTool] })
      .finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    const call = first.content.find((b) => b.type === 'tool_use');
    assert.ok(call && call.type === 'tool_use');
    assert.equal(call.name, 'get_weather', "the client's tool name, not the CLI's MCP name");
    assert.deepEqual(call.input, { city: 'Paris' });

    messages.push(
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18°C and sunny' }] },
    );
    const second = await client.messages.create({ model: 'sonnet', max_tokens: 256, messages, tools: [weatherTool] });
    assert.deepEqual(second.content, [{ type: 'text', text: 'got 18°C and sunny' }]);
    assert.equal(second.stop_reason, 'end_turn');
    const followUp = stack.fake.messageRequests.at(-1)!.body;
    assert.deepEqual(
      lastToolResults(followUp).map((r) => [r.tool_use_id, resultText(r.content)]),
      [[call.id, '18°C and sunny']],
    );
    assert.equal(stack.server.cli.heldCalls, 0, 'no tool call is left waiting');
  });

  describe('what Claude Code 2.1.332 sends (recorded by the agents investigation)', () => {
    const recordedRequest = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(__dirname, `../fixtures/requests/${name}.json`), 'utf8')) as {
        path: string;
        headers: Record<string, string>;
        body: { messages: Array<{ role: string }>; [k: string]: unknown };
      };
    const send = async (name: string) => {
      const r = recordedRequest(name);
      const res = await fetch(stack.baseURL.replace(/\/v1$/, '') + r.path, {
        method: 'POST',
        headers: { ...r.headers, 'x-api-key': 'any' },
        body: JSON.stringify(r.body),
      });
      return { res, text: await res.text() };
    };

    it('serves its first request (?beta=true, betas, a role:"system" message after the prompt, deferred tools)', async () => {
      stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'Hello from the fake.' }] });
      const { res, text } = await send('claude-code-2.1.332-first');
      assert.equal(res.status, 200, text);
      assert.match(text, /event: message_start[\s\S]*Hello from the fake\.[\s\S]*event: message_stop/);
      const sent = stack.fake.messageRequests[0]!.body;
      const last = textOf(lastMessage(sent)!.content);
      assert.match(last, /Say hello\n<system-message>\n# Environment\n/, 'the system message stays after the prompt');
      const offered = (sent.tools ?? []).map((t) => t.name.replace(/^mcp__c__/, ''));
      assert.ok(offered.includes('Bash') && offered.includes('ToolSearch'));
      assert.ok(!offered.includes('DeferredToolPlaceholder'), 'a deferred tool nobody loaded is not offered');
    });

    it('serves its tool-result follow-up (thinking with a signature, tool_result with cache_control)', async () => {
      stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'The proof says 42.' }] });
      const { res, text } = await send('claude-code-2.1.332-tool-result');
      assert.equal(res.status, 200, text);
      assert.match(text, /The proof says 42\./);
      const sent = stack.fake.messageRequests[0]!.body;
      assert.deepEqual(
        lastToolResults(sent).map((r) => resultText(r.content)),
        ['42'],
      );
      assert.ok(
        !JSON.stringify(sent.messages).includes('Recorder thinking'),
        'earlier thinking is not replayed (the CLI makes its own)',
      );
    });
  });

  it('answers output_config.format json_schema with the JSON as the text', async () => {
    stack.fake.handle((req) => {
      const tool = (req.body.tools ?? []).find((t) => t.name === 'StructuredOutput');
      if (!tool) return { kind: 'message', blocks: [{ type: 'text', text: 'no tool offered' }] };
      return { kind: 'message', blocks: [{ type: 'tool_use', name: tool.name, input: { city: 'Rome' } }] };
    });
    const message = await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Which city?' }],
      output_config: {
        format: { type: 'json_schema', schema: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    } as Anthropic.MessageCreateParamsNonStreaming);
    assert.deepEqual(message.content, [{ type: 'text', text: '{"city":"Rome"}' }]);
  });

  it('delivers an image tool result to the model the same way from the live process and from a cold start', async () => {
    const chartTool: Anthropic.Tool = {
      name: 'render_chart',
      description: 'Renders a chart',
      input_schema: { type: 'object', properties: {} },
    };
    stack.fake.handle((req) =>
      lastToolResults(req.body).length > 0
        ? { kind: 'message', blocks: [{ type: 'text', text: 'A single pixel.' }] }
        : { kind: 'message', blocks: [{ type: 'tool_use', name: offeredToolName(req, 'render_chart'), input: {} }] },
    );
    const result = (id: string): Anthropic.MessageParam => ({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: id,
          content: [
            { type: 'text', text: 'Here is the chart:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
      ],
    });
    const ask: Anthropic.MessageParam = { role: 'user', content: 'Draw it.' };

    // Live: the process that made the call takes the result.
    const first = await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      messages: [ask],
      tools: [chartTool],
    });
    const call = first.content.find((b) => b.type === 'tool_use')!;
    assert.ok(call.type === 'tool_use');
    await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      messages: [ask, { role: 'assistant', content: first.content }, result(call.id)],
      tools: [chartTool],
    });
    assert.ok(
      stack.logLines.some((l) => /continued claude pid=\d+ with 1 tool result/.test(l)),
      'the live process took the result',
    );
    const live = lastToolResults(stack.fake.messageRequests.at(-1)!.body);

    // Cold: the same conversation, whose call no process holds, goes to a new process as a transcript.
    const coldId = 'toolu_cold_1';
    await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      messages: [ask, { role: 'assistant', content: [{ ...call, id: coldId }] }, result(coldId)],
      tools: [chartTool],
    });
    const cold = lastToolResults(stack.fake.messageRequests.at(-1)!.body);

    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } };
    assert.deepEqual(
      live.map((r) => r.content),
      [[{ type: 'text', text: 'Here is the chart:' }, image]],
    );
    assert.deepEqual(
      cold.map((r) => r.content),
      live.map((r) => r.content),
      'the model receives the same content either way',
    );
  });

  it('estimates countTokens without running the model', async () => {
    const res = await client.messages.countTokens({
      model: 'sonnet',
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'x'.repeat(400) }],
      tools: [weatherTool],
    });
    assert.ok(res.input_tokens > 100 && res.input_tokens < 250, String(res.input_tokens));
    assert.equal(stack.fake.messageRequests.length, 0);
  });

  it("maps a backend 429 to the SDK's RateLimitError, in Anthropic's error shape", async () => {
    stack.fake.reply({
      kind: 'error',
      status: 429,
      errorType: 'rate_limit_error',
      message: 'Number of requests has exceeded your rate limit',
    });
    await assert.rejects(
      client.messages.create({ model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) =>
        e instanceof Anthropic.RateLimitError &&
        e.status === 429 &&
        (e.error as { type?: string; error?: { type?: string } }).error?.type === 'rate_limit_error',
    );
  });

  it('refuses a request without max_tokens with an invalid_request_error', async () => {
    const res = await fetch(`${stack.baseURL}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'x' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /max_tokens/);
  });

  it('sends an error event when the stream fails after it started', async () => {
    stack.fake.reply(
      { kind: 'truncate', text: 'partial answer' },
      { kind: 'error', status: 500, errorType: 'api_error', message: 'boom' },
    );
    const stream = client.messages.stream({
      model: 'sonnet',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    await assert.rejects(async () => {
      for await (const e of stream)
        if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
    }, Anthropic.APIError);
    assert.equal(text, 'partial answer');
  });
});

describe("anthropic errors raised before the route, in Anthropic's shape", function () {
  this.timeout(60_000);
  const KEY = 'anthropic-key-0123456789';
  const stack = useStack({ apiKeys: [KEY], maxBodyMb: 1 });
  let base: string;
  let client: Anthropic;
  before(() => {
    base = stack.baseURL.replace(/\/v1$/, '');
    client = new Anthropic({ baseURL: base, apiKey: KEY, maxRetries: 0 });
  });

  /** A raw request (fetch cannot set Host), its status and JSON body. */
  function send(
    path: string,
    opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
  ): Promise<{ status: number; body: unknown }> {
    const { hostname, port } = new URL(base);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { hostname, port, path, method: opts.method ?? 'POST', headers: opts.headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  function assertAnthropicError(r: { status: number; body: unknown }, status: number, type: string): void {
    assert.equal(r.status, status, JSON.stringify(r.body));
    const body = r.body as { type: string; error: { type: string; message: string } };
    assert.deepEqual(Object.keys(body).sort(), ['error', 'type'], JSON.stringify(body));
    assert.equal(body.type, 'error');
    assert.deepEqual(Object.keys(body.error).sort(), ['message', 'type']);
    assert.equal(body.error.type, type);
    assert.ok(body.error.message.length > 10);
  }

  const json = { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' };
  const valid = JSON.stringify({ model: 'sonnet', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

  it('malformed JSON: 400 invalid_request_error', async () => {
    assertAnthropicError(
      await send('/v1/messages', { headers: json, body: '{"model":' }),
      400,
      'invalid_request_error',
    );
    assertAnthropicError(
      await send('/v1/messages/count_tokens', { headers: json, body: '[' }),
      400,
      'invalid_request_error',
    );
  });

  it('a body over the limit: 413 request_too_large', async () => {
    const big = JSON.stringify({
      model: 'sonnet',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x'.repeat(2 ** 21) }],
    });
    assertAnthropicError(await send('/v1/messages', { headers: json, body: big }), 413, 'request_too_large');
    await assert.rejects(
      client.messages.create({
        model: 'sonnet',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x'.repeat(2 ** 21) }],
      }),
      (e: unknown) =>
        e instanceof Anthropic.APIError && e.status === 413 && (e.error as { type?: string }).type === 'error',
    );
  });

  it('a foreign Host or browser Origin: 403 permission_error', async () => {
    assertAnthropicError(
      await send('/v1/messages', { headers: { ...json, host: 'rebound.example' }, body: valid }),
      403,
      'permission_error',
    );
    assertAnthropicError(
      await send('/v1/messages', { headers: { ...json, origin: 'https://evil.example' }, body: valid }),
      403,
      'permission_error',
    );
  });

  it('a missing or wrong key: 401 authentication_error, as the SDK expects', async () => {
    const { 'x-api-key': _key, ...keyless } = json;
    assertAnthropicError(await send('/v1/messages', { headers: keyless, body: valid }), 401, 'authentication_error');
    assertAnthropicError(
      await send('/V1/Messages/', { headers: { ...json, 'x-api-key': 'wrong-key-000000' }, body: valid }),
      401,
      'authentication_error',
    );
    const wrong = new Anthropic({ baseURL: base, apiKey: 'wrong-key-000000', maxRetries: 0 });
    await assert.rejects(
      wrong.messages.create({ model: 'sonnet', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) =>
        e instanceof Anthropic.AuthenticationError &&
        (e.error as { error?: { type?: string } }).error?.type === 'authentication_error',
    );
  });

  it('an unknown path under /v1/messages: 404 not_found_error; a wrong method: 405', async () => {
    assertAnthropicError(await send('/v1/messages/batches', { headers: json, body: valid }), 404, 'not_found_error');
    assertAnthropicError(await send('/v1/messages', { method: 'GET', headers: json }), 405, 'invalid_request_error');
    assertAnthropicError(
      await send('/V1/MESSAGES/count_tokens', { method: 'DELETE', headers: json }),
      405,
      'invalid_request_error',
    );
    assert.equal(stack.fake.messageRequests.length, 0, 'none of these reached the model');
  });
});
