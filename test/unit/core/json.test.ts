/** Lenient JSON parsing of model output, and the canonical form behind conversation fingerprints. */
import assert from 'node:assert/strict';
import { canonicalHash, canonicalJson, parseJsonOr } from '../../../src/core/json';

describe('JSON helpers', () => {
  it('parses JSON, and gives the fallback for empty or half-written text', () => {
    assert.deepEqual(parseJsonOr('{"city":"Paris"}', {}), { city: 'Paris' });
    assert.equal(parseJsonOr('null', 'fallback'), null);
    assert.equal(parseJsonOr('0', 'fallback'), 0);
    const fallback = {};
    assert.equal(parseJsonOr('', fallback), fallback);
    assert.equal(parseJsonOr('{"city":"Par', fallback), fallback);
  });

  it('writes keys in sorted order at every depth, without undefined members', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }),
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    assert.equal(canonicalJson([undefined, null, 'x']), '[null,null,"x"]');
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(canonicalJson('a"b'), '"a\\"b"');
  });

  it('hashes equal values alike whatever their key order, and different values apart', () => {
    const a = canonicalHash({ model: 'sonnet', turns: [{ role: 'user', text: 'hi' }] });
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(canonicalHash({ turns: [{ text: 'hi', role: 'user' }], model: 'sonnet', extra: undefined }), a);
    assert.notEqual(canonicalHash({ model: 'sonnet', turns: [{ role: 'user', text: 'hi!' }] }), a);
    assert.notEqual(canonicalHash([1, 2]), canonicalHash([2, 1]));
  });
});
