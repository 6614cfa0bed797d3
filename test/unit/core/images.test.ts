/** The one image check: media types, and the size cap on the decoded bytes. */
import assert from 'node:assert/strict';
import { decodedBase64Bytes, imageBlock, MAX_IMAGE_BYTES } from '../../../src/core/images';

/** The base64 of `n` zero bytes, built without encoding megabytes (checked against Buffer below). */
const zerosBase64 = (n: number) => 'A'.repeat(Math.floor(n / 3) * 4) + Buffer.alloc(n % 3).toString('base64');

describe('images', () => {
  it('counts the decoded bytes of base64 text, padding included', () => {
    for (let n = 0; n <= 7; n++) {
      const encoded = Buffer.alloc(n, 0xfb).toString('base64');
      assert.equal(decodedBase64Bytes(encoded), n, encoded);
      assert.equal(zerosBase64(n), Buffer.alloc(n).toString('base64'));
    }
    assert.equal(decodedBase64Bytes('QUI'), 2, 'unpadded');
  });

  it('accepts png, jpeg, gif and webp, any case, and calls image/jpg image/jpeg', () => {
    assert.deepEqual(imageBlock('image/jpg', 'QUJD', 'm'), {
      type: 'image',
      source: { type: 'base64', media_type: 'image/jpeg', data: 'QUJD' },
    });
    for (const type of ['image/png', 'IMAGE/GIF', 'image/webp', 'image/jpeg']) {
      const block = imageBlock(type, 'QUJD', 'm');
      assert.equal(block.type === 'image' && block.source.media_type, type.toLowerCase());
    }
  });

  it('refuses other types with a 400 naming the field', () => {
    assert.throws(
      () => imageBlock('image/svg+xml', 'QUJD', 'messages[0].content[1]'),
      (e: { status: number; code: string; param: string; message: string }) =>
        e.status === 400 &&
        e.code === 'unsupported_image_type' &&
        e.param === 'messages[0].content[1]' &&
        e.message.includes('image/svg+xml'),
    );
  });

  it('removes whitespace from the base64 text', () => {
    const block = imageBlock('image/png', ' QUJD\nREVG\r\n\tR0g= ', 'm');
    assert.deepEqual(block, {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'QUJDREVGR0g=' },
    });
  });

  it('takes an image of exactly MAX_IMAGE_BYTES and refuses one byte more with 413', () => {
    const atLimit = zerosBase64(MAX_IMAGE_BYTES);
    assert.ok(atLimit.endsWith('='), 'the limit is not a multiple of 3: the padding counts');
    assert.equal(decodedBase64Bytes(atLimit), MAX_IMAGE_BYTES);
    assert.equal(imageBlock('image/png', atLimit, 'm').type, 'image');
    assert.throws(
      () => imageBlock('image/png', zerosBase64(MAX_IMAGE_BYTES + 1), 'input[0].content[0]'),
      (e: { status: number; code: string; param: string; message: string }) =>
        e.status === 413 &&
        e.code === 'image_too_large' &&
        e.param === 'input[0].content[0]' &&
        /is 20\.0 MB; images may be at most 20\.0 MB/.test(e.message),
    );
  });
});
