/**
 * Fetching a URL a client named (a remote image) without letting the client aim the server
 * at its own network:
 *  - every address is checked by an AddressPolicy after DNS resolution, and the connection
 *    goes to exactly the address that was checked (a `lookup` of our own on the request), so
 *    a DNS answer that changes between check and connect (rebinding) cannot slip through;
 *    IP literals, which skip DNS, are checked before the request;
 *  - redirects are followed by hand, a few at most, each hop checked the same way;
 *  - the body is counted while it streams and the download is cut past `maxBytes`, with or
 *    without a Content-Length;
 *  - one signal ends it all: the caller's (the client left) and the time limit.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy';

export interface GuardedFetchOptions {
  policy: AddressPolicy;
  maxBytes: number;
  maxRedirects: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Fetched {
  body: Buffer;
  contentType: string;
}

export type FetchFailure = 'refused' | 'too_large' | 'status' | 'redirects' | 'timeout' | 'network';

export class GuardedFetchError extends Error {
  constructor(
    readonly kind: FetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'GuardedFetchError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function guardedFetch(url: string, opts: GuardedFetchOptions): Promise<Fetched> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([timeout, ...(opts.signal ? [opts.signal] : [])]);
  try {
    return await follow(new URL(url), opts, signal);
  } catch (e) {
    if (timeout.aborted && !(e instanceof GuardedFetchError))
      throw new GuardedFetchError('timeout', `no complete answer within ${Math.round(opts.timeoutMs / 1000)} s`);
    throw e;
  }
}

async function follow(url: URL, opts: GuardedFetchOptions, signal: AbortSignal): Promise<Fetched> {
  let target = url;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(target, opts.policy, signal);
    const location = res.headers.location;
    if (REDIRECTS.has(res.statusCode ?? 0) && location) {
      res.destroy();
      if (hop >= opts.maxRedirects)
        throw new GuardedFetchError('redirects', `more than ${opts.maxRedirects} redirects`);
      target = new URL(location, target);
      continue;
    }
    if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
      res.destroy();
      throw new GuardedFetchError('status', `HTTP ${res.statusCode}`);
    }
    return { body: await readCapped(res, opts.maxBytes, signal), contentType: res.headers['content-type'] ?? '' };
  }
}

function requestOnce(url: URL, policy: AddressPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new GuardedFetchError('refused', `only http and https URLs are fetched, not ${url.protocol}`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  if (isIP(host) && !policy(host, port)) throw refusedAddress(url.host, [host]);
  const lookup = pinnedLookup(policy, port, url.host);
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      lookup,
      signal,
      agent: false, // no pooled socket: every connection goes through the lookup above
      headers: { accept: 'image/*', 'user-agent': 'cli2api' },
    });
    req.on('response', resolve);
    req.on('error', (e) => reject(failure(e, signal)));
    req.end();
  });
}

type Resolve = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for one connection: resolves the name, keeps the first address the policy
 * allows, and hands only that one to the socket — the address checked is the address used.
 */
export function pinnedLookup(
  policy: AddressPolicy,
  port: number,
  host: string,
  resolve: Resolve = dns.lookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.find((a) => policy(a.address, port));
      if (!allowed)
        return callback(
          refusedAddress(
            host,
            addresses.map((a) => a.address),
          ),
          '',
          0,
        );
      if (options.all) (callback as (e: null, a: dns.LookupAddress[]) => void)(null, [allowed]);
      else callback(null, allowed.address, allowed.family);
    });
  };
}

function readCapped(res: http.IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    res.destroy();
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) chunks.push(chunk);
      else res.destroy(tooLarge(maxBytes)); // cut while streaming: the rest is never read
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (e) => reject(failure(e, signal)));
    res.on('close', () => {
      if (!res.complete) reject(failure(signal.reason ?? new Error('connection closed'), signal));
    });
  });
}

function refusedAddress(host: string, addresses: string[]): GuardedFetchError {
  return new GuardedFetchError(
    'refused',
    `${host} resolves to ${addresses.join(', ') || 'no address'}, which is not a public address`,
  );
}

function tooLarge(maxBytes: number): GuardedFetchError {
  return new GuardedFetchError('too_large', `larger than ${Math.round(maxBytes / 2 ** 20)} MB`);
}

/** Errors as they surface from node:http: our own pass through (from the lookup, or the cap). */
function failure(e: unknown, signal: AbortSignal): unknown {
  if (e instanceof GuardedFetchError) return e;
  const cause = (e as { cause?: unknown })?.cause;
  if (cause instanceof GuardedFetchError) return cause;
  if (signal.aborted) return signal.reason;
  return new GuardedFetchError('network', e instanceof Error ? e.message : String(e));
}
