/**
 * The bound on CLI processes holds at every instant, under a burst of every kind of request
 * (new conversations, continuations, tool calls held beyond their limit, streams the client
 * abandons, answers cut at a stop sequence, failures): the live processes, sampled every 20 ms
 * from /proc and from the manager's own count, never exceed maxConcurrent + warm + idle + held.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { type FakeReply, lastToolResults, lastUserText, offeredToolName, resultText } from '../support/fake-anthropic';
import { CONTINUED_HELD, logged } from '../support/pool-helpers';
import { sampleProcesses } from '../support/processes';
import { type Stack, startStack } from '../support/stack';

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

function backend(req: Parameters<typeof offeredToolName>[0]): FakeReply {
  const results = lastToolResults(req.body);
  if (results.length > 0)
    return { kind: 'message', blocks: [{ type: 'text', text: `got ${results.map((r) => resultText(r.content))}` }] };
  const text = lastUserText(req.body);
  if (text.startsWith('tool'))
    return { kind: 'message', blocks: [{ type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: {} }] };
  if (text.startsWith('slow'))
    return {
      kind: 'message',
      blocks: [
        {
          type: 'text',
          text: 'one two three four five six',
          chunks: ['one ', 'two ', 'three ', 'four ', 'five ', 'six'],
        },
      ],
      deltaDelayMs: 150,
    };
  if (text.startsWith('stop')) return { kind: 'message', blocks: [{ type: 'text', text: 'before STOP after' }] };
  if (text.startsWith('fail')) return { kind: 'error', status: 500, errorType: 'api_error', message: 'fake failure' };
  return { kind: 'message', blocks: [{ type: 'text', text: `echo: ${text}` }] };
}

describe('the bound on CLI processes', function () {
  this.timeout(300_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      maxConcurrent: 2,
      poolSize: 1,
      poolMaxWarm: 2,
      poolMaxIdle: 1,
      poolMaxHeld: 1,
      timeoutSeconds: 240,
    });
    stack.fake.handle(backend);
  });
  after(async () => {
    await stack?.stop();
    await stack.assertNoProcesses();
  });

  it('holds at every sample under a burst of every kind of request, and a dropped tool call still gets its answer', async () => {
    const bound = stack.server.cli.processBound;
    assert.equal(bound, 2 + 2 + 1 + 1);
    const proc = sampleProcesses(stack.marker, 20);
    const own: number[] = [];
    const counter = setInterval(() => own.push(stack.server.cli.liveProcesses), 20);
    const chat = (
      messages: ChatCompletionMessageParam[],
      extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {},
    ) => stack.openai.chat.completions.create({ model: 'sonnet', messages, ...extra });

    const newConversations = [1, 2, 3, 4].map(async (i) => {
      const res = await chat([
        { role: 'system', content: `prompt ${i}` },
        { role: 'user', content: `hello ${i}` },
      ]);
      assert.equal(res.choices[0]!.message.content, `echo: hello ${i}`);
    });
    const continued = (async () => {
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'turn 1' }];
      const first = await chat(messages);
      messages.push(first.choices[0]!.message, { role: 'user', content: 'turn 2' });
      assert.equal((await chat(messages)).choices[0]!.message.content, 'echo: turn 2');
    })();
    const toolCalls = [1, 2, 3].map(async (i) => {
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: `tool ${i}` }];
      const res = await chat(messages, { tools: [weatherTool] });
      assert.equal(res.choices[0]!.finish_reason, 'tool_calls');
      return { messages: [...messages, res.choices[0]!.message], id: res.choices[0]!.message.tool_calls![0]!.id, i };
    });
    const abandoned = [1, 2].map(async (i) => {
      const controller = new AbortController();
      const stream = await stack.openai.chat.completions.create(
        { model: 'sonnet', stream: true, messages: [{ role: 'user', content: `slow ${i}` }] },
        { signal: controller.signal },
      );
      try {
        for await (const chunk of stream) if (chunk.choices[0]?.delta.content) controller.abort();
      } catch (e) {
        assert.ok(e instanceof OpenAI.APIUserAbortError, String(e));
      }
    });
    const cut = (async () => {
      const res = await chat([{ role: 'user', content: 'stop here' }], { stop: ['STOP'] });
      assert.equal(res.choices[0]!.message.content, 'before ');
    })();
    const failing = (async () => {
      await assert.rejects(chat([{ role: 'user', content: 'fail now' }]), (e: { status?: number }) => e.status === 502);
    })();

    const calls = await Promise.all(toolCalls);
    await Promise.all([...newConversations, continued, ...abandoned, cut, failing]);
    assert.ok(
      logged(stack, /dropping claude pid=\d+/) >= 2,
      'beyond poolMaxHeld the oldest held processes were dropped',
    );
    assert.ok(stack.server.cli.heldCalls <= 1);

    // Every follow-up is answered: the one still held continues its process, the dropped ones start anew.
    const held = logged(stack, CONTINUED_HELD);
    for (const call of calls) {
      const res = await chat([...call.messages, { role: 'tool', tool_call_id: call.id, content: `result ${call.i}` }], {
        tools: [weatherTool],
      });
      assert.equal(res.choices[0]!.message.content, `got result ${call.i}`);
    }
    assert.ok(logged(stack, CONTINUED_HELD) <= held + 1);
    assert.equal(stack.server.cli.heldCalls, 0);

    clearInterval(counter);
    const counts = proc.stop();
    assert.ok(counts.length > 50, `sampled continuously (${counts.length} samples)`);
    assert.ok(proc.peak > 0);
    const over = counts.filter((n) => n > bound);
    assert.deepEqual(over, [], `/proc: at most ${bound} CLI processes at every sample (peak ${proc.peak})`);
    assert.deepEqual(
      own.filter((n) => n > bound),
      [],
      `the manager's own count: at most ${bound} (peak ${Math.max(...own)})`,
    );
  });
});
