/**
 * The limits every API applies to an image before it reaches the CLI: the media types the
 * model takes and a size cap on the decoded bytes. One check, whichever API the image came in.
 */
import { ApiError, errors } from './api-error';
import type { ContentBlock } from './model-request';

export const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * Per image, decoded. Anthropic's API takes 5 MB, but the CLI re-encodes larger images
 * before sending them, so the limit here only stops what could never work.
 */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** Bytes that a base64 text decodes to (without decoding it). */
export function decodedBase64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

/** A base64 image as the model's image block, after the type and size checks (`param` names the field). */
export function imageBlock(mediaType: string, base64: string, param: string): ContentBlock {
  const type = mediaType.toLowerCase() === 'image/jpg' ? 'image/jpeg' : mediaType.toLowerCase();
  if (!IMAGE_TYPES.has(type)) {
    throw errors.invalidRequest(
      `Image type ${mediaType} is not supported; use png, jpeg, gif or webp.`,
      param,
      'unsupported_image_type',
    );
  }
  const data = base64.replace(/\s/g, '');
  const bytes = decodedBase64Bytes(data);
  if (bytes > MAX_IMAGE_BYTES) {
    throw new ApiError(
      413,
      `The image at ${param} is ${megabytes(bytes)}; images may be at most ${megabytes(MAX_IMAGE_BYTES)}.`,
      'image_too_large',
      param,
    );
  }
  return { type: 'image', source: { type: 'base64', media_type: type, data } };
}

export function megabytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
