import assert from 'node:assert/strict';
import { conversationFingerprint } from '../../../../src/cli/history/fingerprint';
import type { Turn } from '../../../../src/core/model-request';

const user = (text: string): Turn => ({ role: 'user', content: [{ type: 'text', text }] });

describe('conversation fingerprint', () => {
  it('never lets a process started with other flags continue a conversation', () => {
    const base = { model: 'sonnet', system: '' };
    const turns = [user('hi')];
    const plain = conversationFingerprint(base, turns);
    assert.notEqual(conversationFingerprint({ ...base, effort: 'low' }, turns), plain);
    assert.notEqual(conversationFingerprint({ ...base, jsonSchema: { type: 'object' } }, turns), plain);
    assert.notEqual(conversationFingerprint({ ...base, model: 'opus' }, turns), plain);
    assert.notEqual(conversationFingerprint({ ...base, system: 'Be terse.' }, turns), plain);
    assert.equal(
      conversationFingerprint({ ...base, effort: undefined }, turns),
      plain,
      'unset flags leave the fingerprint as it was',
    );
  });

  it('leaves out the output limit, which a live process takes per request', () => {
    const base = { model: 'sonnet', system: '' };
    const turns = [user('hi')];
    const limited: Parameters<typeof conversationFingerprint>[0] & { maxOutputTokens: number } = {
      ...base,
      maxOutputTokens: 10,
    };
    assert.equal(conversationFingerprint(limited, turns), conversationFingerprint(base, turns));
  });

  it('is the same however the client split the text, and differs with any turn', () => {
    const base = { model: 'sonnet', system: '' };
    const split: Turn = {
      role: 'user',
      content: [
        { type: 'text', text: 'hel' },
        { type: 'text', text: 'lo' },
      ],
    };
    assert.equal(conversationFingerprint(base, [split]), conversationFingerprint(base, [user('hello')]));
    assert.notEqual(conversationFingerprint(base, [user('hello')]), conversationFingerprint(base, [user('hello!')]));
    assert.notEqual(
      conversationFingerprint(base, [user('a')]),
      conversationFingerprint(base, [user('a'), { role: 'assistant', content: [{ type: 'text', text: 'b' }] }]),
    );
  });

  it('compares tool results by their text, whether given as a string or blocks', () => {
    const base = { model: 'sonnet', system: '' };
    const asString: Turn = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] };
    const asBlocks: Turn = {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }] }],
    };
    assert.equal(conversationFingerprint(base, [asString]), conversationFingerprint(base, [asBlocks]));
  });
});
