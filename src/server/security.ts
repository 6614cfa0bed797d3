/**
 * What stands between the port and the user's Claude subscription:
 *  - Host check: a request must address a loopback name, an IP literal, the configured host
 *    or an allowed name — a web page that rebinds its own DNS name to 127.0.0.1 is refused;
 *  - CORS: no Access-Control-Allow-* headers unless origins are configured, and a request
 *    that a browser marks with another Origin is refused (preflight included);
 *  - API keys, deny by default: when keys are set, every request needs one (Bearer or
 *    x-api-key, compared in constant time) unless a public route served it first. The app
 *    mounts the public routes' router before `requireApiKey` (see app.ts), so what is public
 *    is decided by the router's own matching, never by a second reading of the path.
 *    The key's member name goes on `ctx.state.member` (the key itself never leaves this file).
 *    Without keys any key is accepted (some clients refuse an empty one).
 * Errors go through the one error middleware, in the shape of the API the path belongs to.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, Next } from 'koa';
import type { ApiKey } from '../config/api-keys';
import type { Settings } from '../config/settings';
import { ApiError } from '../core/api-error';
import type { RequestState } from './context';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/** The Host check and CORS: before anything else, public routes included. */
export function hostAndOriginCheck(settings: () => Settings) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const s = settings();
    if (!hostAllowed(ctx.get('host'), s)) {
      throw new ApiError(
        403,
        `Requests for host '${ctx.get('host')}' are refused (DNS-rebinding protection). Add it to allowedHosts if it is yours.`,
        'host_not_allowed',
      );
    }
    const origin = ctx.get('origin');
    if (origin) {
      const allowed = s.corsOrigins.includes('*') || s.corsOrigins.includes(origin);
      if (!allowed)
        throw new ApiError(
          403,
          `Browser origin ${origin} is not allowed. Add it to corsOrigins to call CLI2API from a web page.`,
          'origin_not_allowed',
        );
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Vary', 'Origin');
      if (ctx.method === 'OPTIONS') {
        // A preflight never carries a key: it is answered here, with headers only, for configured origins.
        ctx.set('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
        ctx.set(
          'Access-Control-Allow-Headers',
          ctx.get('access-control-request-headers') || 'authorization, content-type, x-api-key',
        );
        ctx.set('Access-Control-Max-Age', '600');
        ctx.status = 204;
        return;
      }
    }
    await next();
  };
}

/** With keys set, nothing past this point is served without one: unknown paths and methods included. */
export function requireApiKey(settings: () => Settings) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const { apiKeys } = settings();
    if (apiKeys.length > 0) {
      const matched = matchKey(presentedKey(ctx), apiKeys);
      if (!matched) throw invalidKey();
      (ctx.state as RequestState).member = matched.member ?? UNNAMED_MEMBER;
    }
    // Who asks: a CLI process serves one tenant only (no keys: everyone is the same one).
    (ctx.state as RequestState).tenant = apiKeys.length > 0 ? tenantOf(presentedKey(ctx)) : '';
    await next();
  };
}

export function hostAllowed(hostHeader: string, s: Pick<Settings, 'host' | 'allowedHosts'>): boolean {
  if (!hostHeader) return true; // HTTP/1.0 clients; browsers always send Host
  const name = hostName(hostHeader);
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return true;
  if (isIP(name)) return true; // rebinding needs a DNS name; an IP literal is the address itself
  return name === s.host.toLowerCase() || s.allowedHosts.includes(name);
}

function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** The member name of a key given without one. */
export const UNNAMED_MEMBER = 'unnamed';

export function invalidKey(): ApiError {
  return new ApiError(
    401,
    'Missing or invalid API key. Send it as "Authorization: Bearer <key>" (the keys are set with CLI2API_API_KEY or the "CLI2API: Set API Key" command).',
    'invalid_api_key',
  );
}

export function presentedKey(ctx: Context): string {
  const auth = ctx.get('authorization');
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  return (m?.[1] ?? ctx.get('x-api-key') ?? '').trim();
}

/** The tenant a key stands for: its SHA-256, so the key itself is kept nowhere. */
export function tenantOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant time in the key's content: both sides are hashed to equal-length digests first. */
export function keyAccepted(presented: string, keys: string[]): boolean {
  return (
    matchKey(
      presented,
      keys.map((key) => ({ key })),
    ) !== undefined
  );
}

/** The entry whose key was presented (every entry is compared, so the time does not tell which). */
export function matchKey(presented: string, keys: ApiKey[]): ApiKey | undefined {
  if (!presented) return undefined;
  const p = createHash('sha256').update(presented).digest();
  let found: ApiKey | undefined;
  for (const entry of keys) {
    if (timingSafeEqual(p, createHash('sha256').update(entry.key).digest())) found ??= entry;
  }
  return found;
}
