/**
 * Native tool calling through the real CLI: the fake Anthropic API sees the client's tools
 * (as tools of CLI2API's MCP server), emits tool_use for them, and receives the client's
 * results as real tool_result blocks — from the live process that made the call, or from a
 * cold process after it is gone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import {
  type FakeReply,
  lastToolResults,
  offeredToolName,
  type RecordedRequest,
  resultText,
  systemText,
  textOf,
} from '../support/fake-anthropic';
import { type Stack, startStack, useStack } from '../support/stack';
import { until } from '../support/pool-helpers';

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

/** A backend that calls `tool` with `input` unless the last message already carries tool results. */
function callThenAnswer(
  tool: string,
  inputs: unknown[],
  answer = (req: RecordedRequest) =>
    `results: ${JSON.stringify(lastToolResults(req.body).map((r) => resultText(r.content)))}`,
) {
  return (req: RecordedRequest): FakeReply => {
    if (lastToolResults(req.body).length > 0) return { kind: 'message', blocks: [{ type: 'text', text: answer(req) }] };
    const name = offeredToolName(req, tool);
    return {
      kind: 'message',
      blocks: [
        { type: 'text', text: 'Let me check.' },
        ...inputs.map((input) => ({ type: 'tool_use' as const, name, input })),
      ],
    };
  };
}

describe('tool calling through the real CLI', function () {
  this.timeout(90_000);
  const stack = useStack();

  it('offers the client tools with their schemas, returns the call, and continues the same process with the result', async () => {
    stack.fake.handle(callThenAnswer('get_weather', [{ city: 'Paris' }]));
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    const offered = stack.fake.messageRequests[0]!.body.tools!;
    assert.equal(offered.length, 1, 'only the client tool, no built-in tools');
    assert.deepEqual(offered[0]!.input_schema, weatherTool.function.parameters);
    assert.equal(offered[0]!.description, 'Current weather for a city');

    const choice = first.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, 'Let me check.');
    const call = choice.message.tool_calls![0]!;
    assert.equal(call.type, 'function');
    assert.equal(
      call.type === 'function' && call.function.name,
      'get_weather',
      'the client never sees an internal prefix',
    );
    assert.deepEqual(call.type === 'function' && JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.equal(stack.server.cli.heldCalls, 1);

    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '18°C and sunny' });
    const second = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    assert.equal(second.choices[0]!.message.content, 'results: ["18°C and sunny"]');
    assert.ok(
      stack.logLines.some((l) => /continued claude pid=\d+ with 1 tool result/.test(l)),
      'the live process was continued',
    );
    const followUp = stack.fake.messageRequests[1]!.body;
    assert.deepEqual(
      lastToolResults(followUp).map((r) => r.tool_use_id),
      [call.id],
    );
  });

  it('streams the call: id, type and name once, then argument fragments that concatenate to the exact JSON', async () => {
    const json = '{"city": "Rome", "days": [1, 2]}';
    stack.fake.handle((req) =>
      lastToolResults(req.body).length > 0
        ? { kind: 'message', blocks: [{ type: 'text', text: 'thanks' }] }
        : {
            kind: 'message',
            blocks: [
              {
                type: 'tool_use',
                name: offeredToolName(req, 'get_weather'),
                input: JSON.parse(json),
                chunks: ['{"city": "Ro', 'me", "days": [1', ', 2]}'],
              },
            ],
          },
    );
    const stream = await stack.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'Rome?' }],
      tools: [weatherTool],
    });
    const deltas: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'tool_calls');
    assert.ok(deltas.every((d) => d.index === 0));
    assert.equal(deltas.filter((d) => d.id).length, 1);
    assert.equal(deltas[0]!.function?.name, 'get_weather');
    assert.equal(deltas[0]!.type, 'function');
    assert.deepEqual(
      deltas.slice(1).map((d) => d.function?.arguments),
      ['{"city": "Ro', 'me", "days": [1', ', 2]}'],
    );
    assert.equal(deltas.map((d) => d.function?.arguments ?? '').join(''), json);
    // Leave nothing waiting: answer the call.
    const id = deltas[0]!.id!;
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'user', content: 'Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: json } }],
        },
        { role: 'tool', tool_call_id: id, content: 'warm' },
      ],
      tools: [weatherTool],
    });
  });

  it('returns parallel calls with indexes 0..n-1 and takes both results back', async () => {
    stack.fake.handle(callThenAnswer('get_weather', [{ city: 'Paris' }, { city: 'Oslo' }]));
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Paris and Oslo?' }];
    const stream = await stack.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages,
      tools: [weatherTool],
    });
    const final = await collect(stream);
    const calls = final.tool_calls;
    assert.deepEqual(
      calls.map((c) => [c.index, JSON.parse(c.arguments)]),
      [
        [0, { city: 'Paris' }],
        [1, { city: 'Oslo' }],
      ],
    );
    messages.push(
      {
        role: 'assistant',
        content: final.content,
        tool_calls: calls.map((c) => ({
          id: c.id,
          type: 'function' as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      },
      { role: 'tool', tool_call_id: calls[0]!.id, content: 'rain' },
      { role: 'tool', tool_call_id: calls[1]!.id, content: 'snow' },
    );
    const answer = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    assert.match(answer.choices[0]!.message.content ?? '', /rain/);
    assert.match(answer.choices[0]!.message.content ?? '', /snow/);
    assert.deepEqual(
      lastToolResults(stack.fake.messageRequests.at(-1)!.body)
        .map((r) => r.tool_use_id)
        .sort(),
      calls.map((c) => c.id).sort(),
    );
  });

  for (const mode of ['non-streamed, results in call order', 'streamed, results in reverse order'] as const) {
    it(`answers a dozen parallel calls: the model gets every result, in the client's order (${mode})`, async () => {
      const logFrom = stack.logLines.length;
      const cities = Array.from({ length: 12 }, (_, i) => `City${i}`);
      stack.fake.handle(
        callThenAnswer(
          'get_weather',
          cities.map((city) => ({ city })),
        ),
      );
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in twelve cities?' }];
      const streamed = mode.startsWith('streamed');
      let calls: Array<{ id: string; name: string; arguments: string }>;
      let content: string | null;
      if (streamed) {
        const final = await collect(
          await stack.openai.chat.completions.create({ model: 'sonnet', stream: true, messages, tools: [weatherTool] }),
        );
        assert.equal(final.finish, 'tool_calls');
        ({ tool_calls: calls, content } = final);
      } else {
        const first = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
        assert.equal(first.choices[0]!.finish_reason, 'tool_calls');
        content = first.choices[0]!.message.content;
        calls = first.choices[0]!.message.tool_calls!.map((c) => {
          assert.ok(c.type === 'function');
          return { id: c.id, name: c.function.name, arguments: c.function.arguments };
        });
      }
      assert.deepEqual(
        calls.map((c) => (JSON.parse(c.arguments) as { city: string }).city),
        cities,
      );
      assert.equal(stack.server.cli.heldCalls, 12, 'all twelve calls reached CLI2API at once, and wait');
      const answered = streamed ? [...calls].reverse() : calls;
      messages.push(
        {
          role: 'assistant',
          content,
          tool_calls: calls.map((c) => ({
            id: c.id,
            type: 'function' as const,
            function: { name: c.name, arguments: c.arguments },
          })),
        },
        ...answered.map((c) => ({
          role: 'tool' as const,
          tool_call_id: c.id,
          content: `sunny in ${(JSON.parse(c.arguments) as { city: string }).city}`,
        })),
      );
      const answer = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
      assert.equal(answer.choices[0]!.finish_reason, 'stop');
      assert.ok(
        stack.logLines.slice(logFrom).some((l) => /continued claude pid=\d+ with 12 tool result/.test(l)),
        'the live process took the results',
      );
      const received = lastToolResults(stack.fake.messageRequests.at(-1)!.body);
      assert.deepEqual(
        received.map((r) => [r.tool_use_id, resultText(r.content)]),
        answered.map((c) => [c.id, `sunny in ${(JSON.parse(c.arguments) as { city: string }).city}`]),
        "every result, once, in the client's order",
      );
    });
  }

  it('continues after a pause of several seconds, and passes a tool error through', async () => {
    const logFrom = stack.logLines.length;
    stack.fake.handle(callThenAnswer('get_weather', [{ city: 'Lima' }]));
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Lima?' }];
    const first = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    await new Promise((r) => setTimeout(r, 4000));
    messages.push(first.choices[0]!.message, {
      role: 'tool',
      tool_call_id: call.id,
      content: 'Error: weather service unreachable',
    });
    const second = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    assert.match(second.choices[0]!.message.content ?? '', /weather service unreachable/);
    assert.ok(stack.logLines.slice(logFrom).some((l) => /continued claude pid=\d+ with 1 tool result/.test(l)));
  });

  it('takes the results in a fresh process, cleanly, after the server restarted', async () => {
    stack.fake.handle(callThenAnswer('get_weather', [{ city: 'Kyiv' }]));
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Kyiv?' }];
    const first = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    await stack.server.restart(); // kills the process holding the call
    const restarted = stack.server.state;
    assert.equal(restarted.kind, 'running');
    const client = new OpenAI({ baseURL: `${(restarted as { url: string }).url}/v1`, apiKey: 'x', maxRetries: 0 });
    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'cold' });
    const second = await client.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    assert.equal(second.choices[0]!.message.content, 'results: ["cold"]');
    const body = stack.fake.messageRequests.at(-1)!.body;
    const turns = body.messages.filter((m) => m.role !== 'system');
    assert.deepEqual(
      turns.map((m) => m.role),
      ['user', 'assistant', 'user'],
      'no synthetic "continue" turns',
    );
    const assistant = turns[1]!.content as Array<Record<string, unknown>>;
    assert.deepEqual(
      assistant.find((b) => b.type === 'tool_use'),
      {
        type: 'tool_use',
        id: call.id,
        name: offeredToolName(stack.fake.messageRequests.at(-1)!, 'get_weather'),
        input: { city: 'Kyiv' },
      },
    );
    assert.deepEqual(
      lastToolResults(body).map((r) => [r.tool_use_id, resultText(r.content)]),
      [[call.id, 'cold']],
    );
    assert.equal(textOf(turns[2]!.content), '', 'nothing but the tool result in the last turn');
    stack.openai = client;
  });

  it('tool_choice "none" offers no tools; a named tool_choice is stated, and refused answers are a clear error', async () => {
    stack.fake.handle(() => ({ kind: 'message', blocks: [{ type: 'text', text: 'plain answer' }] }));
    const none = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [weatherTool],
      tool_choice: 'none',
    });
    assert.equal(none.choices[0]!.message.content, 'plain answer');
    assert.deepEqual(stack.fake.messageRequests[0]!.body.tools, []);

    await assert.rejects(
      stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      }),
      (e: unknown) =>
        e instanceof OpenAI.UnprocessableEntityError &&
        (e.error as { code?: string }).code === 'tool_choice_not_satisfied',
    );
    assert.match(systemText(stack.fake.messageRequests[1]!.body), /must call the tool mcp__c__get_weather/);
  });

  it('adapts schemas the CLI would drop ($defs kept, top-level anyOf wrapped) and maps the arguments back', async () => {
    const tools: ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'book.flight',
          parameters: {
            type: 'object',
            $defs: { airport: { type: 'string', pattern: '^[A-Z]{3}$' } },
            properties: { from: { $ref: '#/$defs/airport' }, to: { $ref: '#/$defs/airport' } },
            required: ['from', 'to'],
          },
        },
      },
      {
        type: 'function',
        function: {
          name: 'choose',
          parameters: {
            anyOf: [
              { type: 'object', properties: { a: { type: 'string' } } },
              { type: 'object', properties: { b: { type: 'number' } } },
            ],
          },
        },
      },
    ];
    stack.fake.handle((req) => ({
      kind: 'message',
      blocks: [
        { type: 'tool_use', name: offeredToolName(req, 'book_flight'), input: { from: 'CDG', to: 'JFK' } },
        { type: 'tool_use', name: offeredToolName(req, 'choose'), input: { value: { b: 2 } } },
      ],
    }));
    const res = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'go' }],
      tools,
    });
    const offered = stack.fake.messageRequests[0]!.body.tools!;
    assert.deepEqual(
      offered.find((t) => t.name.endsWith('book_flight'))!.input_schema,
      tools[0]!.type === 'function' ? tools[0]!.function.parameters : undefined,
    );
    const calls = res.choices[0]!.message.tool_calls!.map((c) =>
      c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : [],
    );
    assert.deepEqual(calls, [
      ['book.flight', { from: 'CDG', to: 'JFK' }],
      ['choose', { b: 2 }],
    ]);
    await answerAll(stack, [{ role: 'user', content: 'go' }], res.choices[0]!.message, tools);
  });

  it('serves a Roo Code request (32 KB system prompt, 12 tools, parallel_tool_calls false) as native tool calls', async () => {
    // Modelled on Roo Code's native tool definitions (RooCodeInc/Roo-Code, src/core/prompts/tools/native-tools/*.ts:
    // read_file and execute_command with its top-level oneOf as published there) and on what Roo sends (../shared/notes/clients.md).
    const roo = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../fixtures/requests/roo-code-chat.json'), 'utf8'),
    ) as OpenAI.ChatCompletionCreateParamsStreaming;
    stack.fake.handle((req) => ({
      kind: 'message',
      blocks: [{ type: 'tool_use', name: offeredToolName(req, 'read_file'), input: { path: 'src/math.test.ts' } }],
    }));
    stack.fake.reply();
    const final = await collect(await stack.openai.chat.completions.create(roo));
    const body = stack.fake.messageRequests[0]!.body;
    assert.equal(body.tools!.length, 12);
    assert.ok(
      systemText(body).includes(String(roo.messages[0]!.content).slice(-2000)),
      'the whole system prompt reached the model',
    );
    assert.match(systemText(body), /at most one tool per response/);
    assert.ok(
      !body.tools!.some((t) => 'oneOf' in (t.input_schema as object)),
      'execute_command is still offered, without the top-level oneOf',
    );
    assert.equal(final.finish, 'tool_calls');
    assert.deepEqual(
      final.tool_calls.map((c) => [c.name, JSON.parse(c.arguments)]),
      [['read_file', { path: 'src/math.test.ts' }]],
    );
    await answerAll(
      stack,
      roo.messages,
      {
        role: 'assistant',
        content: null,
        tool_calls: final.tool_calls.map((c) => ({
          id: c.id,
          type: 'function' as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      },
      roo.tools!,
    );
  });

  it('keeps concurrent requests with different tools apart', async () => {
    stack.fake.handle((req) => ({
      kind: 'message',
      blocks: [{ type: 'text', text: (req.body.tools ?? []).map((t) => t.name).join(',') }],
    }));
    const tool = (name: string): ChatCompletionTool => ({
      type: 'function',
      function: { name, parameters: { type: 'object', properties: {} } },
    });
    const [a, b] = await Promise.all([
      stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'a' }],
        tools: [tool('alpha')],
      }),
      stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'b' }],
        tools: [tool('beta'), tool('gamma')],
      }),
    ]);
    assert.equal(a.choices[0]!.message.content, 'mcp__c__alpha');
    assert.equal(b.choices[0]!.message.content, 'mcp__c__beta,mcp__c__gamma');
  });

  it("works with the openai SDK's runTools helper", async () => {
    stack.fake.handle(
      callThenAnswer(
        'get_weather',
        [{ city: 'Quito' }],
        (req) => `It is ${resultText(lastToolResults(req.body)[0]!.content)} in Quito.`,
      ),
    );
    const runner = stack.openai.chat.completions.runTools({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Weather in Quito?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            parse: JSON.parse,
            function: (args: { city: string }) => `mild at ${args.city}`,
          },
        },
      ],
    });
    assert.equal(await runner.finalContent(), 'It is mild at Quito in Quito.');
  });

  describe('an abandoned call', () => {
    let short: Stack;
    before(async () => {
      // A held call is released after the request timeout. It must be long enough for the
      // first request itself (a CLI start) to finish on a loaded machine: 15 s, not 2.
      short = await startStack({ timeoutSeconds: 15 });
    });
    after(async () => {
      await short?.stop();
    });

    it('is released after the timeout: no process, no held call', async () => {
      short.fake.handle(callThenAnswer('get_weather', [{ city: 'Nowhere' }]));
      const res = await short.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'x' }],
        tools: [weatherTool],
      });
      assert.equal(res.choices[0]!.finish_reason, 'tool_calls');
      assert.equal(short.server.cli.heldCalls, 1);
      // Waited for, not timed: with the default pool a held process counts among those kept, so the release is the event.
      // (The held process counts until it has exited.)
      const released = () => short.server.cli.heldCalls === 0 && short.server.cli.pooled.held === 0;
      await until('the held call released and its process gone', released, 30_000);
      await short.assertNoProcesses(30_000);
      assert.ok(
        short.logLines.some((l) => /got no result within 15 s; stopping claude/.test(l)),
        'released by the timeout, not by chance',
      );
    });
  });
});

interface Collected {
  content: string;
  finish: string | null;
  tool_calls: Array<{ index: number; id: string; name: string; arguments: string }>;
}

async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<Collected> {
  const out: Collected = { content: '', finish: null, tool_calls: [] };
  for await (const chunk of stream) {
    const c = chunk.choices[0];
    if (!c) continue;
    out.content += c.delta.content ?? '';
    out.finish = c.finish_reason ?? out.finish;
    for (const t of c.delta.tool_calls ?? []) {
      const call = (out.tool_calls[t.index] ??= { index: t.index, id: '', name: '', arguments: '' });
      call.id ||= t.id ?? '';
      call.name ||= t.function?.name ?? '';
      call.arguments += t.function?.arguments ?? '';
    }
  }
  return out;
}

/** Sends a result for every call in `assistant`, so no held call outlives the test. */
async function answerAll(
  stack: Stack,
  messages: ChatCompletionMessageParam[],
  assistant: OpenAI.ChatCompletionMessageParam & { role: 'assistant' },
  tools: ChatCompletionTool[],
) {
  const calls = (assistant.tool_calls ?? []) as Array<{ id: string }>;
  stack.fake.handle(() => ({ kind: 'message', blocks: [{ type: 'text', text: 'done' }] }));
  await stack.openai.chat.completions.create({
    model: 'sonnet',
    messages: [
      ...messages,
      assistant,
      ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: 'ok' })),
    ],
    tools,
  });
}
