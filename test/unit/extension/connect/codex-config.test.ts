import assert from 'node:assert/strict';
import * as TOML from '@decimalturn/toml-patch';
import { ConfigMergeError } from '../../../../src/extension/connect/config-error';
import { mergeCodexConfig } from '../../../../src/extension/connect/codex-config';

interface Table {
  model?: string;
  model_provider?: string;
  model_providers: Record<string, Record<string, unknown>>;
  profiles: Record<string, Record<string, unknown>>;
}

const USER_FILE = `# my codex config
model = "gpt-5" # favourite
approval_policy = "on-request"

[model_providers.ollama]
name = "Ollama" # local
base_url = "http://localhost:11434/v1"

# profiles
[profiles.fast]
model = "gpt-5-mini"
`;

describe('Codex config.toml merge', () => {
  it('creates a file that makes CLI2API the default, with env_key when keys are set', () => {
    const { text, usesProfile } = mergeCodexConfig(undefined, {
      baseUrl: 'http://127.0.0.1:8000/v1',
      model: 'sonnet',
      envKey: 'CLI2API_API_KEY',
    });
    assert.equal(usesProfile, false);
    const cfg = TOML.parse(text) as Table;
    assert.equal(cfg.model, 'sonnet');
    assert.equal(cfg.model_provider, 'cli2api');
    assert.deepEqual(
      { ...cfg.model_providers.cli2api },
      {
        name: 'CLI2API',
        base_url: 'http://127.0.0.1:8000/v1',
        wire_api: 'responses',
        env_key: 'CLI2API_API_KEY',
      },
    );
    assert.deepEqual({ ...cfg.profiles.cli2api }, { model: 'sonnet', model_provider: 'cli2api' });
    assert.match(text, /^\[model_providers\.cli2api\]$/m, 'a section of its own');
  });

  it("keeps the user's comments, default model and providers, and adds a profile to pick CLI2API", () => {
    const { text, usesProfile } = mergeCodexConfig(USER_FILE, { baseUrl: 'http://127.0.0.1:8000/v1', model: 'sonnet' });
    assert.equal(usesProfile, true);
    assert.ok(text.startsWith(USER_FILE), `the user's text is unchanged:\n${text}`);
    const cfg = TOML.parse(text) as Table;
    assert.equal(cfg.model, 'gpt-5');
    assert.equal(cfg.model_provider, undefined);
    assert.deepEqual(Object.keys(cfg.model_providers), ['ollama', 'cli2api']);
    assert.equal(cfg.model_providers.cli2api!.env_key, undefined, 'no keys: no env_key');
    assert.deepEqual(Object.keys(cfg.profiles), ['fast', 'cli2api']);
  });

  it('updates its own tables in place: new URL, env_key added and removed, user additions kept', () => {
    const first = mergeCodexConfig(USER_FILE, { baseUrl: 'http://127.0.0.1:8000/v1', model: 'sonnet' }).text;
    const edited = first.replace(
      'wire_api = "responses"',
      'wire_api = "responses" # keep this\nrequest_max_retries = 2',
    );
    const second = mergeCodexConfig(edited, {
      baseUrl: 'http://127.0.0.1:9100/v1',
      model: 'opus',
      envKey: 'CLI2API_API_KEY',
    }).text;
    assert.ok(second.includes('# keep this'));
    let cfg = TOML.parse(second) as Table;
    assert.equal(cfg.model_providers.cli2api!.base_url, 'http://127.0.0.1:9100/v1');
    assert.equal(cfg.model_providers.cli2api!.env_key, 'CLI2API_API_KEY');
    assert.equal(cfg.model_providers.cli2api!.request_max_retries, 2);
    assert.equal(cfg.profiles.cli2api!.model, 'opus');
    assert.equal(second.match(/\[model_providers\.cli2api\]/g)?.length, 1, 'no second table');
    const third = mergeCodexConfig(second, { baseUrl: 'http://127.0.0.1:9100/v1', model: 'opus' }).text;
    cfg = TOML.parse(third) as Table;
    assert.equal(cfg.model_providers.cli2api!.env_key, undefined, 'keys cleared: env_key removed');
  });

  it('works with providers written as an inline table', () => {
    const inline = 'model_providers = { ollama = { name = "Ollama", base_url = "http://localhost:11434/v1" } }\n';
    const { text } = mergeCodexConfig(inline, { baseUrl: 'http://127.0.0.1:8000/v1', model: 'sonnet' });
    const cfg = TOML.parse(text) as Table;
    assert.deepEqual(Object.keys(cfg.model_providers), ['ollama', 'cli2api']);
    assert.equal(cfg.model_providers.cli2api!.wire_api, 'responses');
  });

  it('keeps Windows line endings', () => {
    const crlf = 'model = "gpt-5"\r\n\r\n[features]\r\nplugins = false\r\n';
    const { text } = mergeCodexConfig(crlf, { baseUrl: 'http://127.0.0.1:8000/v1', model: 'sonnet' });
    assert.doesNotMatch(text.replace(/\r\n/g, ''), /\n/, `only CRLF:\n${JSON.stringify(text)}`);
  });

  it('refuses, writing nothing, a file that is not TOML', () => {
    assert.throws(
      () => mergeCodexConfig('model = \n[x', { baseUrl: 'http://127.0.0.1:8000/v1', model: 'sonnet' }),
      ConfigMergeError,
    );
  });
});
