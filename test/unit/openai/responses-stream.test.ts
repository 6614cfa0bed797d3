/**
 * The pure CLI-lines → Responses events translation, replayed on output recorded from the
 * real CLI, and checked against the `openai` SDK's own accumulator: what a client folds
 * from the stream must be the response object CLI2API returns.
 */
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { CliLine } from '../../../src/cli/events';
import { errorFromResult } from '../../../src/cli/cli-errors';
import { errors } from '../../../src/core/api-error';
import { UsageLimitError } from '../../../src/core/usage-limits';
import {
  collectResponse,
  failStream,
  isTerminal,
  newResponsesStreamState,
  type ResponseEvent,
  type ResponsesStreamState,
  translateLine,
} from '../../../src/openai/responses-stream';
import { type ResponsesCallee, ResponsesToolNames } from '../../../src/openai/responses-tools';
import { recorded } from '../../support/recorded';
import { DEFAULT_ECHO } from '../../support/responses';

/** The first model message of a recording, ended the way the process manager ends a segment: with a result line. */
function firstMessage(name: string, result: Record<string, unknown>): CliLine[] {
  const lines = recorded(name);
  const stop = lines.findIndex((l) => l.type === 'stream_event' && l.event.type === 'message_stop');
  return [...lines.slice(0, stop + 1), { type: 'result', subtype: 'success', is_error: false, ...result } as CliLine];
}

const ECHO = DEFAULT_ECHO;

const newState = () => newResponsesStreamState({ id: 'resp_abc', createdAt: 1, echo: ECHO });

function translateAll(lines: CliLine[], state: ResponsesStreamState = newState()): ResponseEvent[] {
  return lines.flatMap((l) => translateLine(state, l));
}

/** What the SDK's ResponseStream builds from the events (as finalResponse() does). */
function sdkFold(events: ResponseEvent[]): OpenAI.Responses.Response {
  let snapshot: OpenAI.Responses.Response | undefined;
  for (const e of events) snapshot = accumulateResponse(e as unknown as OpenAI.Responses.ResponseStreamEvent, snapshot);
  assert.ok(snapshot);
  return snapshot;
}

const types = (events: ResponseEvent[]) => events.map((e) => e.type);

describe('responses stream translation (recorded CLI output)', () => {
  it('streams a text answer as one message item, one delta per model delta, then response.completed', () => {
    const events = translateAll(recorded('text-stream'));
    assert.deepEqual(types(events), [
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
    ]);
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
      'sequence numbers count up from 0 without gaps',
    );
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    assert.deepEqual(deltas, ['Hello', ' there,', ' friend.'], 'the repeated assistant line adds nothing');
    const response = collectResponse(events);
    assert.equal(response.status, 'completed');
    assert.deepEqual(response.output, [
      {
        id: 'msg_abc_0',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hello there, friend.', annotations: [], logprobs: [] }],
      },
    ]);
    assert.deepEqual(response.usage, {
      input_tokens: 61,
      input_tokens_details: { cached_tokens: 40 },
      output_tokens: 6,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 67,
    });
  });

  it('folds to the same response the SDK accumulates from the events', () => {
    for (const name of ['text-stream', 'thinking-then-text']) {
      const events = translateAll(recorded(name));
      const sdk = sdkFold(events);
      const { output_text, ...rest } = sdk;
      assert.deepEqual(rest, collectResponse(events), name);
      assert.equal(output_text, name === 'text-stream' ? 'Hello there, friend.' : 'Hi!');
    }
  });

  it('turns thinking into a reasoning item with summary text, ahead of the message', () => {
    const events = translateAll(recorded('thinking-then-text'));
    assert.deepEqual(types(events).slice(2, 9), [
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
    ]);
    const response = collectResponse(events);
    assert.deepEqual(response.output[0], {
      id: 'rs_abc_0',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'The user greets me.' }],
    });
    assert.equal(response.output[1]?.type, 'message');
    assert.ok(!JSON.stringify(response.output[1]).includes('greets'), 'thinking never reaches the message text');
  });

  it('turns a tool_use block into a function_call item with the tool_use id as call_id', () => {
    const events = translateAll(
      firstMessage('tool-use', {
        subtype: 'tool_calls',
        stop_reason: 'tool_use',
        usage: { input_tokens: 50, output_tokens: 20 },
      }),
    );
    const response = collectResponse(events);
    assert.equal(response.status, 'completed');
    assert.deepEqual(
      response.output.map((o) => o.type),
      ['reasoning', 'message', 'function_call'],
    );
    assert.deepEqual(response.output[2], {
      id: 'fc_abc_2',
      type: 'function_call',
      status: 'completed',
      call_id: 'toolu_rec_1',
      name: 'get_weather',
      arguments: '{"city": "Paris"}',
    });
    const argDeltas = events.flatMap((e) => (e.type === 'response.function_call_arguments.delta' ? [e.delta] : []));
    assert.deepEqual(argDeltas, ['{"city":', ' "Paris"}']);
    const done = events.find((e) => e.type === 'response.function_call_arguments.done');
    assert.deepEqual(done && { name: done.name, arguments: done.arguments, item_id: done.item_id }, {
      name: 'get_weather',
      arguments: '{"city": "Paris"}',
      item_id: 'fc_abc_2',
    });
    const sdkCall = sdkFold(events).output[2];
    assert.ok(sdkCall?.type === 'function_call');
    assert.deepEqual(JSON.parse(sdkCall.arguments), { city: 'Paris' });
  });

  it('ends with response.incomplete (max_output_tokens) when the model hit its token limit', () => {
    const events = translateAll(firstMessage('max-tokens', { stop_reason: 'max_tokens' }));
    assert.equal(events.at(-1)?.type, 'response.incomplete');
    const response = collectResponse(events);
    assert.equal(response.status, 'incomplete');
    assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(events.filter(isTerminal).length, 1, 'exactly one terminal event');
  });

  it('ends with response.incomplete, not failed, when the CLI gives up continuing an answer cut at the output limit', () => {
    // The CLI continues a max_tokens answer a few times, then fails the run: every part so far is kept.
    const lines = recorded('max-tokens');
    const result = lines.find((l) => l.type === 'result');
    assert.ok(result?.type === 'result' && result.is_error);
    const state = newState();
    const streamed = translateAll(
      lines.filter((l) => l.type !== 'result'),
      state,
    );
    const ended = failStream(state, errorFromResult(result, 'sonnet'));
    assert.deepEqual(types(ended), ['response.incomplete']);
    const response = collectResponse(ended);
    assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(response.error, null);
    assert.equal(sdkFold([...streamed, ...ended]).output_text, 'This answer was cut'.repeat(4));
  });

  it('judges the stop reason of the last message only', () => {
    const state = newState();
    const lines = recorded('max-tokens').filter((l) => l.type !== 'result');
    const secondStart = lines.findIndex(
      (l, i) => i > 3 && l.type === 'stream_event' && l.event.type === 'message_start',
    );
    translateAll(lines.slice(0, secondStart + 1), state);
    assert.deepEqual(types(failStream(state, errors.upstream('API Error: 500 Internal server error'))), [
      'response.failed',
    ]);
  });

  it('sends nothing before the model starts, so an early failure can still be an HTTP error', () => {
    for (const name of ['rate-limited', 'usage-rejected']) {
      const lines = recorded(name).filter((l) => l.type !== 'result');
      assert.deepEqual(translateAll(lines), [], name);
    }
  });

  it('ends a stream cut by a full usage window with response.failed rate_limit_exceeded, naming the window', () => {
    const state = newState();
    const lines = recorded('text-stream');
    translateAll(lines.slice(0, 4), state);
    const resetsAt = Math.floor(Date.now() / 1000) + 3600;
    const failed = failStream(state, new UsageLimitError('five_hour', resetsAt, Date.now()));
    assert.deepEqual(types(failed), ['response.failed']);
    const error = collectResponse(failed).error;
    assert.equal(error?.code, 'rate_limit_exceeded');
    assert.match(error?.message ?? '', /^Claude 5-hour usage limit reached; resets at \d\d:\d\d UTC \(in 1 h\)\.$/);
  });

  it('ends a failed stream with response.failed carrying the partial output, and nothing after it', () => {
    const state = newState();
    const lines = recorded('text-stream');
    const cut = lines.findIndex((l) => l.type === 'stream_event' && l.event.type === 'content_block_delta');
    const before = translateAll(lines.slice(0, cut + 1), state);
    const failed = failStream(state, errors.rateLimited('Number of requests has exceeded your rate limit'));
    assert.deepEqual(types(failed), ['response.failed']);
    assert.equal(failed[0]!.sequence_number, before.at(-1)!.sequence_number + 1);
    const response = collectResponse(failed);
    assert.equal(response.status, 'failed');
    assert.deepEqual(response.error, {
      code: 'rate_limit_exceeded',
      message: 'Number of requests has exceeded your rate limit',
    });
    assert.deepEqual(response.output[0], {
      id: 'msg_abc_0',
      type: 'message',
      status: 'incomplete',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }],
    });
    assert.deepEqual(translateAll(lines.slice(cut + 1), state), [], 'a failed response takes no more events');
    assert.deepEqual(failStream(state, errors.upstream('again')), []);
  });

  it('keeps the CLI error code when OpenAI has no better one', () => {
    const state = newState();
    const failed = failStream(state, errors.upstream('Claude Code CLI exited with code 1'));
    assert.deepEqual(types(failed), ['response.created', 'response.in_progress', 'response.failed']);
    assert.equal(collectResponse(failed).error?.code, 'upstream_error');
  });

  it('gives a call without arguments "{}" and ignores sub-agent output', () => {
    const ev = (event: unknown, parent: string | null = null) =>
      ({ type: 'stream_event', event, parent_tool_use_id: parent }) as CliLine;
    const events = translateAll([
      ev({ type: 'message_start', message: {} }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'text' } }, 'toolu_parent'),
      ev(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'sub-agent text' } },
        'toolu_parent',
      ),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_9', name: 'now' } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' } }),
      { type: 'result', subtype: 'success', is_error: false, stop_reason: 'tool_use' } as CliLine,
    ]);
    const response = collectResponse(events);
    assert.deepEqual(response.output, [
      { id: 'fc_abc_0', type: 'function_call', status: 'completed', call_id: 'toolu_9', name: 'now', arguments: '{}' },
    ]);
    assert.ok(!JSON.stringify(events).includes('sub-agent'));
  });

  describe('calls of tools that are not flat functions (responses-tools.ts)', () => {
    const ev = (event: unknown) => ({ type: 'stream_event', event, parent_tool_use_id: null }) as CliLine;
    /** One model message that calls `name` with `args`, streamed in two argument deltas. */
    const callLines = (name: string, args: string): CliLine[] => [
      ev({ type: 'message_start', message: {} }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_7', name } }),
      ev({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: args.slice(0, 5) },
      }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: args.slice(5) } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' } }),
      { type: 'result', subtype: 'success', is_error: false, stop_reason: 'tool_use' } as CliLine,
    ];
    const stateWith = (modelName: string, callee: ResponsesCallee) => {
      const toolNames = new ResponsesToolNames();
      toolNames.add(modelName, callee);
      return newResponsesStreamState({ id: 'resp_abc', createdAt: 1, echo: ECHO, toolNames });
    };

    it("gives a namespaced function's call its inner name and namespace, as Codex looks its handler up", () => {
      const state = stateWith('multi_agent_v1__wait_agent', {
        kind: 'function',
        name: 'wait_agent',
        namespace: 'multi_agent_v1',
      });
      const events = translateAll(callLines('multi_agent_v1__wait_agent', '{"ids":["a1"]}'), state);
      assert.deepEqual(collectResponse(events).output, [
        {
          id: 'fc_abc_0',
          type: 'function_call',
          status: 'completed',
          call_id: 'toolu_7',
          name: 'wait_agent',
          namespace: 'multi_agent_v1',
          arguments: '{"ids":["a1"]}',
        },
      ]);
      const added = events.find((e) => e.type === 'response.output_item.added');
      assert.deepEqual(added && 'item' in added && added.item, {
        id: 'fc_abc_0',
        type: 'function_call',
        status: 'in_progress',
        call_id: 'toolu_7',
        name: 'wait_agent',
        namespace: 'multi_agent_v1',
        arguments: '',
      });
    });

    it('turns a call of a custom tool into a custom_tool_call item with the free text as input', () => {
      const state = stateWith('apply_patch', { kind: 'custom', name: 'apply_patch' });
      const events = translateAll(callLines('apply_patch', '{"input":"*** Begin Patch\\n*** End Patch"}'), state);
      assert.deepEqual(types(events), [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.custom_tool_call_input.delta',
        'response.custom_tool_call_input.done',
        'response.output_item.done',
        'response.completed',
      ]);
      assert.deepEqual(collectResponse(events).output, [
        {
          id: 'ctc_abc_0',
          type: 'custom_tool_call',
          status: 'completed',
          call_id: 'toolu_7',
          name: 'apply_patch',
          input: '*** Begin Patch\n*** End Patch',
        },
      ]);
      assert.ok(!types(events).includes('response.function_call_arguments.delta'));
    });

    it('turns a call of local_shell into a local_shell_call item with an exec action', () => {
      const state = stateWith('local_shell', { kind: 'local_shell' });
      const events = translateAll(callLines('local_shell', '{"command":["ls","-l"],"workdir":"/w"}'), state);
      assert.deepEqual(collectResponse(events).output, [
        {
          id: 'lsh_abc_0',
          type: 'local_shell_call',
          status: 'completed',
          call_id: 'toolu_7',
          action: {
            type: 'exec',
            command: ['ls', '-l'],
            working_directory: '/w',
            timeout_ms: null,
            env: {},
            user: null,
          },
        },
      ]);
    });
  });
});
