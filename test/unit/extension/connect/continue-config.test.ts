import assert from 'node:assert/strict';
import YAML from 'yaml';
import { ConfigMergeError } from '../../../../src/extension/connect/config-error';
import { type ContinueModel, mergeContinueConfig } from '../../../../src/extension/connect/continue-config';

const model = (m: string, port = 8000, key = 'cli2api'): ContinueModel => ({
  name: `CLI2API ${m}`,
  model: m,
  apiBase: `http://127.0.0.1:${port}/v1`,
  apiKey: key,
  contextLength: 200_000,
});

const USER_FILE = `# My Continue setup
name: Local Config
version: 1.0.0
schema: v1
models:
  # the local one
  - name: Llama
    provider: ollama
    model: llama3.1:8b # small and fast
    roles: [chat, autocomplete]
context:
  - provider: code
`;

describe('Continue config.yaml merge', () => {
  it('creates a complete file when there is none', () => {
    const text = mergeContinueConfig(undefined, [model('sonnet')]);
    const parsed = YAML.parse(text) as { name: string; schema: string; models: Array<Record<string, unknown>> };
    assert.equal(parsed.schema, 'v1');
    assert.equal(parsed.name, 'Local Config');
    assert.deepEqual(parsed.models, [
      {
        name: 'CLI2API sonnet',
        provider: 'openai',
        model: 'sonnet',
        apiBase: 'http://127.0.0.1:8000/v1',
        apiKey: 'cli2api',
        capabilities: ['tool_use', 'image_input'],
        defaultCompletionOptions: { contextLength: 200_000 },
      },
    ]);
  });

  it("adds CLI2API's models after the user's, keeping comments and every other key", () => {
    const text = mergeContinueConfig(USER_FILE, [model('sonnet'), model('opus')]);
    for (const kept of [
      '# My Continue setup',
      '# the local one',
      '# small and fast',
      'roles: [chat, autocomplete]',
      'provider: code',
    ])
      assert.ok(text.includes(kept), `kept ${kept}:\n${text}`);
    const parsed = YAML.parse(text) as { models: Array<{ name: string }>; context: unknown };
    assert.deepEqual(
      parsed.models.map((m) => m.name),
      ['Llama', 'CLI2API sonnet', 'CLI2API opus'],
    );
    assert.deepEqual(parsed.context, [{ provider: 'code' }]);
    assert.ok(
      text.startsWith(USER_FILE.slice(0, USER_FILE.indexOf('context:'))),
      `the user's part is unchanged:\n${text}`,
    );
  });

  it('updates its own entries in place on a second write (new port and key), adding no duplicates', () => {
    const once = mergeContinueConfig(USER_FILE, [model('sonnet')]);
    // The user adds a role and a comment to our entry.
    const edited = once.replace(
      '  - name: CLI2API sonnet',
      '  # mine now\n  - name: CLI2API sonnet\n    roles: [chat, edit]',
    );
    const twice = mergeContinueConfig(edited, [model('sonnet', 9100, 'c2a-secret')]);
    const parsed = YAML.parse(twice) as { models: Array<Record<string, unknown>> };
    assert.equal(parsed.models.length, 2);
    const ours = parsed.models[1]!;
    assert.equal(ours.apiBase, 'http://127.0.0.1:9100/v1');
    assert.equal(ours.apiKey, 'c2a-secret');
    assert.deepEqual(ours.roles, ['chat', 'edit']);
    assert.ok(twice.includes('# mine now'));
    assert.equal(mergeContinueConfig(twice, [model('sonnet', 9100, 'c2a-secret')]), twice, 'idempotent');
  });

  it('adds a models list to a file that has none', () => {
    const text = mergeContinueConfig('name: x\nversion: 1.0.0\nschema: v1\n# no models yet\n', [model('haiku')]);
    assert.deepEqual(
      (YAML.parse(text) as { models: Array<{ name: string }> }).models.map((m) => m.name),
      ['CLI2API haiku'],
    );
    assert.ok(text.includes('# no models yet'));
  });

  it('refuses, writing nothing, a file that is not YAML or has models that are not a list', () => {
    assert.throws(() => mergeContinueConfig('models: [a\n  b: {', [model('sonnet')]), ConfigMergeError);
    assert.throws(() => mergeContinueConfig('models: gpt\n', [model('sonnet')]), /`models` is not a list/);
    assert.throws(() => mergeContinueConfig('- a\n- b\n', [model('sonnet')]), /not a YAML mapping/);
  });
});
