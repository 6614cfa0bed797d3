/** The pure CLI-lines → chat chunks translation, replayed on output recorded from the real CLI. */
import assert from 'node:assert/strict';
import type { CliLine } from '../../../src/cli/events';
import { collectCompletion } from '../../../src/openai/chat-completion';
import { type ChatChunk, chatUsage, newChatStreamState, translateLine } from '../../../src/openai/chat-stream';
import { recorded } from '../../support/recorded';

function translateAll(lines: CliLine[], includeUsage = false): ChatChunk[] {
  const state = newChatStreamState({ id: 'chatcmpl-x', model: 'sonnet', created: 1, includeUsage });
  return lines.flatMap((l) => translateLine(state, l));
}

describe('chat stream translation (recorded CLI output)', () => {
  it('turns partial text deltas into one chunk each, after a role chunk, with one finish chunk', () => {
    const chunks = translateAll(recorded('text-stream'));
    const deltas = chunks.map((c) => c.choices[0]?.delta);
    assert.deepEqual(deltas[0], { role: 'assistant', content: '' });
    assert.deepEqual(
      chunks.flatMap((c) => (c.choices[0]?.delta.content ? [c.choices[0].delta.content] : [])),
      ['Hello', ' there,', ' friend.'],
    );
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.equal(finishes.length, 1);
    assert.equal(finishes[0]!.choices[0]!.finish_reason, 'stop');
    assert.equal(chunks.at(-1), finishes[0], 'nothing after the finish chunk without include_usage');
  });

  it('ignores the assistant line that repeats the streamed text', () => {
    const lines = recorded('text-stream');
    assert.ok(
      lines.some((l) => l.type === 'assistant'),
      'the fixture holds the repeated assistant message',
    );
    const text = translateAll(lines)
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    assert.equal(text, 'Hello there, friend.');
  });

  it('appends a usage chunk with empty choices when asked, counting cache reads as prompt tokens', () => {
    const chunks = translateAll(recorded('text-stream'), true);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, {
      prompt_tokens: 61,
      completion_tokens: 6,
      total_tokens: 67,
      prompt_tokens_details: { cached_tokens: 40 },
    });
  });

  it('streams thinking as reasoning_content, never as content', () => {
    const chunks = translateAll(recorded('thinking-then-text'));
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('');
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(reasoning, 'The user greets me.');
    assert.equal(content, 'Hi!');
  });

  it('folds chunks into a chat.completion with the same text', () => {
    const lines = recorded('thinking-then-text');
    const result = lines.find((l) => l.type === 'result');
    assert.ok(result && result.type === 'result');
    const completion = collectCompletion(translateAll(lines), chatUsage(result.usage));
    assert.equal(completion.choices[0]?.message.content, 'Hi!');
    assert.equal(completion.choices[0]?.message.reasoning_content, 'The user greets me.');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.equal(completion.usage.completion_tokens, result.usage?.output_tokens);
  });

  it("produces no content from an error run: the CLI's synthetic error message is not an answer", () => {
    const lines = recorded('rate-limited');
    const beforeResult = lines.filter((l) => l.type !== 'result');
    assert.ok(
      beforeResult.some((l) => l.type === 'assistant' && JSON.stringify(l).includes('429')),
      'the recording holds the synthetic assistant message with the error text',
    );
    // The run loop throws on the error result (a real HTTP error); what came before it must give the client nothing.
    assert.deepEqual(translateAll(beforeResult), []);
  });

  it('maps tool_use blocks to indexed tool_calls with argument fragments', () => {
    const state = newChatStreamState({ id: 'c', model: 'm', created: 1, includeUsage: false });
    const ev = (event: unknown) => ({ type: 'stream_event', event, parent_tool_use_id: null }) as CliLine;
    const out = [
      ev({ type: 'message_start', message: {} }),
      ev({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
      }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' } }),
      { type: 'result', subtype: 'success', is_error: false } as CliLine,
    ].flatMap((l) => translateLine(state, l));
    const calls = out.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(calls[0], {
      index: 0,
      id: 'toolu_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    assert.equal(calls.map((c) => c.function.arguments).join(''), '{"city":"Paris"}');
    assert.equal(out.at(-1)?.choices[0]?.finish_reason, 'tool_calls');
  });
});
