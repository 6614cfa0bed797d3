/** OpenAI content (a string or parts) → Anthropic content blocks, shared by both OpenAI APIs. */
import type { ContentBlock } from '../cli/types';
import { ApiError, errors } from './errors';
import type { ContentPart } from './chat-schema';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/**
 * Per image, decoded. Anthropic's API takes 5 MB, but the CLI re-encodes larger images
 * before sending them, so the limit here only stops what could never work.
 */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export function textBlocks(text: string): ContentBlock[] {
  return text.length > 0 ? [{ type: 'text', text }] : [];
}

/** `param` names the field for error messages, e.g. `messages[2].content`. */
export function contentBlocks(content: string | ContentPart[] | null | undefined, param: string): ContentBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, i): ContentBlock[] => {
    const where = `${param}[${i}]`;
    switch (part.type) {
      case 'text':
      case 'input_text':
      case 'output_text':
        return textBlocks(String((part as { text?: unknown }).text ?? ''));
      case 'refusal':
        return textBlocks(String((part as { refusal?: unknown }).refusal ?? ''));
      case 'image_url': {
        const image = (part as { image_url: string | { url: string } }).image_url;
        return [imageBlock(typeof image === 'string' ? image : image.url, where)];
      }
      case 'input_image': {
        const url = (part as { image_url?: unknown }).image_url;
        if (typeof url !== 'string')
          throw errors.invalidRequest(
            'input_image needs an image_url (a data: URI); file ids are not supported.',
            where,
          );
        return [imageBlock(url, where)];
      }
      default:
        throw errors.invalidRequest(
          `Content part type '${part.type}' is not supported; CLI2API accepts text and image_url (data: URIs).`,
          `${where}.type`,
          'unsupported_content',
        );
    }
  });
}

function imageBlock(url: string, param: string): ContentBlock {
  const m = /^data:([\w/+.-]+);base64,(.*)$/s.exec(url);
  if (!m) {
    throw errors.invalidRequest(
      'Only images given inline as data: URIs (base64 png, jpeg, gif or webp) are supported; remote image URLs are fetched only when the allowRemoteImages setting is on.',
      param,
      'unsupported_image_url',
    );
  }
  const mediaType = m[1]!.toLowerCase() === 'image/jpg' ? 'image/jpeg' : m[1]!.toLowerCase();
  if (!IMAGE_TYPES.has(mediaType)) {
    throw errors.invalidRequest(
      `Image type ${mediaType} is not supported; use png, jpeg, gif or webp.`,
      param,
      'unsupported_image_type',
    );
  }
  const data = m[2]!.replace(/\s/g, '');
  const bytes = Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  if (bytes > MAX_IMAGE_BYTES) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    throw new ApiError(
      413,
      'invalid_request_error',
      `The image at ${param} is ${mb(bytes)}; images may be at most ${mb(MAX_IMAGE_BYTES)}.`,
      'image_too_large',
      param,
    );
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

/** Plain text of OpenAI content, for places that take only text (tool results, system prompts). */
export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((p) =>
      'text' in p && typeof p.text === 'string'
        ? p.text
        : 'refusal' in p && typeof p.refusal === 'string'
          ? p.refusal
          : '',
    )
    .filter(Boolean)
    .join('\n');
}
