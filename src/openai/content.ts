/** OpenAI content (a string or parts) → Anthropic content blocks, shared by both OpenAI APIs. */
import type { ContentBlock } from '../core/model-request';
import { errors } from '../core/api-error';
import { imageBlock } from '../core/images';
import type { ContentPart } from './chat-schema';

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
        return [dataUriImage(typeof image === 'string' ? image : image.url, where)];
      }
      case 'input_image': {
        const url = (part as { image_url?: unknown }).image_url;
        if (typeof url !== 'string')
          throw errors.invalidRequest(
            'input_image needs an image_url (a data: URI); file ids are not supported.',
            where,
          );
        return [dataUriImage(url, where)];
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

/** A `data:` URI image; remote URLs were inlined before (remote-images.ts) or are refused here. */
function dataUriImage(url: string, param: string): ContentBlock {
  const m = /^data:([\w/+.-]+);base64,(.*)$/s.exec(url);
  if (!m) {
    throw errors.invalidRequest(
      'Only images given inline as data: URIs (base64 png, jpeg, gif or webp) are supported; remote image URLs are fetched only when the allowRemoteImages setting is on.',
      param,
      'unsupported_image_url',
    );
  }
  return imageBlock(m[1]!, m[2]!, param);
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
