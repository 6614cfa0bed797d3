/**
 * The Responses API end to end: the `openai` SDK → CLI2API → the real Claude Code CLI →
 * the fake Anthropic API. Every test also proves that no CLI process outlives it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import {
  conversation,
  lastMessage,
  lastToolResults,
  offeredToolName,
  resultText,
  systemText,
  textOf,
  type FakeReply,
  type RecordedRequest,
} from '../support/fake-anthropic';
import { useStack } from '../support/stack';
import { gate } from '../support/wait';

type Block = Record<string, unknown>;
/** OpenAI's response object echoes `store`; the SDK's type does not declare it. */
const echoedStore = (r: OpenAI.Responses.Response) => (r as unknown as { store?: boolean }).store;
const blocks = (content: string | Block[]): Block[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content;

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: false,
};

/** Calls get_weather for Paris, or answers with the tool results it got back. */
function weatherBackend(req: RecordedRequest): FakeReply {
  const results = lastToolResults(req.body);
  if (results.length > 0)
    return {
      kind: 'message',
      blocks: [{ type: 'text', text: `results: ${JSON.stringify(results.map((r) => resultText(r.content)))}` }],
    };
  return {
    kind: 'message',
    blocks: [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Paris' } },
    ],
  };
}

describe('responses API through the real CLI', function () {
  this.timeout(60_000);
  const stack = useStack();

  it('answers a non-streamed request with a message item, usage, and the instructions as system prompt', async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'Paris.' }],
      usage: { input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    });
    const response = await stack.openai.responses.create({
      model: 'sonnet',
      instructions: 'You are terse.',
      input: 'Capital of France?',
    });
    assert.equal(response.object, 'response');
    assert.match(response.id, /^resp_/);
    assert.equal(response.status, 'completed');
    assert.equal(response.model, 'sonnet');
    assert.equal(response.output_text, 'Paris.');
    assert.equal(response.output[0]?.type, 'message');
    assert.deepEqual(response.usage, {
      input_tokens: 150,
      input_tokens_details: { cached_tokens: 100 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 159,
    });
    const sent = stack.fake.messageRequests[0]!.body;
    assert.match(systemText(sent), /You are terse\./);
    assert.equal(textOf(lastMessage(sent)!.content), 'Capital of France?');
  });

  it('streams typed events with increasing sequence numbers, deltas as the model produces them, ending in response.completed', async () => {
    // Each delta leaves the fake only once the client has received the one before (no buffering, no timing).
    const received = [gate(), gate()];
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'one two three', chunks: ['one', ' two', ' three'] }],
      beforeDelta: (n) => (n > 0 ? received[n - 1]!.promise : undefined),
    });
    const stream = await stack.openai.responses.create({ model: 'sonnet', input: 'count', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'response.output_text.delta')
        received[events.filter((e) => e.type === 'response.output_text.delta').length - 1]?.open();
    }
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    assert.ok(events.every((e, i) => i === 0 || e.sequence_number > events[i - 1]!.sequence_number));
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])),
      ['one', ' two', ' three'],
    );
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    assert.equal(completed.response.status, 'completed');
    assert.ok(completed.response.usage);
  });

  it('frames every event as `event: <type>` + data, with no [DONE]', async () => {
    const res = await fetch(`${stack.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sonnet', input: 'hi', stream: true }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await res.text();
    assert.doesNotMatch(text, /\[DONE\]/);
    const frames = text.split('\n\n').filter(Boolean);
    for (const frame of frames) {
      const m = /^event: (\S+)\ndata: (.*)$/s.exec(frame);
      assert.ok(m, `frame: ${frame}`);
      assert.equal((JSON.parse(m[2]!) as { type: string }).type, m[1]);
    }
    assert.match(frames.at(-1)!, /^event: response\.completed\n/);
  });

  it("lets the SDK's responses.stream() helper build the final response from the events", async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'Greeting.' },
        { type: 'text', text: 'Hello there!', chunks: ['Hello', ' there!'] },
      ],
    });
    const stream = stack.openai.responses.stream({ model: 'sonnet', input: 'Say hello' });
    const seen: string[] = [];
    stream.on('response.output_text.delta', (e) => seen.push(e.snapshot));
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'Hello there!');
    assert.deepEqual(seen, ['Hello', 'Hello there!'], 'the SDK sees growing snapshots of the one message');
    assert.deepEqual(
      final.output.map((o) => o.type),
      ['reasoning', 'message'],
    );
    const reasoning = final.output[0] as OpenAI.Responses.ResponseReasoningItem;
    assert.deepEqual(reasoning.summary, [{ type: 'summary_text', text: 'Greeting.' }]);
  });

  describe('stored responses', () => {
    it('continues a stored response with previous_response_id: the model sees every turn in its own role', async () => {
      stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'Your name is Ada.' }] });
      const first = await stack.openai.responses.create({
        model: 'sonnet',
        instructions: 'Be kind.',
        input: [
          { role: 'developer', content: 'Address the user by name.' },
          { role: 'user', content: [{ type: 'input_text', text: 'I am Ada. What is my name?' }] },
        ],
      });
      await stack.openai.responses.create({
        model: 'sonnet',
        instructions: 'Be kind.',
        previous_response_id: first.id,
        input: 'And what did I ask?',
      });
      const sent = stack.fake.messageRequests[1]!.body;
      assert.match(
        systemText(sent),
        /Be kind\.[\s\S]*Address the user by name\./,
        'new instructions, then the stored developer text',
      );
      const turns = conversation(sent);
      assert.deepEqual(
        turns.map((m) => m.role),
        ['user', 'assistant', 'user'],
      );
      assert.equal(textOf(turns[0]!.content), 'I am Ada. What is my name?');
      assert.equal(textOf(turns[1]!.content), 'Your name is Ada.');
      assert.equal(textOf(turns[2]!.content), 'And what did I ask?');
    });

    it('retrieves and deletes a stored response; unknown ids are 404', async () => {
      const created = await stack.openai.responses.create({ model: 'sonnet', input: 'remember me' });
      const got = await stack.openai.responses.retrieve(created.id);
      assert.equal(got.id, created.id);
      assert.equal(got.output_text, 'echo: remember me');
      assert.deepEqual(got.output, created.output);
      await stack.openai.responses.delete(created.id);
      await assert.rejects(stack.openai.responses.retrieve(created.id), OpenAI.NotFoundError);
      await assert.rejects(stack.openai.responses.delete(created.id), OpenAI.NotFoundError);
      await assert.rejects(stack.openai.responses.retrieve('resp_unknown'), OpenAI.NotFoundError);
    });

    it('keeps nothing for store:false, and names previous_response_id in the 404', async () => {
      const created = await stack.openai.responses.create({ model: 'sonnet', input: 'forget me', store: false });
      assert.equal(echoedStore(created), false);
      await assert.rejects(stack.openai.responses.retrieve(created.id), OpenAI.NotFoundError);
      const before = stack.fake.messageRequests.length;
      await assert.rejects(
        stack.openai.responses.create({ model: 'sonnet', input: 'next', previous_response_id: created.id }),
        (e: unknown) =>
          e instanceof OpenAI.NotFoundError &&
          e.param === 'previous_response_id' &&
          e.code === 'previous_response_not_found',
      );
      assert.equal(stack.fake.messageRequests.length, before, 'no model request for a missing previous response');
    });
  });

  describe('function calls', () => {
    it('returns a tool_use as a function_call item and takes the output back with previous_response_id', async () => {
      stack.fake.handle(weatherBackend);
      const first = await stack.openai.responses.create({
        model: 'sonnet',
        input: 'Weather in Paris?',
        tools: [weatherTool],
      });
      const offered = stack.fake.messageRequests[0]!.body.tools ?? [];
      assert.deepEqual(offered.length, 1, 'the client tool reaches the model');
      assert.deepEqual(offered[0]!.input_schema, weatherTool.parameters);
      const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
      assert.ok(call, JSON.stringify(first.output));
      assert.equal(call.name, 'get_weather', 'the client never sees an internal prefix');
      assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
      assert.match(call.id ?? '', /^fc_/);
      assert.equal(first.output_text, 'Let me check.');

      const second = await stack.openai.responses.create({
        model: 'sonnet',
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: call.call_id, output: '18°C and sunny' }],
        tools: [weatherTool],
      });
      assert.equal(second.output_text, 'results: ["18°C and sunny"]');
      const followUp = stack.fake.messageRequests.at(-1)!.body;
      assert.deepEqual(
        lastToolResults(followUp).map((r) => r.tool_use_id),
        [call.call_id],
      );
      // The stored conversation plus the output is exactly what the held process has: it is continued, not restarted.
      assert.ok(
        stack.logLines.some((l) => /continued claude pid=\d+ with 1 tool result/.test(l)),
        'the live process was continued',
      );
    });

    it('streams the call and takes a stateless follow-up with the whole history (as Codex sends it)', async () => {
      stack.fake.handle(weatherBackend);
      const stream = await stack.openai.responses.create({
        model: 'sonnet',
        input: 'Weather in Paris?',
        tools: [weatherTool],
        store: false,
        stream: true,
      });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const e of stream) events.push(e);
      const added = events.find(
        (e): e is OpenAI.Responses.ResponseOutputItemAddedEvent =>
          e.type === 'response.output_item.added' && e.item.type === 'function_call',
      );
      const done = events.find(
        (e): e is OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent =>
          e.type === 'response.function_call_arguments.done',
      );
      assert.ok(added && done);
      assert.equal(done.item_id, added.item.id);
      assert.deepEqual(JSON.parse(done.arguments), { city: 'Paris' });
      assert.equal(events.at(-1)?.type, 'response.completed');
      const call = added.item as OpenAI.Responses.ResponseFunctionToolCall;

      const second = await stack.openai.responses.create({
        model: 'sonnet',
        store: false,
        tools: [weatherTool],
        input: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: 'Let me check.' },
          { type: 'function_call', call_id: call.call_id, name: 'get_weather', arguments: done.arguments },
          { type: 'function_call_output', call_id: call.call_id, output: 'rain' },
        ],
      });
      assert.equal(second.output_text, 'results: ["rain"]');
    });
  });

  it('serves a Codex-shaped request: several KB of instructions, function tools, store:false, reasoning, include, history', async () => {
    // Shaped after Codex's Responses request: `ResponsesApiRequest` in openai/codex
    // codex-rs/codex-api/src/common.rs (model, instructions, input, tools, tool_choice "auto",
    // parallel_tool_calls, reasoning {effort, summary}, store, stream, include, prompt_cache_key,
    // text), with `include: ["reasoning.encrypted_content"]` whenever reasoning is set and the
    // conversation id as prompt_cache_key (codex-rs/core/src/client.rs), flat function tools with
    // `strict: false` (create_tools_json_for_responses_api, the `shell` tool's command/workdir/
    // timeout_ms), and input messages of input_text parts, earlier reasoning, function_call and
    // function_call_output items (codex_protocol ResponseItem). The instruction text is our own.
    const codex = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../fixtures/requests/codex-responses.json'), 'utf8'),
    ) as OpenAI.Responses.ResponseCreateParamsStreaming;
    assert.ok((codex.instructions ?? '').length > 4000);
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: '0.005 is stored as 0.00499…, so it rounds down.' }],
    });
    const stream = await stack.openai.responses.create(codex);
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const completed = events.at(-1);
    assert.equal(completed?.type, 'response.completed');
    assert.equal(completed.type === 'response.completed' && echoedStore(completed.response), false);

    const sent = stack.fake.messageRequests[0]!.body;
    assert.match(systemText(sent), /## Planning[\s\S]*## Long outputs/, 'the instructions are the system prompt');
    assert.match(
      systemText(sent),
      /<permissions instructions>/,
      'the leading developer message joins the system prompt',
    );
    assert.deepEqual((sent.tools ?? []).map((t) => t.name.replace(/^.*__/, '')).sort(), [
      'shell',
      'update_plan',
      'view_image',
    ]);
    const [user1, call, result, answer, user2] = conversation(sent);
    assert.deepEqual(
      conversation(sent).map((m) => m.role),
      ['user', 'assistant', 'user', 'assistant', 'user'],
    );
    assert.match(textOf(user1!.content), /AGENTS\.md[\s\S]*<environment_context>[\s\S]*Run the cart tests\./);
    const toolUse = blocks(call!.content).find((b) => b.type === 'tool_use');
    assert.equal(toolUse?.id, 'call_shell_1');
    assert.deepEqual((toolUse?.input as { command: string[] }).command, ['pnpm', 'test', '--filter', 'cart']);
    const toolResult = blocks(result!.content).find((b) => b.type === 'tool_result');
    assert.equal(toolResult?.tool_use_id, 'call_shell_1');
    assert.match(resultText(toolResult?.content), /41 passed, 1 failed/);
    assert.match(textOf(answer!.content), /41 cart tests pass/);
    assert.equal(textOf(user2!.content), 'Explain the rounding failure in one sentence.');
  });

  it("serves Codex 0.169.0's recorded request with its default tools: namespaced functions as tools, hosted web_search left out, calls mapped back", async () => {
    // Recorded from Codex 0.169.0 (codex exec, default tools) by /tmp/agents (see the agents suite, test/agents/).
    const codex = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../fixtures/requests/codex-0.169.0-default-tools.json'), 'utf8'),
    ) as Record<string, unknown>;
    stack.fake.handle((req) => {
      const results = lastToolResults(req.body);
      if (results.length > 0)
        return { kind: 'message', blocks: [{ type: 'text', text: `waited: ${resultText(results[0]!.content)}` }] };
      return {
        kind: 'message',
        blocks: [{ type: 'tool_use', name: offeredToolName(req, 'wait_agent'), input: { targets: ['a1'] } }],
      };
    });
    const res = await fetch(`${stack.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer any' },
      body: JSON.stringify({ ...codex, stream: false }),
    });
    assert.equal(res.status, 200);
    const response = (await res.json()) as { output: Array<Record<string, unknown>>; status: string };
    const offered = (stack.fake.messageRequests[0]!.body.tools ?? []).map((t) => t.name.replace(/^mcp__c__/, ''));
    for (const name of ['exec_command', 'spawn_agent', 'wait_agent', 'close_agent', 'create_goal'])
      assert.ok(offered.includes(name), `${name} reaches the model`);
    assert.ok(!offered.some((n) => /web_search/.test(n)), 'the hosted web_search tool is left out');
    const call = response.output.find((o) => o.type === 'function_call');
    assert.equal(call?.name, 'wait_agent');
    assert.equal(call?.namespace, 'multi_agent_v1', 'Codex finds its handler by (namespace, name)');

    // Codex sends the call back with its namespace, and the output: the model sees them under its own name.
    const followUp = {
      ...codex,
      stream: false,
      input: [
        ...(codex.input as unknown[]),
        { ...call, status: 'completed' },
        { type: 'function_call_output', call_id: call?.call_id, output: 'a1: completed' },
      ],
    };
    const res2 = await fetch(`${stack.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(followUp),
    });
    assert.equal(res2.status, 200);
    const second = (await res2.json()) as { output: Array<{ content?: Array<{ text: string }> }> };
    assert.equal(second.output[0]?.content?.[0]?.text, 'waited: a1: completed');
  });

  describe('errors', () => {
    it('refuses a tool_choice that forces a hosted tool with a 400 saying why, before starting the CLI', async () => {
      await assert.rejects(
        stack.openai.responses.create({
          model: 'sonnet',
          input: 'x',
          tools: [weatherTool, { type: 'web_search' }],
          tool_choice: { type: 'web_search_preview' },
        }),
        (e: unknown) =>
          e instanceof OpenAI.BadRequestError &&
          e.param === 'tool_choice' &&
          /forces the hosted tool 'web_search_preview', which CLI2API cannot run/.test(e.message),
      );
      assert.equal(stack.fake.messageRequests.length, 0);
    });

    it('maps a backend failure before any output to its HTTP status', async () => {
      stack.fake.reply({
        kind: 'error',
        status: 429,
        errorType: 'rate_limit_error',
        message: 'Number of requests has exceeded your rate limit',
      });
      await assert.rejects(
        stack.openai.responses.create({ model: 'sonnet', input: 'hi', stream: true }),
        OpenAI.RateLimitError,
      );
    });

    it('ends a stream that fails after it started with response.failed, after the partial output', async () => {
      stack.fake.reply(
        { kind: 'truncate', text: 'partial answer' },
        { kind: 'error', status: 500, errorType: 'api_error', message: 'boom' },
      );
      const stream = await stack.openai.responses.create({ model: 'sonnet', input: 'hi', stream: true });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const e of stream) events.push(e);
      const text = events.map((e) => (e.type === 'response.output_text.delta' ? e.delta : '')).join('');
      assert.equal(text, 'partial answer', 'what the model produced before the failure was delivered once');
      const last = events.at(-1);
      assert.equal(last?.type, 'response.failed');
      assert.equal(events.filter((e) => e.type === 'response.failed' || e.type === 'response.completed').length, 1);
      const failed = (last as OpenAI.Responses.ResponseFailedEvent).response;
      assert.equal(failed.status, 'failed');
      assert.ok(failed.error?.code && failed.error.message, JSON.stringify(failed.error));
      assert.ok(
        stack.logLines.some((l) => /stream error/.test(l)),
        'the log says the stream ended in an error',
      );
    });

    it('kills the CLI when the client disconnects mid-stream, and serves the next request', async () => {
      stack.fake.reply({
        kind: 'message',
        blocks: [{ type: 'text', text: 'abcdefghij', chunks: 'abcdefghij'.split('') }],
        deltaDelayMs: 150,
      });
      const controller = new AbortController();
      const stream = await stack.openai.responses.create(
        { model: 'sonnet', input: 'slow please', stream: true },
        { signal: controller.signal },
      );
      let got = 0;
      try {
        for await (const e of stream) {
          if (e.type === 'response.output_text.delta') got++;
          if (got === 2) controller.abort();
        }
      } catch (e) {
        assert.ok(e instanceof OpenAI.APIUserAbortError, String(e));
      }
      assert.equal(got, 2);
      await stack.assertNoProcesses();
      const next = await stack.openai.responses.create({ model: 'sonnet', input: 'still there?' });
      assert.equal(next.output_text, 'echo: still there?');
    });

    it('reports an answer cut at the output limit as incomplete, with what was produced', async () => {
      stack.fake.handle(() => ({
        kind: 'message',
        blocks: [{ type: 'text', text: 'cut ' }],
        stopReason: 'max_tokens',
      }));
      const response = await stack.openai.responses.create({ model: 'sonnet', input: 'write a lot' });
      assert.equal(response.status, 'incomplete');
      assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
      assert.match(response.output_text, /^(cut )+$/);
    });
  });
});
