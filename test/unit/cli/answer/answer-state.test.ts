/** AnswerState beyond stop sequences and structured output: client tool names and arguments, usage, the tool_calls result. */
import assert from 'node:assert/strict';
import { AnswerState } from '../../../../src/cli/answer/answer-state';
import type { StreamEventLine } from '../../../../src/cli/events';
import { API_PREFIX, ToolSet } from '../../../../src/cli/tools/tool-set';

const ev = (event: unknown) => ({ type: 'stream_event', event, parent_tool_use_id: null }) as StreamEventLine;
const tools = new ToolSet({
  tools: [
    { name: 'fs.read', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
    { name: 'pick', parameters: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
  ],
});
const [readName, pickName] = tools.mcpTools.map((t) => API_PREFIX + t.name);

/** A tool_use block at `index` whose arguments arrive in `parts`. */
function toolBlock(index: number, id: string, name: string | undefined, parts: string[]): StreamEventLine[] {
  return [
    ev({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } }),
    ...parts.map((partial_json) =>
      ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }),
    ),
    ev({ type: 'content_block_stop', index }),
  ];
}

const feed = (state: AnswerState, lines: StreamEventLine[]) => lines.map((l) => state.clientLines(l));

describe('answer state', () => {
  it('gives the client its own tool names, and records the calls in the assistant turn', () => {
    const state = new AnswerState(tools);
    const block = toolBlock(0, 'toolu_1', readName, ['{"path":', '"a.txt"}']);
    const out = feed(state, block);
    assert.equal(out[0]!.length, 1);
    const start = out[0]![0]!.event;
    assert.ok(start.type === 'content_block_start');
    assert.equal(start.content_block.name, 'fs.read');
    assert.equal(start.content_block.id, 'toolu_1');
    assert.deepEqual(out.slice(1), [[block[1]], [block[2]], [block[3]]], 'deltas and the stop pass unchanged');
    assert.deepEqual(state.assistant.content, [
      { type: 'tool_use', id: 'toolu_1', name: 'fs.read', input: { path: 'a.txt' } },
    ]);
    assert.deepEqual(state.toolUseIds, ['toolu_1']);
  });

  it('unwraps the arguments of a wrapped tool into one delta at the end of its block', () => {
    const state = new AnswerState(tools);
    const block = toolBlock(1, 'toolu_2', pickName, ['{"val', 'ue":42}']);
    const out = feed(state, block);
    assert.deepEqual(out[1], [], 'the wrapped shape never reaches the client');
    assert.deepEqual(out[2], []);
    assert.deepEqual(
      out[3]!.map((l) => l.event),
      [
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '42' } },
        block[3]!.event,
      ],
    );
    assert.deepEqual(state.assistant.content, [{ type: 'tool_use', id: 'toolu_2', name: 'pick', input: 42 }]);
  });

  it('gives a call with no arguments an empty object', () => {
    const state = new AnswerState(tools);
    feed(state, toolBlock(0, 'toolu_3', readName, []));
    assert.deepEqual(state.assistant.content, [{ type: 'tool_use', id: 'toolu_3', name: 'fs.read', input: {} }]);
  });

  it('adds up the usage of every message, counting output once per message', () => {
    const state = new AnswerState(tools);
    feed(state, [
      ev({
        type: 'message_start',
        message: { usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 } },
      }),
      ev({ type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 3 } }),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 8 } }),
      ev({ type: 'message_stop' }),
      ev({ type: 'message_start', message: { usage: { input_tokens: 4, cache_read_input_tokens: 50 } } }),
      ev({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } }),
      ev({ type: 'message_stop' }),
    ]);
    assert.deepEqual(state.usage, {
      input_tokens: 14,
      output_tokens: 13,
      cache_read_input_tokens: 150,
      cache_creation_input_tokens: 7,
    });
    assert.equal(state.stopReason, 'end_turn');
  });

  it('ends an answer held for tool calls with a tool_calls result carrying the usage so far', () => {
    const state = new AnswerState(tools);
    feed(state, [
      ev({ type: 'message_start', message: { usage: { input_tokens: 12 } } }),
      ...toolBlock(0, 'toolu_1', readName, ['{}']),
      ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 6 } }),
    ]);
    const result = state.syntheticResult();
    assert.equal(result.subtype, 'tool_calls');
    assert.equal(result.is_error, false);
    assert.equal(result.stop_reason, 'tool_use');
    assert.equal(result.total_cost_usd, 0);
    assert.deepEqual(result.usage, {
      input_tokens: 12,
      output_tokens: 6,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
    state.usage.output_tokens = 99;
    assert.equal(result.usage?.output_tokens, 6, 'a copy, not the live counters');
  });

  it("reports the answer's own usage and cost, not the process's running totals", () => {
    // A used process: the CLI's result re-reports an earlier segment's tokens and a running total of cost.
    const state = new AnswerState(tools, [], false, 0.0125);
    feed(state, [
      ev({ type: 'message_start', message: { usage: { input_tokens: 30, cache_read_input_tokens: 200 } } }),
      ev({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }),
    ]);
    const cliResult = {
      type: 'result',
      subtype: 'success',
      is_error: false,
      total_cost_usd: 0.0175,
      usage: { input_tokens: 42, output_tokens: 15, cache_read_input_tokens: 300, service_tier: 'standard' },
    } as const;
    const own = state.ownResult(cliResult);
    assert.deepEqual(own.usage, {
      input_tokens: 30,
      output_tokens: 9,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 0,
      service_tier: 'standard',
    });
    assert.equal(own.total_cost_usd, 0.005);
    assert.equal(state.costTotal, 0.0175, 'the running total, for the next answer of this process');
    assert.equal(state.resultSeen, true);
  });

  it("keeps the CLI's usage when the answer had no stream events of its own", () => {
    const state = new AnswerState(tools);
    const cliResult = { type: 'result', subtype: 'success', is_error: false, usage: { input_tokens: 5 } } as const;
    assert.deepEqual(state.ownResult(cliResult).usage, { input_tokens: 5 });
  });
});
