/** The default (in-memory) store behind GET /v1/responses/{id} and previous_response_id. */
import assert from 'node:assert/strict';
import { MemoryResponseStore } from '../../../../src/server/store/memory-store';
import { completedResponse, QUESTION } from '../../../support/responses';

describe('in-memory response store', () => {
  let now = 0;
  let settings = { responsesStoreSize: 3, responsesTtlSeconds: 10 };
  const store = () =>
    new MemoryResponseStore(
      () => settings,
      () => now,
    );
  beforeEach(() => {
    now = 1_000_000;
    settings = { responsesStoreSize: 3, responsesTtlSeconds: 10 };
  });

  it('keeps the response and the conversation with its own output as the last assistant turn', async () => {
    const s = store();
    await s.put(completedResponse('resp_1'), { turns: QUESTION, inputSystem: 'sys' });
    const got = await s.get('resp_1');
    assert.equal(got?.response.id, 'resp_1');
    assert.deepEqual(got?.conversation, {
      inputSystem: 'sys',
      turns: [...QUESTION, { role: 'assistant', content: [{ type: 'text', text: 'answer' }] }],
    });
    got!.conversation.turns.push({ role: 'user', content: [] });
    assert.equal((await s.get('resp_1'))?.conversation.turns.length, 2, 'callers get copies');
  });

  it('forgets responses after the TTL', async () => {
    const s = store();
    await s.put(completedResponse('resp_1'), { turns: QUESTION, inputSystem: '' });
    now += 9_999;
    assert.ok(await s.get('resp_1'));
    now += 1;
    assert.equal(await s.get('resp_1'), undefined);
  });

  it('drops the oldest beyond the size limit, and keeps nothing at size 0', async () => {
    const s = store();
    for (const id of ['a', 'b', 'c', 'd']) await s.put(completedResponse(id), { turns: QUESTION, inputSystem: '' });
    assert.equal(s.size, 3);
    assert.equal(await s.get('a'), undefined);
    assert.ok(await s.get('d'));
    settings = { ...settings, responsesStoreSize: 0 };
    const none = store();
    await none.put(completedResponse('x'), { turns: QUESTION, inputSystem: '' });
    assert.equal(await none.get('x'), undefined);
  });

  it('deletes on request and says whether there was anything to delete', async () => {
    const s = store();
    await s.put(completedResponse('resp_1'), { turns: QUESTION, inputSystem: '' });
    assert.equal(await s.delete('resp_1'), true);
    assert.equal(await s.get('resp_1'), undefined);
    assert.equal(await s.delete('resp_1'), false);
  });
});
