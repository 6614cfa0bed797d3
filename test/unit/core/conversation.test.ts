/** OpenAI-shaped messages → the CLI's turns: merging, empties, tool results first, the last user turn. */
import assert from 'node:assert/strict';
import {
  joinSystem,
  lastUserTurn,
  lateSystemBlock,
  normalizeTurns,
  type PendingTurn,
  toolResultsOf,
} from '../../../src/core/conversation';
import type { ContentBlock, Turn } from '../../../src/core/model-request';

const text = (t: string): ContentBlock => ({ type: 'text', text: t });
const result = (id: string): ContentBlock => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });
const call = (id: string): ContentBlock => ({ type: 'tool_use', id, name: 'f', input: {} });

describe('conversation', () => {
  it('merges neighbours of one role and drops empty turns', () => {
    const pending: PendingTurn[] = [
      { role: 'user', content: [text('a')] },
      { role: 'assistant', content: [] },
      { role: 'user', content: [text('b')] },
      { role: 'assistant', content: [text('c')] },
      { role: 'assistant', content: [call('t1')] },
      { role: 'user', content: [] },
    ];
    assert.deepEqual(normalizeTurns(pending), [
      { role: 'user', content: [text('a'), text('b')] },
      { role: 'assistant', content: [text('c'), call('t1')] },
    ]);
    assert.deepEqual(pending[0]!.content, [text('a')], 'the input is not changed');
  });

  it('puts tool results first in a user turn, keeping their order', () => {
    const turns = normalizeTurns([
      { role: 'assistant', content: [call('t1'), call('t2')] },
      { role: 'user', content: [text('note'), result('t1')] },
      { role: 'user', content: [text('more'), result('t2')] },
    ]);
    assert.deepEqual(turns[1]!.content, [result('t1'), result('t2'), text('note'), text('more')]);
    assert.deepEqual(toolResultsOf(turns[1]), [result('t1'), result('t2')]);
    assert.deepEqual(toolResultsOf(turns[0]), []);
    assert.deepEqual(toolResultsOf(undefined), []);
  });

  it('gives the last turn when it is the user’s, and a 400 naming the field otherwise', () => {
    const user: Turn = { role: 'user', content: [text('q')] };
    assert.equal(lastUserTurn([user], 'messages', 'message must be a user message'), user);
    assert.throws(
      () => lastUserTurn([], 'messages', 'message must be a user message'),
      (e: { status: number; param: string; message: string }) =>
        e.status === 400 && e.param === 'messages' && /messages must hold at least one user message/.test(e.message),
    );
    assert.throws(
      () => lastUserTurn([user, { role: 'assistant', content: [text('a')] }], 'input', 'input item must be user input'),
      (e: { status: number; param: string; message: string }) =>
        e.status === 400 &&
        e.param === 'input' &&
        e.message === 'The last input item must be user input; assistant prefill is not supported.',
    );
  });

  it('joins system parts with blank lines, dropping empty ones', () => {
    assert.equal(joinSystem(['  Be brief. ', '', '\n', 'Answer in French.\n']), 'Be brief.\n\nAnswer in French.');
    assert.equal(joinSystem([]), '');
  });

  it('keeps a late system message as marked user-turn text', () => {
    assert.deepEqual(lateSystemBlock('Now answer in French.'), {
      type: 'text',
      text: '<system-message>\nNow answer in French.\n</system-message>',
    });
  });
});
