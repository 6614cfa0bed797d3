/** Safe defaults and bad input over real HTTP: keys, Host check, CORS, body limits, malformed requests. */
import assert from 'node:assert/strict';
import http from 'node:http';
import OpenAI from 'openai';
import { type Stack, startStack } from '../support/stack';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { error?: { message: string; type: string; param: string | null; code: string | null } } & Record<
    string,
    unknown
  >;
}

function request(
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Reply> {
  const url = new URL(opts.path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text ? (JSON.parse(text) as Reply['body']) : {},
        });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function assertOpenAIError(r: Reply, status: number, code?: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.ok(r.body.error, 'an OpenAI-shaped error body');
  assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'message', 'param', 'type']);
  if (code) assert.equal(r.body.error.code, code);
}

describe('security and bad input', function () {
  this.timeout(60_000);
  let stack: Stack;
  let base: string;
  const KEY = 'test-key-0123456789';

  before(async () => {
    stack = await startStack({
      apiKeys: [KEY],
      allowedHosts: ['cli2api.internal'],
      corsOrigins: ['http://localhost:3000'],
      maxBodyMb: 1,
    });
    base = stack.baseURL.replace(/\/v1$/, '');
  });
  after(async () => {
    await stack?.stop();
    await stack?.assertNoProcesses();
  });

  it('requires one of the API keys on /v1 routes, by Bearer or x-api-key', async () => {
    assertOpenAIError(await request(base, { path: '/v1/models' }), 401, 'invalid_api_key');
    assertOpenAIError(
      await request(base, { path: '/v1/models', headers: { authorization: 'Bearer wrong-key-000000' } }),
      401,
      'invalid_api_key',
    );
    assert.equal(
      (await request(base, { path: '/v1/models', headers: { authorization: `Bearer ${KEY}` } })).status,
      200,
    );
    assert.equal((await request(base, { path: '/v1/models', headers: { 'x-api-key': KEY } })).status, 200);
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: KEY, maxRetries: 0 });
    const res = await client.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'keyed' }],
    });
    assert.equal(res.choices[0]!.message.content, 'echo: keyed');
    await assert.rejects(
      stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'x' }] }),
      OpenAI.AuthenticationError,
    );
  });

  it('keeps /health open without revealing local paths once keys are set', async () => {
    const r = await request(base, { path: '/health' });
    assert.equal(r.status, 200);
    assert.doesNotMatch(JSON.stringify(r.body), /\/node_modules\/|claude\.exe/);
  });

  it('refuses a Host that is not loopback, an IP literal, the host or an allowed name (DNS rebinding)', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    assertOpenAIError(
      await request(base, { path: '/v1/models', headers: { ...auth, host: 'evil.example:8000' } }),
      403,
      'host_not_allowed',
    );
    assertOpenAIError(
      await request(base, { path: '/health', headers: { host: 'rebind.attacker.test' } }),
      403,
      'host_not_allowed',
    );
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:8000', 'cli2api.internal:8000', '192.168.1.20:8000']) {
      assert.equal((await request(base, { path: '/v1/models', headers: { ...auth, host } })).status, 200, host);
    }
  });

  it('sends no CORS headers unless the origin is configured, and refuses other browser origins', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    const plain = await request(base, { path: '/v1/models', headers: auth });
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    assertOpenAIError(
      await request(base, { path: '/v1/models', headers: { ...auth, origin: 'https://evil.example' } }),
      403,
      'origin_not_allowed',
    );
    const evilPreflight = await request(base, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evilPreflight.status, 403);
    assert.equal(evilPreflight.headers['access-control-allow-origin'], undefined);
    const good = await request(base, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(good.status, 204);
    assert.equal(good.headers['access-control-allow-origin'], 'http://localhost:3000');
  });

  it('answers bad input with clear OpenAI errors and keeps serving', async () => {
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const post = (body: string | Buffer) =>
      request(base, { method: 'POST', path: '/v1/chat/completions', headers, body });
    assertOpenAIError(await post('{"model": "sonnet", "messages": ['), 400, 'invalid_json');
    const missing = await post(JSON.stringify({ model: 'sonnet' }));
    assertOpenAIError(missing, 400);
    assert.equal(missing.body.error!.param, 'messages');
    const badRole = await post(JSON.stringify({ messages: [{ role: 'robot', content: 'x' }] }));
    assertOpenAIError(badRole, 400);
    assert.equal(badRole.body.error!.param, 'messages[0].role');
    assertOpenAIError(
      await post(JSON.stringify({ messages: [{ role: 'user', content: 'x' }], n: 3 })),
      400,
      'unsupported_value',
    );
    assertOpenAIError(await post(Buffer.alloc(1.5 * 1024 * 1024, 'a')), 413, 'request_too_large');
    assertOpenAIError(await request(base, { path: '/v1/nothing-here', headers }), 404, 'unknown_url');
    assertOpenAIError(
      await request(base, { path: '/v1/embeddings', method: 'POST', headers, body: '{}' }),
      404,
      'unsupported_endpoint',
    );
    assertOpenAIError(
      await request(base, { path: '/v1/chat/completions', method: 'GET', headers }),
      405,
      'method_not_allowed',
    );
    const ok = await post(JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'still fine' }] }));
    assert.equal(ok.status, 200);
  });
});
