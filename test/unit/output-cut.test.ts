/** The output-shaping request fields (pure parts): stop sequences, the first max_tokens stop, effort, structured output. */
import assert from 'node:assert/strict';
import { buildArgs, buildEnv } from '../../src/cli/args';
import { errorFromResult } from '../../src/cli/cli-errors';
import type { CliLine, ResultLine, StreamEventLine } from '../../src/cli/events';
import { conversationFingerprint } from '../../src/cli/fingerprint';
import { SegmentState } from '../../src/cli/segment';
import { StopMatcher } from '../../src/cli/stop-matcher';
import { ToolSet } from '../../src/cli/tools';
import { collectCompletion } from '../../src/openai/chat-completion';
import { planChat } from '../../src/openai/chat-request';
import { chatRequestSchema } from '../../src/openai/chat-schema';
import { contentBlocks, MAX_IMAGE_BYTES } from '../../src/openai/content';
import { chatUsage, newChatStreamState, translateLine } from '../../src/openai/chat-stream';
import { planResponses } from '../../src/openai/responses-request';
import { responsesRequestSchema } from '../../src/openai/responses-schema';
import { validate } from '../../src/openai/validate';
import { effortFrom, jsonSchemaFrom, stopSequences } from '../../src/openai/generation';
import { recorded } from '../support/recorded';

/** What readSegment does with the lines: map each stream event, stop at a cut. */
function segment(lines: CliLine[], stop: string[] = []): { out: CliLine[]; state: SegmentState } {
  const state = new SegmentState(new ToolSet({}), stop);
  const out: CliLine[] = [];
  for (const line of lines) {
    if (line.type !== 'stream_event') {
      out.push(line);
      continue;
    }
    out.push(...state.map(line as StreamEventLine));
    if (state.cut) {
      out.push(state.cutResult());
      break;
    }
  }
  return { out, state };
}

function completion(lines: CliLine[]) {
  const chat = newChatStreamState({ id: 'chatcmpl-x', model: 'sonnet', created: 1, includeUsage: false });
  const chunks = lines.flatMap((l) => translateLine(chat, l));
  const result = lines.find((l) => l.type === 'result');
  assert.ok(result && result.type === 'result');
  return { chunks, completion: collectCompletion(chunks, chatUsage(result.usage)) };
}

describe('stop matcher', () => {
  it('ends the text right before the first stop sequence', () => {
    const m = new StopMatcher(['END', 'x']);
    assert.deepEqual(m.push('abc END def x'), { text: 'abc ', stopped: 'END' });
  });

  it('finds a sequence split across deltas, holding back only what could start it', () => {
    const m = new StopMatcher(['</answer>']);
    assert.deepEqual(m.push('yes</an'), { text: 'yes' });
    assert.deepEqual(m.push('swer> more'), { text: '', stopped: '</answer>' });
  });

  it('releases held-back text as soon as it cannot become a sequence, and at the end', () => {
    const m = new StopMatcher(['STOP']);
    assert.deepEqual(m.push('a ST'), { text: 'a ' });
    assert.deepEqual(m.push('AR'), { text: 'STAR' });
    assert.deepEqual(m.push('ST'), { text: '' });
    assert.equal(m.flush(), 'ST');
  });

  it('ignores empty sequences', () => {
    const m = new StopMatcher(['']);
    assert.equal(m.active, false);
  });
});

describe('request fields for the output', () => {
  it('takes stop as a string or a list', () => {
    assert.deepEqual(stopSequences('\n\n'), ['\n\n']);
    assert.deepEqual(stopSequences(['a', '', 'b']), ['a', 'b']);
    assert.equal(stopSequences(['']), undefined);
    assert.equal(stopSequences(null), undefined);
  });

  it("maps OpenAI's reasoning efforts to the CLI's --effort, refusing unknown ones", () => {
    assert.equal(effortFrom('minimal', 'reasoning_effort'), 'low');
    assert.equal(effortFrom('none', 'reasoning_effort'), 'low');
    assert.equal(effortFrom('HIGH', 'reasoning_effort'), 'high');
    assert.equal(effortFrom('xhigh', 'reasoning_effort'), 'xhigh');
    assert.equal(effortFrom(undefined, 'reasoning_effort'), undefined);
    assert.throws(
      () => effortFrom('extreme', 'reasoning.effort'),
      (e: { status: number; param: string }) => e.status === 400 && e.param === 'reasoning.effort',
    );
  });
});

describe('answers cut by CLI2API (recorded CLI output)', () => {
  it('cuts at a stop sequence: truncated text, a stop_sequence end, finish_reason stop', () => {
    const { out, state } = segment(recorded('text-stream'), [' friend']);
    assert.equal(state.cut, 'stop_sequence');
    const { chunks, completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'Hello there,');
    assert.equal(c.choices[0]?.finish_reason, 'stop');
    assert.equal(chunks.filter((k) => k.choices[0]?.finish_reason).length, 1);
    assert.deepEqual(state.assistant.content, [{ type: 'text', text: 'Hello there,' }]);
    const result = out.at(-1);
    assert.ok(result?.type === 'result' && result.stop_reason === 'stop_sequence');
    assert.ok((result.usage?.output_tokens ?? 0) > 0, 'output tokens estimated before the model reported them');
  });

  it('passes every delta unchanged when no stop sequence matches', () => {
    const { out, state } = segment(recorded('text-stream'), ['zzz']);
    assert.equal(state.cut, undefined);
    const { chunks, completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'Hello there, friend.');
    assert.ok(chunks.filter((k) => k.choices[0]?.delta.content).length >= 3, 'still streamed delta by delta');
  });

  it('ends at the first max_tokens stop, before the CLI retries: the text once, finish_reason length', () => {
    const { out, state } = segment(recorded('max-tokens'));
    assert.equal(state.cut, 'max_tokens');
    const { completion: c } = completion(out);
    assert.equal(c.choices[0]?.message.content, 'This answer was cut');
    assert.equal(c.choices[0]?.finish_reason, 'length');
    assert.equal(c.usage.completion_tokens, 5);
  });
});

describe('output fields reach the CLI', () => {
  it('plans stop, the output limit (max_completion_tokens over max_tokens) and the effort from a chat request', () => {
    const p = planChat(
      validate(chatRequestSchema, {
        messages: [{ role: 'user', content: 'hi' }],
        stop: 'END',
        max_tokens: 50,
        max_completion_tokens: 80,
        reasoning_effort: 'medium',
      }),
      'sonnet',
    );
    assert.deepEqual(p.request.stop, ['END']);
    assert.equal(p.request.maxOutputTokens, 80);
    assert.equal(p.request.effort, 'medium');
  });

  it('plans max_output_tokens and reasoning.effort from a Responses request', () => {
    const p = planResponses(
      validate(responsesRequestSchema, {
        input: 'hi',
        max_output_tokens: 64,
        reasoning: { effort: 'low' },
        stop: ['a'],
      }),
      'sonnet',
    );
    assert.equal(p.request.maxOutputTokens, 64);
    assert.equal(p.request.effort, 'low');
    assert.deepEqual(p.request.stop, ['a']);
  });

  it('puts the effort on the command line and the output limit in the environment', () => {
    const args = buildArgs({ model: 'opus', effort: 'max' });
    assert.equal(args[args.indexOf('--effort') + 1], 'max');
    assert.ok(!buildArgs({ model: 'opus' }).includes('--effort'));
    assert.equal(
      buildEnv({}, { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '9' }, 100).CLAUDE_CODE_MAX_OUTPUT_TOKENS,
      '100',
      "the request's limit wins",
    );
    assert.equal(buildEnv({}, {}).CLAUDE_CODE_MAX_OUTPUT_TOKENS, undefined);
  });

  it('never lets a process started with other flags continue a conversation', () => {
    const base = { model: 'sonnet', system: '' };
    const turns = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }];
    const plain = conversationFingerprint(base, turns);
    assert.notEqual(conversationFingerprint({ ...base, effort: 'low' }, turns), plain);
    assert.notEqual(conversationFingerprint({ ...base, maxOutputTokens: 10 }, turns), plain);
    assert.equal(
      conversationFingerprint({ ...base, effort: undefined }, turns),
      plain,
      'unset flags leave the fingerprint as it was',
    );
  });
});

describe('structured output (pure parts)', () => {
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

  it("keeps the model's prose and the StructuredOutput call out of the answer; the validated value is the content", () => {
    const state = new SegmentState(new ToolSet({}), [], true);
    const mapped = modelTurn.flatMap((l) => state.map(l));
    assert.equal(state.toolUseIds.length, 0, 'no client tool call: the segment does not wait for one');
    const lines = [...mapped, ...state.structuredAnswer(result({ structured_output: { a: 1 } }))];
    const { completion: c } = completion(lines);
    assert.equal(c.choices[0]?.message.content, '{"a":1}');
    assert.equal(c.choices[0]?.finish_reason, 'stop');
    assert.equal(c.choices[0]?.message.tool_calls, undefined);
  });

  it('fails with 422 structured_output_failed when the result holds no value', () => {
    const state = new SegmentState(new ToolSet({}), [], true);
    modelTurn.slice(0, 4).forEach((l) => state.map(l));
    assert.throws(
      () => state.structuredAnswer(result({ result: 'I cannot.' })),
      (e: { status: number; code: string; message: string }) =>
        e.status === 422 && e.code === 'structured_output_failed' && /Here it is:/.test(e.message),
    );
    const failed = errorFromResult(
      { ...result({ result: 'Failed to provide valid structured output after 5 attempts' }), is_error: true },
      'sonnet',
    );
    assert.equal(failed.code, 'structured_output_failed');
  });

  it('turns response_format and text.format into the schema for --json-schema', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    assert.deepEqual(
      jsonSchemaFrom({ type: 'json_schema', json_schema: { name: 'x', schema } }, 'response_format'),
      schema,
    );
    assert.deepEqual(jsonSchemaFrom({ type: 'json_schema', schema }, 'text.format'), schema);
    // zod 4's dialect line would make the CLI drop its StructuredOutput tool.
    const dialect = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema };
    assert.deepEqual(
      jsonSchemaFrom({ type: 'json_schema', json_schema: { name: 'x', schema: dialect } }, 'response_format'),
      schema,
    );
    assert.deepEqual(jsonSchemaFrom({ type: 'json_object' }, 'response_format'), { type: 'object' });
    assert.equal(jsonSchemaFrom({ type: 'text' }, 'response_format'), undefined);
    assert.throws(
      () => jsonSchemaFrom({ type: 'json_schema', json_schema: { schema: { type: 'array' } } }, 'response_format'),
      (e: { status: number }) => e.status === 400,
    );
    const args = buildArgs({ model: 'sonnet', jsonSchema: schema });
    assert.deepEqual(JSON.parse(args[args.indexOf('--json-schema') + 1]!), schema);
  });
});

describe('image size', () => {
  it('refuses an image over the limit with 413 naming the part', () => {
    const big = 'A'.repeat(Math.ceil((MAX_IMAGE_BYTES + 10) / 3) * 4);
    assert.throws(
      () =>
        contentBlocks(
          [{ type: 'image_url', image_url: { url: `data:image/png;base64,${big}` } }],
          'messages[0].content',
        ),
      (e: { status: number; code: string; param: string }) =>
        e.status === 413 && e.code === 'image_too_large' && e.param === 'messages[0].content[0]',
    );
    assert.equal(
      contentBlocks([{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }], 'x').length,
      1,
    );
  });
});
