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
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    // The path goes out exactly as given (no URL normalisation): `//v1`, `/./`, `%76` and absolute forms included.
    const target = { hostname, port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers };
    const req = http.request(target, (res) => {
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

/** Spellings the router (or a lenient proxy in front) might take for `path`: case, slashes, dots, percent-encoding. */
function spellings(path: string, origin: string): string[] {
  const segments = path.split('/').slice(1);
  const encodeFirst = (seg: string) => `%${seg.charCodeAt(0).toString(16)}${seg.slice(1)}`;
  const mixed = segments.map((seg) => seg.charAt(0).toUpperCase() + seg.slice(1)).join('/');
  const rest = segments.slice(1).join('/');
  return [
    path,
    path.toUpperCase(),
    `/${mixed}`,
    `${path}/`,
    `${path.toUpperCase()}/`,
    `/${path}`,
    `//${segments.join('//')}`,
    `/v1/./${rest}`,
    `/./v1/${rest}`,
    `/v1/../v1/${rest}`,
    `/health/../v1/${rest}`,
    `/v1/%2e/${rest}`,
    `/${segments.map(encodeFirst).join('/')}`,
    `/%761/${rest}`,
    `/v1%2F${rest}`,
    `/%2Fv1/${rest}`,
    `${path}?x=1`,
    `${path};x`,
    `${path}%20`,
    `${path}#frag`,
    `${origin}${path}`,
    `${origin}${path.toUpperCase()}/`,
  ];
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

  it('denies by default: no spelling of any route, for any method, is served without a key, and the model is never called', async function () {
    this.timeout(180_000);
    stack.fake.reset();
    const routes = [
      '/v1/models',
      '/v1/models/sonnet',
      '/v1/chat/completions',
      '/v1/responses',
      '/v1/responses/resp_1',
      '/v1/messages',
      '/v1/messages/count_tokens',
      '/v1/embeddings',
      '/v1/nothing-here',
    ];
    const body = JSON.stringify({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'bypass' }],
      input: 'bypass',
      max_tokens: 10,
    });
    const served: string[] = [];
    for (const route of routes) {
      for (const path of spellings(route, base)) {
        for (const method of ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']) {
          const withBody = ['POST', 'PUT', 'PATCH'].includes(method);
          const keyless: Array<Record<string, string>> = [{}];
          if (method === 'GET' || method === 'POST')
            keyless.push({ authorization: 'Bearer wrong-key-000000' }, { 'x-api-key': `${KEY}x` });
          for (const headers of keyless) {
            const r = await request(base, {
              method,
              path,
              headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
              body: withBody ? body : undefined,
            });
            if (r.status !== 401) served.push(`${method} ${path} ${JSON.stringify(headers)} → ${r.status}`);
          }
        }
      }
    }
    assert.deepEqual(served, [], 'every request without a valid key gets 401');
    assert.equal(stack.fake.messageRequests.length, 0, 'the model was never called');
    assert.equal(stack.server.cli.liveProcesses, 0, 'no CLI process was started');

    // The same spellings with the key do reach the routes: the ones above were real bypass candidates.
    const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    for (const path of ['/V1/Chat/Completions/', `${base}/V1/CHAT/COMPLETIONS`]) {
      const r = await request(base, { method: 'POST', path, headers: auth, body });
      assert.equal(r.status, 200, path);
    }
    assert.equal((await request(base, { path: '/V1/MODELS/', headers: auth })).status, 200);
    assert.equal(stack.fake.messageRequests.length, 2);
  });

  it('keeps /health and / open (in any spelling the router takes), and nothing else', async () => {
    for (const path of ['/health', '/HEALTH', '/health/', '/', `${base}/Health`])
      assert.equal((await request(base, { path })).status, 200, path);
    assertOpenAIError(await request(base, { method: 'POST', path: '/health' }), 401, 'invalid_api_key');
    const withKey = await request(base, {
      method: 'POST',
      path: '/health',
      headers: { authorization: `Bearer ${KEY}` },
    });
    assertOpenAIError(withKey, 405, 'method_not_allowed');
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

describe('a body over the limit', function () {
  this.timeout(180_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack(); // the default 20 MB limit
  });
  after(async () => {
    await stack?.stop();
  });

  /** A plain Node client that writes the whole body in one go, then waits for the answer (or a socket error). */
  function postWhole(
    port: number,
    body: Buffer,
    opts: { chunked: boolean; close: boolean; agent: http.Agent },
  ): Promise<{ status: number; connection?: string; code?: string } | { error: string }> {
    return new Promise((resolve) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/json' };
      if (!opts.chunked) headers['content-length'] = body.length;
      if (opts.close) headers.connection = 'close';
      const { agent } = opts;
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers, agent },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            const parsed = JSON.parse(text) as { error?: { code?: string } };
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, code: parsed.error?.code });
          });
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        resolve({ error: e.code ?? e.message });
      });
      req.write(body);
      req.end();
    });
  }

  it('always answers a 21 MB body written in one go with 413 and Connection: close, never a reset', async () => {
    const port = Number(new URL(stack.baseURL).port);
    const body = Buffer.alloc(21 * 2 ** 20, 'a');
    const outcomes: string[] = [];
    for (const chunked of [false, true])
      for (const close of [false, true]) {
        // One agent for the ten tries: a kept-alive socket is reused when the server leaves it open.
        const agent = new http.Agent({ keepAlive: !close, maxSockets: 1 });
        for (let i = 0; i < 10; i++) {
          const noAnswer = new Promise<{ error: string }>((resolve) =>
            setTimeout(() => resolve({ error: 'no answer within 30 s' }), 30_000).unref(),
          );
          const r = await Promise.race([postWhole(port, body, { chunked, close, agent }), noAnswer]);
          outcomes.push(
            `${chunked ? 'chunked' : 'content-length'} ${close ? 'close' : 'keep-alive'}: ${JSON.stringify(r)}`,
          );
        }
        agent.destroy();
      }
    const expected = (o: string) => o.endsWith('{"status":413,"connection":"close","code":"request_too_large"}');
    assert.deepEqual(
      outcomes.filter((o) => !expected(o)),
      [],
    );
    // The server keeps serving.
    const ok = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'ok' }],
    });
    assert.equal(ok.choices[0]!.message.content, 'echo: ok');
  });
});
