/**
 * Remote images (http/https `image_url` / `input_image`) are refused unless the user allows
 * fetching them (setting `allowRemoteImages`): then CLI2API downloads each one and inlines it
 * as a data: URI before the request is translated, with the same type and size limits. The
 * download is guarded (net/guarded-fetch.ts): public addresses only, checked after DNS and on
 * every redirect; the size cut while streaming; a few images per request at most; all of it
 * ended when the client leaves.
 */
import { ApiError, errors } from '../core/api-error';
import { MAX_IMAGE_BYTES, megabytes } from '../core/images';
import { type AddressPolicy, publicAddressesOnly } from '../net/address-policy';
import { GuardedFetchError, guardedFetch } from '../net/guarded-fetch';

/** Remote images one request may name. */
export const MAX_REMOTE_IMAGES = 8;
const MAX_REDIRECTS = 3;
const FETCH_TIMEOUT_MS = 15_000;

export interface RemoteImageOptions {
  /** Where downloads may connect (default: public addresses only). Tests allow their own local server. */
  policy?: AddressPolicy;
  /** Per download (default 15 s). */
  timeoutMs?: number;
  /** The request's signal: the client leaving ends every download. */
  signal?: AbortSignal;
}

/** Replaces remote image URLs in the request body (any depth: chat messages or Responses input items). */
export async function inlineRemoteImages(body: unknown, opts: RemoteImageOptions = {}): Promise<void> {
  const found: Array<{ holder: Record<string, unknown>; key: string; url: string }> = [];
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
      if (typeof url === 'string' && /^https?:\/\//i.test(url)) found.push({ holder, key, url });
      return;
    }
    if (part.type === 'input_image' && typeof part.image_url === 'string' && /^https?:\/\//i.test(part.image_url)) {
      found.push({ holder: part, key: 'image_url', url: part.image_url });
      return;
    }
    Object.values(part).forEach(visit);
  };
  visit(body);
  if (found.length > MAX_REMOTE_IMAGES)
    throw errors.invalidRequest(
      `The request names ${found.length} remote images; CLI2API fetches at most ${MAX_REMOTE_IMAGES} per request. Send the others inline as data: URIs.`,
      null,
      'too_many_images',
    );
  // The first failure ends the other downloads too.
  const failed = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, failed.signal]) : failed.signal;
  try {
    await Promise.all(
      found.map(async (image) => {
        image.holder[image.key] = await download(image.url, { ...opts, signal });
      }),
    );
  } finally {
    failed.abort();
  }
}

async function download(url: string, opts: RemoteImageOptions & { signal: AbortSignal }): Promise<string> {
  let fetched;
  try {
    fetched = await guardedFetch(url, {
      policy: opts.policy ?? publicAddressesOnly,
      maxBytes: MAX_IMAGE_BYTES,
      maxRedirects: MAX_REDIRECTS,
      timeoutMs: opts.timeoutMs ?? FETCH_TIMEOUT_MS,
      signal: opts.signal,
    });
  } catch (e) {
    throw downloadError(url, e, opts.signal);
  }
  const type = fetched.contentType.split(';')[0]!.trim().toLowerCase();
  // content.ts checks the type against png/jpeg/gif/webp when the data: URI is translated.
  return `data:${type || 'application/octet-stream'};base64,${fetched.body.toString('base64')}`;
}

function downloadError(url: string, e: unknown, signal: AbortSignal): unknown {
  if (!(e instanceof GuardedFetchError)) {
    // The request's own end (client gone, timeout, shutdown) keeps its reason.
    if (signal.aborted && e === signal.reason) return e;
    if (e instanceof ApiError) return e;
    return errors.invalidRequest(`Could not fetch the image ${url}: ${String(e)}.`, null, 'image_fetch_failed');
  }
  switch (e.kind) {
    case 'refused':
      return errors.invalidRequest(
        `The image URL ${url} was refused: ${e.message}. CLI2API fetches images only from public addresses.`,
        null,
        'image_url_not_allowed',
      );
    case 'too_large':
      return new ApiError(
        413,
        `The image ${url} is larger than ${megabytes(MAX_IMAGE_BYTES)}; images may be at most that.`,
        'image_too_large',
      );
    default:
      return errors.invalidRequest(`Could not fetch the image ${url}: ${e.message}.`, null, 'image_fetch_failed');
  }
}
