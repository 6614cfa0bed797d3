/**
 * Chat Completions end to end: the `openai` SDK → CLI2API → the real Claude Code CLI →
 * the fake Anthropic API. Every test also proves that no CLI process outlives it.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { lastUserText, systemText, textOf } from '../support/fake-anthropic';
import { startStack, useStack } from '../support/stack';
import { gate } from '../support/wait';

describe('chat completions through the real CLI', function () {
  this.timeout(60_000);
  const stack = useStack();

  it('answers a non-streamed request with the model text and usage from the CLI result', async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'Paris is the capital of France.' }],
      usage: { input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    });
    const completion = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Capital of France?' },
      ],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'sonnet');
    assert.equal(completion.choices[0]?.message.content, 'Paris is the capital of France.');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(completion.usage, {
      prompt_tokens: 150,
      completion_tokens: 9,
      total_tokens: 159,
      prompt_tokens_details: { cached_tokens: 100 },
    });
    const sent = stack.fake.messageRequests[0]!.body;
    assert.match(systemText(sent), /You are terse\./);
    assert.doesNotMatch(
      systemText(sent),
      /interactive agent that helps users with software engineering/,
      "Claude Code's agent prompt is replaced",
    );
    assert.deepEqual(sent.tools, [], 'no built-in tools reach the model');
    assert.equal(lastUserText(sent), 'Capital of France?');
  });

  it('streams deltas as the model produces them, then finish_reason, then [DONE]', async () => {
    // The fake sends each delta only once the client has received the one before: a server that
    // buffered the answer would never deliver the first one, and the stream would stall.
    const received = [gate(), gate()];
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'one two three', chunks: ['one', ' two', ' three'] }],
      beforeDelta: (n) => (n > 0 ? received[n - 1]!.promise : undefined),
    });
    const stream = await stack.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'count' }],
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (chunk.choices[0]?.delta.content)
        received[chunks.filter((c) => c.choices[0]?.delta.content).length - 1]?.open();
    }
    assert.deepEqual(chunks[0]?.choices[0]?.delta, { role: 'assistant', content: '' });
    assert.deepEqual(
      chunks.flatMap((c) => (c.choices[0]?.delta.content ? [c.choices[0].delta.content] : [])),
      ['one', ' two', ' three'],
      'each model delta is its own chunk, nothing re-chunked or repeated',
    );
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.equal(finish.length, 1);
    assert.equal(finish[0]!.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(finish[0]!.choices[0]!.delta, {});
    assert.ok(
      chunks.every((c) => c.choices.length === 1),
      'no usage chunk unless asked for',
    );
  });

  it('sends a usage chunk with empty choices only when stream_options.include_usage is set', async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'hi' }],
      usage: { input_tokens: 7, output_tokens: 2, cache_read_input_tokens: 5 },
    });
    const stream = await stack.openai.chat.completions.create({
      model: 'haiku',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello' }],
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, {
      prompt_tokens: 12,
      completion_tokens: 2,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 5 },
    });
    assert.equal(chunks.filter((c) => c.usage).length, 1);
  });

  it('delivers a multi-turn history to the model turn by turn, each with its own role', async () => {
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'developer', content: 'Rules: be kind.' },
        { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_w1', content: '18 degrees, sunny' },
        { role: 'assistant', content: 'It is 18 degrees and sunny.' },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    const sent = stack.fake.messageRequests[0]!.body;
    assert.match(systemText(sent), /Rules: be kind\./);
    const turns = sent.messages.filter((m) => m.role !== 'system');
    assert.deepEqual(
      turns.map((m) => m.role),
      ['user', 'assistant', 'user', 'assistant', 'user'],
    );
    assert.equal(textOf(turns[0]!.content), 'What is the weather in Paris?');
    const toolUse = (turns[1]!.content as Array<Record<string, unknown>>).find((b) => b.type === 'tool_use');
    assert.deepEqual(toolUse, { type: 'tool_use', id: 'call_w1', name: 'get_weather', input: { city: 'Paris' } });
    const toolResult = (turns[2]!.content as Array<Record<string, unknown>>)[0];
    assert.deepEqual(toolResult, { type: 'tool_result', tool_use_id: 'call_w1', content: '18 degrees, sunny' });
    assert.equal(textOf(turns[3]!.content), 'It is 18 degrees and sunny.');
    assert.equal(textOf(turns[4]!.content), 'And tomorrow?');
  });

  it('leaves no transcript file behind', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
      ],
    });
    const projects = path.join(stack.settings.cliEnv.HOME!, '.claude', 'projects');
    const files = fs.existsSync(projects)
      ? fs.readdirSync(projects, { recursive: true }).filter((f) => String(f).endsWith('.jsonl'))
      : [];
    assert.deepEqual(files, []);
  });

  describe('errors', () => {
    it('maps an invalid API key at the backend to 401', async () => {
      stack.fake.reply({ kind: 'error', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' });
      await assert.rejects(
        stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) => e instanceof OpenAI.AuthenticationError && e.status === 401 && /login|API key/i.test(e.message),
      );
    });

    it('maps a rate limit to 429', async () => {
      stack.fake.reply({
        kind: 'error',
        status: 429,
        errorType: 'rate_limit_error',
        message: 'Number of requests has exceeded your rate limit',
      });
      await assert.rejects(
        stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) =>
          e instanceof OpenAI.RateLimitError &&
          e.status === 429 &&
          (e.error as { code?: string }).code === 'rate_limit_exceeded',
      );
    });

    it('maps an overloaded backend (529) to 503', async () => {
      stack.fake.reply({ kind: 'error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' });
      await assert.rejects(
        stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) =>
          e instanceof OpenAI.InternalServerError &&
          e.status === 503 &&
          (e.error as { code?: string }).code === 'overloaded',
      );
    });

    it('maps an unknown model to 404 model_not_found', async () => {
      stack.fake.handle(() => ({
        kind: 'error',
        status: 404,
        errorType: 'not_found_error',
        message: 'model: claude-nonexistent-9',
      }));
      await assert.rejects(
        stack.openai.chat.completions.create({
          model: 'claude-nonexistent-9',
          messages: [{ role: 'user', content: 'hi' }],
        }),
        (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as { code?: string }).code === 'model_not_found',
      );
      // 2.1.332 sends a model it does not know a role:"system" turn without a beta that allows one; refused as
      // the real API would, it sends the request again without system turns (its own recovery), which gets the 404.
      for (const refusal of stack.fake.takeRefusals())
        assert.equal(refusal, "messages.1.role: Input should be 'user' or 'assistant'");
    });

    it('sends an error event when the stream fails after it started', async () => {
      stack.fake.reply(
        { kind: 'truncate', text: 'partial answer' },
        { kind: 'error', status: 500, errorType: 'api_error', message: 'boom' },
      );
      const stream = await stack.openai.chat.completions.create({
        model: 'sonnet',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      let text = '';
      await assert.rejects(
        async () => {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        },
        (e: unknown) => e instanceof OpenAI.APIError && /Claude|API/i.test(e.message),
      );
      assert.equal(text, 'partial answer', 'what the model produced before the failure was delivered once');
      assert.ok(
        stack.logLines.some((l) => /stream error/.test(l)),
        'the log says the stream ended in an error',
      );
    });
  });

  describe('timeouts and disconnects', () => {
    it('kills the CLI and answers 504 when the backend hangs past the request timeout', async () => {
      // A hang always outlasts the timeout, however long the CLI takes to start: no race.
      const short = await startStack({ timeoutSeconds: 3 });
      try {
        short.fake.reply({ kind: 'hang' });
        await assert.rejects(
          short.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
          (e: unknown) =>
            e instanceof OpenAI.APIError &&
            e.status === 504 &&
            (e.error as { code?: string }).code === 'timeout' &&
            /longer than the 3 s timeout/.test(e.message),
        );
        await short.assertNoProcesses();
      } finally {
        await short.stop();
      }
    });

    it('kills the CLI when the client disconnects mid-stream', async () => {
      const rest = gate();
      stack.fake.reply({
        kind: 'message',
        blocks: [{ type: 'text', text: 'abcdefghij', chunks: 'abcdefghij'.split('') }],
        // Two deltas go out; the rest waits until the test is over, so the run is still going when the client leaves.
        beforeDelta: (n) => (n > 1 ? rest.promise : undefined),
      });
      const controller = new AbortController();
      const stream = await stack.openai.chat.completions.create(
        { model: 'sonnet', stream: true, messages: [{ role: 'user', content: 'slow please' }] },
        { signal: controller.signal },
      );
      let got = 0;
      try {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta.content) got++;
          if (got === 2) controller.abort();
        }
      } catch (e) {
        assert.ok(e instanceof OpenAI.APIUserAbortError, String(e));
      } finally {
        await stack.assertNoProcesses(15_000);
        rest.open();
      }
      assert.equal(got, 2);
      // The server is unharmed.
      const next = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'still there?' }],
      });
      assert.equal(next.choices[0]?.message.content, 'echo: still there?');
    });
  });
});
