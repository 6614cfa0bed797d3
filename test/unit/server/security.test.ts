/** Host check (DNS rebinding), CORS and API keys: the pure checks, then the middleware in a Koa app. */
import assert from 'node:assert/strict';
import Router from '@koa/router';
import Koa from 'koa';
import { parseSettings, type Settings, type SettingsInput } from '../../../src/config/settings';
import type { RequestState } from '../../../src/server/context';
import { errorMiddleware } from '../../../src/server/errors';
import { hostAllowed, hostAndOriginCheck, keyAccepted, matchKey, requireApiKey } from '../../../src/server/security';
import { rawRequest, recordingLogger, type Served, serve } from '../../support/http-app';

describe('host check', () => {
  const s = { host: '127.0.0.1', allowedHosts: [] };

  it('allows loopback names and *.localhost, with or without a port, any case', () => {
    for (const host of ['localhost', 'localhost:8000', 'LocalHost:8000', 'localhost.localdomain', 'ip6-localhost:8000'])
      assert.equal(hostAllowed(host, s), true, host);
    for (const host of ['app.localhost', 'a.b.localhost:3000']) assert.equal(hostAllowed(host, s), true, host);
  });

  it('allows IPv4 and IPv6 literals', () => {
    for (const host of ['127.0.0.1:8000', '192.168.1.20', '[::1]:8000', '[::1]', '::1', '[fe80::1]:80'])
      assert.equal(hostAllowed(host, s), true, host);
  });

  it('allows the configured host and the allowed hosts', () => {
    const lan = { host: 'Studio.lan', allowedHosts: ['api.example.com'] };
    assert.equal(hostAllowed('studio.lan:8000', lan), true);
    assert.equal(hostAllowed('API.example.com', lan), true);
    assert.equal(hostAllowed('api.example.com:443', lan), true);
    assert.equal(hostAllowed('other.example.com', lan), false);
  });

  it('refuses any other name, look-alikes of loopback included', () => {
    for (const host of ['evil.com', 'evil.com:8000', 'localhost.evil.com', 'evil-localhost', '127.0.0.1.nip.io'])
      assert.equal(hostAllowed(host, s), false, host);
  });

  it('lets a request without Host through (HTTP/1.0)', () => {
    assert.equal(hostAllowed('', s), true);
  });
});

describe('API keys', () => {
  const keys = ['first-key-123', 'second-key-456'];

  it('accepts any of the keys, exactly', () => {
    assert.equal(keyAccepted('first-key-123', keys), true);
    assert.equal(keyAccepted('second-key-456', keys), true);
    assert.equal(keyAccepted('first-key-12', keys), false);
    assert.equal(keyAccepted('first-key-1234', keys), false);
    assert.equal(keyAccepted('wrong', keys), false);
  });

  it("finds the presented key's member, and nothing for a wrong key", () => {
    const named = [{ member: 'alice', key: 'key-of-alice-1' }, { key: 'plain-key-333' }];
    assert.deepEqual(matchKey('key-of-alice-1', named), { member: 'alice', key: 'key-of-alice-1' });
    assert.deepEqual(matchKey('plain-key-333', named), { key: 'plain-key-333' });
    assert.equal(matchKey('alice', named), undefined, 'a member name is not a key');
    assert.equal(matchKey('alice:key-of-alice-1', named), undefined, 'nor is the name:key entry');
    assert.equal(matchKey('', named), undefined);
  });

  it('never accepts an empty key, and nothing when there are no keys', () => {
    assert.equal(keyAccepted('', keys), false);
    assert.equal(keyAccepted('', ['']), false);
    assert.equal(keyAccepted('first-key-123', []), false);
  });
});

describe('security middleware', () => {
  let settings: Settings;
  let server: Served;
  const configure = (input: SettingsInput) => (settings = parseSettings(input));
  const get = (path: string, headers: Record<string, string> = {}) => rawRequest(server.port, { path, headers });
  const code = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

  before(async () => {
    const app = new Koa();
    app.silent = true;
    const open = new Router();
    open.get('/health', (ctx) => (ctx.body = { ok: true }));
    const router = new Router();
    router.get('/v1/models', (ctx) => (ctx.body = { data: [] }));
    router.get('/v1/whoami', (ctx) => (ctx.body = { member: (ctx.state as RequestState).member ?? null }));
    router.post('/v1/chat/completions', (ctx) => (ctx.body = { ok: true }));
    app.use(errorMiddleware(recordingLogger(), () => 1));
    app.use(hostAndOriginCheck(() => settings));
    app.use(open.routes());
    app.use(requireApiKey(() => settings));
    app.use(router.routes());
    app.use(router.allowedMethods());
    server = await serve(app);
  });
  after(() => server.close());
  beforeEach(() => configure({}));

  it('refuses a request addressed to a foreign host with 403 host_not_allowed', async () => {
    const refused = await get('/v1/models', { Host: 'rebound.example:8000' });
    assert.equal(refused.status, 403);
    assert.deepEqual(JSON.parse(refused.body).error.type, 'permission_error');
    assert.equal(code(refused.body), 'host_not_allowed');
    assert.equal((await get('/v1/models', { Host: 'localhost:8000' })).status, 200);
    configure({ allowedHosts: ['rebound.example'] });
    assert.equal((await get('/v1/models', { Host: 'rebound.example:8000' })).status, 200);
  });

  it('answers a CORS preflight from an allowed origin with 204 and the CORS headers', async () => {
    configure({ corsOrigins: ['http://localhost:3000'], apiKeys: ['secret-key-1'] });
    const res = await rawRequest(server.port, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: {
        Origin: 'http://localhost:3000',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    assert.equal(res.status, 204, 'a preflight carries no key, and needs none');
    assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.equal(res.headers['vary'], 'Origin');
    assert.match(String(res.headers['access-control-allow-methods']), /\bPOST\b/);
    assert.equal(res.headers['access-control-allow-headers'], 'authorization, content-type');
    assert.equal(res.headers['access-control-max-age'], '600');
  });

  it('marks responses to an allowed origin, and refuses other origins with 403', async () => {
    configure({ corsOrigins: ['http://localhost:3000'] });
    const ok = await get('/v1/models', { Origin: 'http://localhost:3000' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], 'http://localhost:3000');
    const refused = await get('/v1/models', { Origin: 'https://evil.example' });
    assert.equal(refused.status, 403);
    assert.equal(code(refused.body), 'origin_not_allowed');
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    const preflight = await rawRequest(server.port, {
      method: 'OPTIONS',
      path: '/v1/models',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.status, 403);
    assert.equal((await get('/v1/models')).headers['access-control-allow-origin'], undefined, 'no Origin, no CORS');
  });

  it('refuses every browser origin when none is configured, and allows any with "*"', async () => {
    assert.equal((await get('/v1/models', { Origin: 'http://localhost:3000' })).status, 403);
    configure({ corsOrigins: ['*'] });
    const any = await get('/v1/models', { Origin: 'https://anywhere.example' });
    assert.equal(any.status, 200);
    assert.equal(any.headers['access-control-allow-origin'], 'https://anywhere.example');
  });

  it('asks for a key on /v1 routes when keys are set: 401 without or with a wrong one', async () => {
    configure({ apiKeys: ['secret-key-1', 'secret-key-2'] });
    const missing = await get('/v1/models');
    assert.equal(missing.status, 401);
    assert.equal(code(missing.body), 'invalid_api_key');
    assert.equal(JSON.parse(missing.body).error.type, 'invalid_request_error');
    assert.equal((await get('/v1/models', { Authorization: 'Bearer wrong-key-0' })).status, 401);
    assert.equal((await get('/v1/models', { Authorization: 'Basic c2VjcmV0LWtleS0x' })).status, 401);
    assert.equal((await get('/health')).status, 200, 'a route served before the key check needs none');
    assert.equal((await get('/v1/unknown')).status, 401, 'deny by default: an unknown path needs a key too');
    assert.equal((await get('/V1/MODELS')).status, 401, 'every spelling the router accepts');
  });

  it('takes the key as a Bearer token or as x-api-key', async () => {
    configure({ apiKeys: ['secret-key-1', 'secret-key-2'] });
    assert.equal((await get('/v1/models', { Authorization: 'Bearer secret-key-2' })).status, 200);
    assert.equal((await get('/v1/models', { Authorization: 'bearer   secret-key-1' })).status, 200);
    assert.equal((await get('/v1/models', { 'x-api-key': 'secret-key-1' })).status, 200);
  });

  it('tells the routes whose key it is: the member name, or "unnamed" for a key given without one', async () => {
    configure({ apiKeys: [{ member: 'alice', key: 'key-of-alice-1' }, 'plain-key-333'] });
    const member = async (key: string) =>
      (JSON.parse((await get('/v1/whoami', { Authorization: `Bearer ${key}` })).body) as { member: string }).member;
    assert.equal(await member('key-of-alice-1'), 'alice');
    assert.equal(await member('plain-key-333'), 'unnamed');
    configure({});
    assert.equal(await member('anything'), null, 'without keys nobody is named');
  });

  it('accepts any key, or none, when no keys are set', async () => {
    assert.equal((await get('/v1/models')).status, 200);
    assert.equal((await get('/v1/models', { Authorization: 'Bearer anything' })).status, 200);
  });
});
