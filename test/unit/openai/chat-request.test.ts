/** Validation and message translation of Chat Completions requests. */
import assert from 'node:assert/strict';
import { planChat } from '../../../src/openai/chat-request';
import { chatRequestSchema } from '../../../src/openai/chat-schema';
import { ApiError } from '../../../src/core/api-error';
import { validate } from '../../../src/core/validate';

const plan = (body: unknown) => planChat(validate(chatRequestSchema, body), 'sonnet');

function rejects(fn: () => unknown, status: number, param?: string | null): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status);
    if (param !== undefined) assert.equal(e.param, param);
    return true;
  });
}

describe('chat request translation', () => {
  it('accepts what real clients send: parts with cache_control, developer role, extra fields', () => {
    const p = plan({
      model: 'opus',
      temperature: 0,
      max_completion_tokens: 100,
      stream: true,
      stream_options: { include_usage: true },
      some_future_field: { x: 1 },
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Be exact.', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] },
      ],
    });
    assert.equal(p.request.model, 'opus');
    assert.equal(p.request.system, 'Be exact.');
    assert.deepEqual(p.request.turns, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    assert.equal(p.stream, true);
    assert.equal(p.includeUsage, true);
  });

  it('uses the default model when none is named', () => {
    assert.equal(plan({ messages: [{ role: 'user', content: 'x' }] }).request.model, 'sonnet');
  });

  it('keeps every turn with its role, merging neighbours of one role and putting tool results first', () => {
    const p = plan({
      messages: [
        { role: 'system', content: 'S1' },
        { role: 'system', content: 'S2' },
        { role: 'user', content: 'q1' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'r1' },
        { role: 'user', content: 'and?' },
      ],
    });
    assert.equal(p.request.system, 'S1\n\nS2');
    assert.deepEqual(p.request.turns, [
      { role: 'user', content: [{ type: 'text', text: 'q1' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1', content: 'r1' },
          { type: 'text', text: 'and?' },
        ],
      },
    ]);
  });

  it('keeps a late system message in place inside the user turn', () => {
    const p = plan({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'system', content: 'now be formal' },
        { role: 'user', content: 'c' },
      ],
    });
    assert.equal(p.request.system, '');
    assert.deepEqual(p.request.turns.at(-1)?.content, [
      { type: 'text', text: '<system-message>\nnow be formal\n</system-message>' },
      { type: 'text', text: 'c' },
    ]);
  });

  it('turns data: URI images into image blocks and refuses remote URLs', () => {
    const png = 'iVBORw0KGgo=';
    const p = plan({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
            { type: 'text', text: 'what?' },
          ],
        },
      ],
    });
    assert.deepEqual(p.request.turns[0]?.content[0], {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: png },
    });
    rejects(
      () =>
        plan({
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
          ],
        }),
      400,
      'messages[0].content[0]',
    );
  });

  it('rejects what it cannot serve with a 400 naming the parameter', () => {
    rejects(() => plan({ messages: [] }), 400, 'messages');
    rejects(() => plan({ messages: [{ role: 'user', content: 'x' }], n: 2 }), 400, 'n');
    rejects(() => plan({ messages: [{ role: 'wizard', content: 'x' }] }), 400, 'messages[0].role');
    rejects(() => plan({ messages: [{ role: 'user', content: 5 }] }), 400, 'messages[0].content');
    rejects(() => plan({ messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }), 400, 'temperature');
    rejects(
      () =>
        plan({
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: 'prefill' },
          ],
        }),
      400,
      'messages',
    );
    rejects(
      () =>
        plan({
          messages: [
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{bad' } }],
            },
            { role: 'user', content: 'x' },
          ],
        }),
      400,
      'messages[0].tool_calls[0].function.arguments',
    );
  });

  it('plans stop, the output limit (max_completion_tokens over max_tokens) and the effort', () => {
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
});
