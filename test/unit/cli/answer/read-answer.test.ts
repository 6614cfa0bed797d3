/** readAnswer over recorded CLI output: answers cut by CLI2API (stop sequence, first max_tokens), structured output. */
import assert from 'node:assert/strict';
import { type AnswerEnd, AnswerState } from '../../../../src/cli/answer/answer-state';
import { readAnswer } from '../../../../src/cli/answer/read-answer';
import type { CliLine, ResultLine, StreamEventLine } from '../../../../src/cli/events';
import { ToolSet } from '../../../../src/cli/tools/tool-set';
import { collectCompletion } from '../../../../src/openai/chat-completion';
import { chatUsage, newChatStreamState, translateLine } from '../../../../src/openai/chat-stream';
import { answerSource } from '../../../support/answer-source';
import { recorded } from '../../../support/recorded';

/** Runs readAnswer to its end over `lines`: what it yielded and how it ended. */
async function read(lines: CliLine[], state: AnswerState): Promise<{ out: CliLine[]; end: AnswerEnd }> {
  const out: CliLine[] = [];
  const reading = readAnswer(answerSource(lines), state, 'sonnet', new AbortController().signal);
  for (;;) {
    const step = await reading.next();
    if (step.done) return { out, end: step.value };
    out.push(step.value);
  }
}

function completion(lines: CliLine[]) {
  const chat = newChatStreamState({ id: 'chatcmpl-x', model: 'sonnet', created: 1, includeUsage: false });
  const chunks = lines.flatMap((l) => translateLine(chat, l));
  const result = lines.find((l) => l.type === 'result');
  assert.ok(result && result.type === 'result');
  return { chunks, completion: collectCompletion(chunks, chatUsage(result.usage)) };
}

describe('reading an answer (recorded CLI output)', () => {
  it('cuts at a stop sequence: truncated text, a stop_sequence end, finish_reason stop', async () => {
    const state = new AnswerState(new ToolSet({}), [' friend']);
    const { out, end } = await read(recorded('text-stream'), state);
    assert.equal(end.kind, 'cut');
    assert.equal(state.cut, 'stop_sequence');
    const { chunks, completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'Hello there,');
    assert.equal(c.choices[0]?.finish_reason, 'stop');
    assert.equal(chunks.filter((k) => k.choices[0]?.finish_reason).length, 1);
    assert.deepEqual(state.assistant.content, [{ type: 'text', text: 'Hello there,' }]);
    assert.equal(end.result.stop_reason, 'stop_sequence');
    assert.ok((end.result.usage?.output_tokens ?? 0) > 0, 'output tokens estimated before the model reported them');
  });

  it('passes every delta unchanged when no stop sequence matches, and ends at the result', async () => {
    const state = new AnswerState(new ToolSet({}), ['zzz']);
    const { out, end } = await read(recorded('text-stream'), state);
    assert.equal(end.kind, 'result');
    assert.equal(state.cut, undefined);
    const { chunks, completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'Hello there, friend.');
    assert.ok(chunks.filter((k) => k.choices[0]?.delta.content).length >= 3, 'still streamed delta by delta');
  });

  it('ends at the first max_tokens stop, before the CLI retries: the text once, finish_reason length', async () => {
    const state = new AnswerState(new ToolSet({}));
    const { out, end } = await read(recorded('max-tokens'), state);
    assert.equal(end.kind, 'cut');
    assert.equal(state.cut, 'max_tokens');
    const { completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'This answer was cut');
    assert.equal(c.choices[0]?.finish_reason, 'length');
    assert.equal(c.usage.completion_tokens, 5);
  });

  it('fails with the CLI exit when the process dies before the result', async () => {
    const lines = recorded('text-stream').filter((l) => l.type !== 'result');
    const reading = readAnswer(
      answerSource(lines, { code: 1, stderr: 'boom' }),
      new AnswerState(new ToolSet({})),
      'sonnet',
      new AbortController().signal,
    );
    await assert.rejects(
      (async () => {
        for await (const _ of reading);
      })(),
      (e: { status: number; message: string }) => e.status === 502 && /exited with code 1.*boom/.test(e.message),
    );
  });
});

describe('structured output', () => {
  const ev = (event: unknown) => ({ type: 'stream_event', event, parent_tool_use_id: null }) as StreamEventLine;
  const modelTurn = [
    ev({ type: 'message_start', message: { usage: { input_tokens: 3 } } }),
    ev({ type: 'content_block_start', index: 0, content_block: { type: 'text' } }),
    ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Here it is:' } }),
    ev({ type: 'content_block_stop', index: 0 }),
    ev({
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'StructuredOutput' },
    }),
    ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } }),
    ev({ type: 'content_block_stop', index: 1 }),
    ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } }),
    ev({ type: 'message_stop' }),
  ];
  const result = (extra: object) =>
    ({
      type: 'result',
      subtype: 'success',
      is_error: false,
      stop_reason: 'tool_use',
      usage: { output_tokens: 4 },
      ...extra,
    }) as ResultLine;

  it("keeps the model's prose and the StructuredOutput call out of the answer; the validated value is the content", async () => {
    const state = new AnswerState(new ToolSet({}), [], true);
    const { out, end } = await read([...modelTurn, result({ structured_output: { a: 1 } })], state);
    assert.equal(end.kind, 'result', 'no client tool call: the answer does not wait for one');
    const { completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, '{"a":1}');
    assert.equal(c.choices[0]?.finish_reason, 'stop');
    assert.equal(c.choices[0]?.message.tool_calls, undefined);
  });

  it('fails with 422 structured_output_failed when the result holds no value', async () => {
    const state = new AnswerState(new ToolSet({}), [], true);
    await assert.rejects(
      read([...modelTurn.slice(0, 4), result({ result: 'I cannot.' })], state),
      (e: { status: number; code: string; message: string }) =>
        e.status === 422 && e.code === 'structured_output_failed' && /Here it is:/.test(e.message),
    );
  });

  it('answers normally at a usage warning: the report passes through and adds nothing to the answer', async () => {
    const { out, end } = await read(recorded('usage-warning'), new AnswerState(new ToolSet({})));
    assert.equal(end.kind, 'result');
    assert.ok(out.some((l) => l.type === 'rate_limit_event'));
    const { completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'Hello.');
    assert.equal(c.choices[0]?.finish_reason, 'stop');
  });

  it('passes the usage report on before a full window fails the run with 429 (what the process manager relies on)', async () => {
    const seen: string[] = [];
    const reading = readAnswer(
      answerSource(recorded('usage-rejected')),
      new AnswerState(new ToolSet({})),
      'sonnet',
      new AbortController().signal,
    );
    await assert.rejects(
      (async () => {
        for (;;) {
          const step = await reading.next();
          if (step.done) return;
          seen.push(step.value.type);
        }
      })(),
      (e: { status: number }) => e.status === 429,
    );
    assert.ok(seen.includes('rate_limit_event'), `lines before the failure: ${seen.join(', ')}`);
    assert.ok(!seen.includes('stream_event'), 'no output before the refusal');
  });
});

describe('reading an agent-mode answer (recorded: the CLI runs its own Read tool)', () => {
  const clientTools = new ToolSet({ tools: [{ name: 'get_weather', parameters: { type: 'object', properties: {} } }] });

  it('reads on past the CLI’s own tool call to the result: no client tool call, nothing waits', async () => {
    for (const tools of [new ToolSet({}), clientTools]) {
      const state = new AnswerState(tools);
      const { out, end } = await read(recorded('agent-read'), state);
      assert.equal(end.kind, 'result');
      assert.deepEqual(state.toolUseIds, [], 'Read is not a client call');
      const events = out.flatMap((l) => (l.type === 'stream_event' ? [l.event] : []));
      assert.ok(
        !events.some((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use'),
        'the client never sees the Read block',
      );
      assert.ok(
        !events.some((e) => e.type === 'message_delta' && e.delta.stop_reason === 'tool_use'),
        'nor a tool_use stop',
      );
      assert.deepEqual(state.assistant.content, [{ type: 'text', text: 'Let me read it. It says hello.' }]);
    }
  });

  it('gives the client the text of both model messages, finish_reason stop, no tool_calls', async () => {
    const { out } = await read(recorded('agent-read'), new AnswerState(new ToolSet({})));
    const { completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'Let me read it. It says hello.');
    assert.equal(c.choices[0]?.finish_reason, 'stop');
    assert.equal(c.choices[0]?.message.tool_calls, undefined);
  });
});
