/** API keys with member names: the `name:key` rule, and what a valid entry is. */
import assert from 'node:assert/strict';
import { apiKeyListSchema, MEMBER_NAME, parseKeyEntry } from '../../../src/config/api-keys';

describe('API keys with member names', () => {
  it('splits an entry at its first colon; an entry without one is a plain key', () => {
    assert.deepEqual(parseKeyEntry('alice:k1-secret'), { member: 'alice', key: 'k1-secret' });
    assert.deepEqual(parseKeyEntry('ops:a:b:c'), { member: 'ops', key: 'a:b:c' });
    assert.deepEqual(parseKeyEntry('plain-key-1'), { key: 'plain-key-1' });
    assert.deepEqual(parseKeyEntry(':no-name'), { member: '', key: 'no-name' });
  });

  it('takes names of 1–64 letters, digits, dot, underscore and dash only', () => {
    for (const ok of ['a', 'Alice', 'bob.smith', 'team_1', 'x-y', 'A'.repeat(64)]) assert.match(ok, MEMBER_NAME);
    for (const bad of ['', 'A'.repeat(65), 'al ice', 'bob@corp', 'ünï', 'a:b', 'a/b'])
      assert.doesNotMatch(bad, MEMBER_NAME);
  });

  it('accepts plain strings (never split) and {member, key} objects, and refuses a key given twice', () => {
    assert.deepEqual(apiKeyListSchema.parse(['plain:with-colon', { member: 'bob', key: ' key-of-bob-1 ' }]), [
      { key: 'plain:with-colon' },
      { member: 'bob', key: 'key-of-bob-1' },
    ]);
    assert.equal(apiKeyListSchema.safeParse([{ member: 'a', key: 'same-key-1' }, 'same-key-1']).success, false);
    assert.equal(apiKeyListSchema.safeParse([{ member: 'a', key: 'short' }]).success, false);
    assert.equal(apiKeyListSchema.safeParse([{ member: 'a b', key: 'long-enough-1' }]).success, false);
  });
});
