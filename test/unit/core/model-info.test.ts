import assert from 'node:assert/strict';
import { modelInfo } from '../../../src/core/model-info';

describe('model info', () => {
  it('gives the aliases and current models a 200k context, 64k output, images, tools and reasoning', () => {
    for (const id of ['sonnet', 'opus', 'haiku', 'claude-sonnet-4-5', 'claude-haiku-4-5-20251001', 'claude-opus-4-5']) {
      assert.deepEqual(
        modelInfo(id),
        { contextWindow: 200_000, maxOutputTokens: 64_000, images: true, tools: true, reasoning: true },
        id,
      );
    }
  });

  it('knows the families with smaller output limits', () => {
    assert.equal(modelInfo('claude-opus-4-1-20250805').maxOutputTokens, 32_000);
    assert.equal(modelInfo('claude-opus-4-20250514').maxOutputTokens, 32_000);
    assert.equal(modelInfo('claude-opus-4').maxOutputTokens, 32_000);
    assert.equal(modelInfo('claude-opus-4-5-20251101').maxOutputTokens, 64_000);
    assert.equal(modelInfo('claude-3-5-haiku-20241022').maxOutputTokens, 8_192);
    assert.equal(modelInfo('claude-3-5-haiku-20241022').reasoning, false);
    assert.equal(modelInfo('Claude-3-Haiku-20240307').maxOutputTokens, 4_096);
  });
});
