/** The in-memory store behind GET /v1/responses/{id} and previous_response_id. */
import assert from 'node:assert/strict';
import type { Turn } from '../../../src/core/model-request';
import type { ResponseObject } from '../../../src/openai/responses-stream';
import { ResponseStore } from '../../../src/server/response-store';
import { DEFAULT_ECHO } from '../../support/responses';

function response(id: string, text = 'answer'): ResponseObject {
  return {
    id,
    object: 'response',
    created_at: 1,
    status: 'completed',
    background: false,
    error: null,
    incomplete_details: null,
    output: [
      {
        id: `msg_${id}`,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
      },
    ],
    usage: null,
    ...DEFAULT_ECHO,
  };
}

const question: Turn[] = [{ role: 'user', content: [{ type: 'text', text: 'q' }] }];

describe('response store', () => {
  let now = 0;
  let settings = { responsesStoreSize: 3, responsesTtlSeconds: 10 };
  const store = () =>
    new ResponseStore(
      () => settings,
      () => now,
    );
  beforeEach(() => {
    now = 1_000_000;
    settings = { responsesStoreSize: 3, responsesTtlSeconds: 10 };
  });

  it('keeps the response and the conversation with its own output as the last assistant turn', () => {
    const s = store();
    s.put(response('resp_1'), { turns: question, inputSystem: 'sys' });
    const got = s.get('resp_1');
    assert.equal(got?.response.id, 'resp_1');
    assert.deepEqual(got?.conversation, {
      inputSystem: 'sys',
      turns: [...question, { role: 'assistant', content: [{ type: 'text', text: 'answer' }] }],
    });
    got!.conversation.turns.push({ role: 'user', content: [] });
    assert.equal(s.get('resp_1')?.conversation.turns.length, 2, 'callers get copies');
  });

  it('forgets responses after the TTL', () => {
    const s = store();
    s.put(response('resp_1'), { turns: question, inputSystem: '' });
    now += 9_999;
    assert.ok(s.get('resp_1'));
    now += 1;
    assert.equal(s.get('resp_1'), undefined);
  });

  it('drops the oldest beyond the size limit, and keeps nothing at size 0', () => {
    const s = store();
    for (const id of ['a', 'b', 'c', 'd']) s.put(response(id), { turns: question, inputSystem: '' });
    assert.equal(s.size, 3);
    assert.equal(s.get('a'), undefined);
    assert.ok(s.get('d'));
    settings = { ...settings, responsesStoreSize: 0 };
    const none = store();
    none.put(response('x'), { turns: question, inputSystem: '' });
    assert.equal(none.get('x'), undefined);
  });

  it('deletes on request and says whether there was anything to delete', () => {
    const s = store();
    s.put(response('resp_1'), { turns: question, inputSystem: '' });
    assert.equal(s.delete('resp_1'), true);
    assert.equal(s.get('resp_1'), undefined);
    assert.equal(s.delete('resp_1'), false);
  });
});
