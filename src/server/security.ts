/**
 * What stands between the port and the user's Claude subscription:
 *  - Host check: a request must address a loopback name, an IP literal, the configured host
 *    or an allowed name — a web page that rebinds its own DNS name to 127.0.0.1 is refused;
 *  - CORS: no Access-Control-Allow-* headers unless origins are configured, and a request
 *    that a browser marks with another Origin is refused (preflight included);
 *  - API keys: when configured, every /v1 route needs one (Bearer or x-api-key), compared in
 *    constant time. Without keys any key is accepted (some clients refuse an empty one).
 * Errors go through the one error middleware, in OpenAI's shape.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, Next } from 'koa';
import type { Settings } from '../config/settings';
import { ApiError } from '../core/api-error';
import type { RequestState } from './context';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

export function securityMiddleware(settings: () => Settings) {
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
    if (ctx.path.startsWith('/v1/') && s.apiKeys.length > 0 && !keyAccepted(presentedKey(ctx), s.apiKeys)) {
      throw new ApiError(
        401,
        'Missing or invalid API key. Send it as "Authorization: Bearer <key>" (the keys are set with CLI2API_API_KEY or the "CLI2API: Set API Key" command).',
        'invalid_api_key',
      );
    }
    // Who asks: a CLI process serves one tenant only (no keys: everyone is the same one).
    (ctx.state as RequestState).tenant = s.apiKeys.length > 0 ? tenantOf(presentedKey(ctx)) : '';
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

function presentedKey(ctx: Context): string {
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
  if (!presented) return false;
  const p = createHash('sha256').update(presented).digest();
  let ok = false;
  for (const key of keys) ok = timingSafeEqual(p, createHash('sha256').update(key).digest()) || ok;
  return ok;
}
