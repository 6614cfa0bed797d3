/**
 * Remote images (http/https `image_url` / `input_image`) are refused unless the user allows
 * fetching them (setting `allowRemoteImages`): then CLI2API downloads each one and inlines it
 * as a data: URI before the request is translated, with the same type and size limits.
 */
import { errors } from '../core/api-error';
import { MAX_IMAGE_BYTES } from '../core/images';

const FETCH_TIMEOUT_MS = 15_000;

/** Replaces remote image URLs in the request body (any depth: chat messages or Responses input items). */
export async function inlineRemoteImages(body: unknown, fetchImpl: typeof fetch = fetch): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const part = node as Record<string, unknown>;
    if (part.type === 'image_url') {
      const holder =
        typeof part.image_url === 'object' && part.image_url !== null
          ? (part.image_url as Record<string, unknown>)
          : part;
      const key = holder === part ? 'image_url' : 'url';
      const url = holder[key];
      if (typeof url === 'string' && /^https?:\/\//i.test(url))
        jobs.push(download(url, fetchImpl).then((data) => void (holder[key] = data)));
      return;
    }
    if (part.type === 'input_image' && typeof part.image_url === 'string' && /^https?:\/\//i.test(part.image_url)) {
      const url = part.image_url;
      jobs.push(download(url, fetchImpl).then((data) => void (part.image_url = data)));
      return;
    }
    Object.values(part).forEach(visit);
  };
  visit(body);
  await Promise.all(jobs);
}

async function download(url: string, fetchImpl: typeof fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (e) {
    throw errors.invalidRequest(
      `Could not fetch the image ${url}: ${e instanceof Error ? e.message : String(e)}.`,
      null,
      'image_fetch_failed',
    );
  }
  if (!res.ok)
    throw errors.invalidRequest(`Could not fetch the image ${url}: HTTP ${res.status}.`, null, 'image_fetch_failed');
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_IMAGE_BYTES)
    throw errors.payloadTooLarge(`The image ${url} is larger than ${MAX_IMAGE_BYTES / 2 ** 20} MB.`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_IMAGE_BYTES)
    throw errors.payloadTooLarge(`The image ${url} is larger than ${MAX_IMAGE_BYTES / 2 ** 20} MB.`);
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  // content.ts checks the type against png/jpeg/gif/webp when the data: URI is translated.
  return `data:${type || 'application/octet-stream'};base64,${bytes.toString('base64')}`;
}
