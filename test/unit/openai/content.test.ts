import assert from 'node:assert/strict';
import { MAX_IMAGE_BYTES } from '../../../src/core/images';
import { contentBlocks, contentText } from '../../../src/openai/content';

describe('OpenAI content', () => {
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

  it('turns data: URIs into image blocks (image/jpg as image/jpeg) and refuses remote URLs and other types', () => {
    assert.deepEqual(contentBlocks([{ type: 'image_url', image_url: 'data:image/jpg;base64,QUJD' }], 'm'), [
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'QUJD' } },
    ]);
    assert.throws(
      () => contentBlocks([{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }], 'm'),
      (e: { status: number; code: string }) => e.status === 400 && e.code === 'unsupported_image_url',
    );
    assert.throws(
      () => contentBlocks([{ type: 'image_url', image_url: 'data:image/svg+xml;base64,QUJD' }], 'm'),
      (e: { status: number; code: string }) => e.status === 400 && e.code === 'unsupported_image_type',
    );
  });

  it('keeps text parts as text blocks and drops empty ones', () => {
    assert.deepEqual(contentBlocks('hi', 'm'), [{ type: 'text', text: 'hi' }]);
    assert.deepEqual(contentBlocks('', 'm'), []);
    assert.equal(
      contentText([
        { type: 'text', text: 'a' },
        { type: 'refusal', refusal: 'b' },
      ]),
      'a\nb',
    );
  });
});
