import assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import { ConfigMergeError } from '../../../../src/extension/connect/config-error';
import { type KiloProvider, mergeKiloConfig } from '../../../../src/extension/connect/kilo-config';

const provider = (port = 8000, key = 'cli2api'): KiloProvider => ({
  baseUrl: `http://127.0.0.1:${port}/v1`,
  apiKey: key,
  models: [
    { id: 'sonnet', name: 'Claude sonnet (CLI2API)', context: 200_000, output: 64_000 },
    { id: 'opus', name: 'Claude opus (CLI2API)', context: 200_000, output: 64_000 },
  ],
  defaultModel: 'cli2api/sonnet',
});

const USER_FILE = `{
  // my Kilo setup
  "$schema": "https://app.kilo.ai/config.json",
  "model": "openrouter/anthropic/claude-sonnet-4.5", // the usual
  "provider": {
    /* a local model */
    "ollama": {
      "npm": "@ai-sdk/openai-compatible",
      "options": { "baseURL": "http://localhost:11434/v1" },
      "models": { "llama3": {} },
    },
  },
  "enabled_providers": ["openrouter", "ollama"],
}
`;

describe('Kilo Code kilo.jsonc merge', () => {
  it('creates a file with the provider, its models and limits, and makes it the default', () => {
    const text = mergeKiloConfig(undefined, provider());
    const cfg = parse(text) as Record<string, unknown>;
    assert.equal(cfg.$schema, 'https://app.kilo.ai/config.json');
    assert.equal(cfg.model, 'cli2api/sonnet');
    assert.deepEqual((cfg.provider as Record<string, unknown>).cli2api, {
      npm: '@ai-sdk/openai-compatible',
      name: 'CLI2API',
      options: { baseURL: 'http://127.0.0.1:8000/v1', apiKey: 'cli2api' },
      models: {
        sonnet: { name: 'Claude sonnet (CLI2API)', limit: { context: 200_000, output: 64_000 } },
        opus: { name: 'Claude opus (CLI2API)', limit: { context: 200_000, output: 64_000 } },
      },
    });
  });

  it("keeps the user's comments, providers and default model, and enables the provider it adds", () => {
    const text = mergeKiloConfig(USER_FILE, provider());
    for (const kept of ['// my Kilo setup', '// the usual', '/* a local model */', '"llama3": {}'])
      assert.ok(text.includes(kept), `kept ${kept}:\n${text}`);
    const cfg = parse(text, [], { allowTrailingComma: true }) as {
      model: string;
      provider: Record<string, { options: { baseURL: string } }>;
      enabled_providers: string[];
    };
    assert.equal(cfg.model, 'openrouter/anthropic/claude-sonnet-4.5', 'the default stays');
    assert.deepEqual(Object.keys(cfg.provider), ['ollama', 'cli2api']);
    assert.equal(cfg.provider.ollama!.options.baseURL, 'http://localhost:11434/v1');
    assert.deepEqual(cfg.enabled_providers, ['openrouter', 'ollama', 'cli2api']);
  });

  it('updates its own provider in place, keeping what the user added to it', () => {
    const once = mergeKiloConfig(USER_FILE, provider());
    const edited = once.replace('"name": "CLI2API",', '"name": "CLI2API", // renamed later\n      "timeout": 600000,');
    const twice = mergeKiloConfig(edited, provider(9100, 'c2a-key'));
    const cfg = parse(twice, [], { allowTrailingComma: true }) as {
      provider: { cli2api: { options: { baseURL: string; apiKey: string }; timeout: number } };
      enabled_providers: string[];
    };
    assert.equal(cfg.provider.cli2api.options.baseURL, 'http://127.0.0.1:9100/v1');
    assert.equal(cfg.provider.cli2api.options.apiKey, 'c2a-key');
    assert.equal(cfg.provider.cli2api.timeout, 600000);
    assert.ok(twice.includes('// renamed later'));
    assert.deepEqual(cfg.enabled_providers, ['openrouter', 'ollama', 'cli2api'], 'not added twice');
    assert.equal(mergeKiloConfig(twice, provider(9100, 'c2a-key')), twice, 'idempotent');
  });

  it('leaves the default alone when another Kilo config file sets one', () => {
    const cfg = parse(mergeKiloConfig(undefined, provider(), true)) as { model?: string };
    assert.equal(cfg.model, undefined);
  });

  it('refuses, writing nothing, a file that does not parse', () => {
    assert.throws(() => mergeKiloConfig('{ "provider": { ', provider()), ConfigMergeError);
    assert.throws(() => mergeKiloConfig('[1, 2]', provider()), /not a JSON object/);
  });
});
