/** The pure CLI-lines → Anthropic Messages events translation, replayed on output recorded from the real CLI. */
import assert from 'node:assert/strict';
import {
  type AnthropicEvent,
  foldMessage,
  newMessagesStreamState,
  translateLine,
} from '../../../src/anthropic/messages-stream';
import type { CliLine } from '../../../src/cli/events';
import { recorded } from '../../support/recorded';

function translateAll(lines: CliLine[]): AnthropicEvent[] {
  const state = newMessagesStreamState({ id: 'msg_x', model: 'sonnet' });
  return lines.flatMap((l) => translateLine(state, l));
}

/** The first model message of a fixture, ended as CLI2API's manager ends it (a synthetic result for tool calls). */
function firstMessage(name: string, result: Record<string, unknown>): CliLine[] {
  const lines = recorded(name);
  const stop = lines.findIndex((l) => l.type === 'stream_event' && l.event.type === 'message_stop');
  return [...lines.slice(0, stop + 1), { type: 'result', subtype: 'success', is_error: false, ...result } as CliLine];
}

/** Checks the grammar Anthropic's SDK expects: one start, blocks opened/closed in order, one delta, one stop at the end. */
function assertWellFormed(events: AnthropicEvent[]): void {
  assert.equal(events[0]?.type, 'message_start');
  assert.deepEqual(
    events.slice(-2).map((e) => e.type),
    ['message_delta', 'message_stop'],
  );
  assert.equal(events.filter((e) => e.type === 'message_start').length, 1);
  let open: number | undefined;
  let next = 0;
  for (const e of events) {
    if (e.type === 'content_block_start') {
      assert.equal(open, undefined, 'one block at a time');
      assert.equal(e.index, next++, 'indexes count up from 0');
      open = e.index;
    } else if (e.type === 'content_block_delta') assert.equal(e.index, open);
    else if (e.type === 'content_block_stop') {
      assert.equal(e.index, open);
      open = undefined;
    }
  }
  assert.equal(open, undefined, 'every block is closed');
}

describe('messages stream translation (recorded CLI output)', () => {
  it('passes text deltas through under our id and the requested model, then message_delta and message_stop', () => {
    const events = translateAll(recorded('text-stream'));
    assertWellFormed(events);
    const start = events[0] as Extract<AnthropicEvent, { type: 'message_start' }>;
    assert.equal(start.message.id, 'msg_x');
    assert.equal(start.message.model, 'sonnet');
    assert.deepEqual(start.message.usage, {
      input_tokens: 21,
      output_tokens: 1,
      cache_read_input_tokens: 40,
      cache_creation_input_tokens: 0,
    });
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'content_block_delta' ? [e.delta.text] : [])),
      ['Hello', ' there,', ' friend.'],
      'the assistant line that repeats the text is ignored',
    );
    assert.deepEqual(events.at(-2), {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 21, output_tokens: 6, cache_read_input_tokens: 40, cache_creation_input_tokens: 0 },
    });
  });

  it('streams thinking and its signature as their own block before the text', () => {
    const events = translateAll(recorded('thinking-then-text'));
    assertWellFormed(events);
    assert.deepEqual(
      events.map((e) => (e.type === 'content_block_delta' ? `${e.index}:${e.delta.type}` : e.type)),
      [
        'message_start',
        'content_block_start',
        '0:thinking_delta',
        '0:signature_delta',
        'content_block_stop',
        'content_block_start',
        '1:text_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    const message = foldMessage(events);
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: 'The user greets me.', signature: 'sig_fake' },
      { type: 'text', text: 'Hi!' },
    ]);
  });

  it('streams a tool call as a tool_use block with input_json deltas and stop_reason tool_use', () => {
    const events = translateAll(
      firstMessage('tool-use', {
        subtype: 'tool_calls',
        stop_reason: 'tool_use',
        usage: { input_tokens: 50, output_tokens: 20 },
      }),
    );
    assertWellFormed(events);
    const toolStart = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
    assert.deepEqual(toolStart, {
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'tool_use', id: 'toolu_rec_1', name: 'get_weather', input: {} },
    });
    const message = foldMessage(events);
    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.stop_sequence, null);
    assert.deepEqual(message.content.at(-1), {
      type: 'tool_use',
      id: 'toolu_rec_1',
      name: 'get_weather',
      input: { city: 'Paris' },
    });
    assert.deepEqual(message.usage, {
      input_tokens: 50,
      output_tokens: 20,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
  });

  it("merges the CLI's own follow-up model message into one client message, re-indexed", () => {
    const events = translateAll(recorded('tool-use'));
    assertWellFormed(events);
    const message = foldMessage(events);
    assert.deepEqual(
      message.content.map((b) => b.type),
      ['thinking', 'text', 'tool_use', 'text'],
    );
    assert.equal(message.content[3]!.text, 'Done.');
    assert.equal(message.stop_reason, 'end_turn');
  });

  it('folds into a non-streamed message with the result usage', () => {
    const message = foldMessage(translateAll(recorded('text-stream')));
    assert.deepEqual(message, {
      id: 'msg_x',
      type: 'message',
      role: 'assistant',
      model: 'sonnet',
      content: [{ type: 'text', text: 'Hello there, friend.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 21, output_tokens: 6, cache_read_input_tokens: 40, cache_creation_input_tokens: 0 },
    });
  });

  it('closes a block left open by a cut at a stop sequence and reports the sequence', () => {
    const lines = recorded('text-stream');
    const cut = lines.findIndex((l) => l.type === 'stream_event' && l.event.type === 'content_block_delta');
    const events = translateAll([
      ...lines.slice(0, cut + 1),
      {
        type: 'stream_event',
        event: { type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: ' there' }, usage: null },
        parent_tool_use_id: null,
      } as CliLine,
      {
        type: 'result',
        subtype: 'success',
        is_error: false,
        stop_reason: 'stop_sequence',
        usage: { input_tokens: 1, output_tokens: 2 },
      } as CliLine,
    ]);
    assertWellFormed(events);
    assert.deepEqual((events.at(-2) as Extract<AnthropicEvent, { type: 'message_delta' }>).delta, {
      stop_reason: 'stop_sequence',
      stop_sequence: ' there',
    });
  });

  it('emits nothing after the result', () => {
    const state = newMessagesStreamState({ id: 'msg_x', model: 'sonnet' });
    const lines = recorded('text-stream');
    lines.forEach((l) => translateLine(state, l));
    assert.deepEqual(translateLine(state, lines[2]!), []);
  });
});
