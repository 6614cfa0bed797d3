/**
 * /health, /v1/models and /v1/model/info on a real ApiServer (no CLI needed: the configured
 * `claude` does not exist, which also gives a request that fails with `cli_not_found`).
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { parseSettings, type Settings } from '../../../src/config/settings';
import { ApiServer } from '../../../src/server/api-server';
import { createConsoleLogger } from '../../../src/util/logger';
import { VERSION } from '../../../src/version';

interface Health {
  name: string;
  version: string;
  instance: string;
  runner: { kind: string; workspace?: string; pid?: number };
  cli: { ok: boolean; path?: string; error?: string };
}

describe('meta routes on a running ApiServer', () => {
  let settings: Settings;
  let server: ApiServer;
  let base: string;
  const lines: string[] = [];

  before(async () => {
    settings = parseSettings({ port: 0, claudePath: '/nonexistent/cli2api-test/claude', models: ['sonnet', 'opus'] });
    server = new ApiServer({
      settings: () => settings,
      logger: createConsoleLogger({ level: 'debug', json: false, write: (l) => lines.push(l) }),
      runner: () => ({ kind: 'vscode', workspace: 'my-project' }),
    });
    await server.start();
    assert.equal(server.state.kind, 'running');
    base = (server.state as { url: string }).url;
  });
  after(() => server.stop());

  it('/health says it is CLI2API, its version, its instance and where it runs', async () => {
    const health = (await (await fetch(`${base}/health`)).json()) as Health;
    assert.equal(health.name, 'CLI2API');
    assert.equal(health.version, VERSION);
    assert.equal(health.instance, server.instance);
    assert.deepEqual(health.runner, { kind: 'vscode', workspace: 'my-project', pid: process.pid });
    assert.equal(health.cli.ok, false);
  });

  it('/health names no workspace, pid or path once API keys are set', async () => {
    const before = settings;
    settings = parseSettings({ ...before, apiKeys: ['k-12345678'] });
    try {
      const res = await fetch(`${base}/health`);
      assert.equal(res.status, 200, '/health needs no key');
      const health = (await res.json()) as Health;
      assert.equal(health.name, 'CLI2API');
      assert.equal(health.instance, server.instance);
      assert.deepEqual(health.runner, { kind: 'vscode' });
      assert.doesNotMatch(JSON.stringify(health), /my-project|nonexistent|"pid"/);
    } finally {
      settings = before;
    }
  });

  it('/v1/models entries keep the OpenAI shape for the SDK and add limits and capabilities', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'x', maxRetries: 0 });
    const list = await client.models.list();
    assert.deepEqual(
      list.data.map((m) => [m.id, m.object, m.owned_by, typeof m.created]),
      [
        ['sonnet', 'model', 'anthropic', 'number'],
        ['opus', 'model', 'anthropic', 'number'],
      ],
    );
    const sonnet = list.data[0] as unknown as Record<string, unknown>;
    assert.equal(sonnet.context_length, 200_000);
    assert.deepEqual(sonnet.top_provider, {
      context_length: 200_000,
      max_completion_tokens: 64_000,
      is_moderated: false,
    });
    assert.deepEqual((sonnet.architecture as { input_modalities: string[] }).input_modalities, ['text', 'image']);
    assert.ok((sonnet.supported_parameters as string[]).includes('tools'));
    const one = (await client.models.retrieve('opus')) as unknown as Record<string, unknown>;
    assert.equal(one.id, 'opus');
    assert.equal(one.context_length, 200_000);
  });

  it("/v1/model/info answers in LiteLLM's format", async () => {
    const body = (await (await fetch(`${base}/v1/model/info`)).json()) as {
      data: Array<{ model_name: string; model_info: Record<string, unknown> }>;
    };
    assert.deepEqual(
      body.data.map((d) => d.model_name),
      ['sonnet', 'opus'],
    );
    const info = body.data[0]!.model_info;
    assert.equal(info.max_input_tokens, 200_000);
    assert.equal(info.max_output_tokens, 64_000);
    assert.equal(info.supports_vision, true);
    assert.equal(info.supports_function_calling, true);
    assert.equal(info.mode, 'chat');
  });

  it("a failed request's log line says why (the error code), and the stats keep it", async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 503);
    const line = lines.find((l) => l.includes('POST /v1/chat/completions'));
    assert.match(line ?? '', /model=sonnet 503 cli_not_found \d+ms/);
    assert.equal(server.stats.snapshot().lastError?.code, 'cli_not_found');
    assert.equal(server.stats.snapshot().lastError?.status, 503);
  });

  it('health checks are logged at debug, not info', async () => {
    await fetch(`${base}/health`);
    const health = lines.filter((l) => l.includes('GET /health'));
    assert.ok(health.length > 0);
    assert.ok(
      health.every((l) => /\bDEBUG\b/.test(l)),
      health.join('\n'),
    );
  });
});
