import assert from 'node:assert/strict';
import { clientCards, type ConnectInfo } from '../../../../src/extension/connect/clients';

const info = (apiKey?: string): ConnectInfo => ({
  baseUrl: 'http://127.0.0.1:9123',
  models: ['opus', 'sonnet'],
  defaultModel: 'sonnet',
  apiKey,
});

describe('Connect panel client cards', () => {
  it('covers the clients of today, form-based ones with fields and file-based ones with their file', () => {
    const cards = clientCards(info());
    assert.deepEqual(
      cards.map((c) => [c.id, c.fields ? 'fields' : c.file ? `file ${c.file.path}` : 'snippet']),
      [
        ['zoo', 'fields'],
        ['kilo', 'file ~/.config/kilo/kilo.jsonc'],
        ['cline', 'fields'],
        ['continue', 'file ~/.continue/config.yaml'],
        ['codex', 'file ~/.codex/config.toml'],
        ['claude', 'snippet'],
        ['openai-python', 'snippet'],
        ['openai-node', 'snippet'],
        ['curl', 'snippet'],
      ],
    );
    const zoo = cards[0]!;
    assert.deepEqual(zoo.fields, [
      { label: 'Base URL', value: 'http://127.0.0.1:9123/v1' },
      { label: 'API Key', value: 'cli2api' },
      { label: 'Model', value: 'sonnet' },
      { label: 'Context Window', value: '200000' },
      { label: 'Max Output Tokens', value: '64000' },
    ]);
  });

  it('without keys: a placeholder key, no Authorization in curl, no env_key for Codex', () => {
    const cards = clientCards(info());
    const code = (id: string) => cards.find((c) => c.id === id)!.snippet!.code;
    assert.doesNotMatch(code('curl'), /Authorization/);
    assert.doesNotMatch(code('codex'), /env_key/);
    assert.match(code('openai-python'), /api_key="cli2api"/);
    assert.match(cards[0]!.notes.join(' '), /any key is accepted/);
  });

  it('with keys: the real key everywhere a client sends it, so pasted snippets work', () => {
    const cards = clientCards(info('c2a-real-key-123'));
    const code = (id: string) => cards.find((c) => c.id === id)!.snippet!.code;
    assert.match(code('curl'), /-H 'Authorization: Bearer c2a-real-key-123'/);
    assert.match(code('openai-python'), /api_key="c2a-real-key-123"/);
    assert.match(code('openai-node'), /apiKey: 'c2a-real-key-123'/);
    assert.match(code('continue'), /apiKey: c2a-real-key-123/);
    assert.match(code('kilo'), /"apiKey": "c2a-real-key-123"/);
    assert.match(code('claude'), /ANTHROPIC_API_KEY=c2a-real-key-123/);
    assert.match(code('codex'), /env_key = "CLI2API_API_KEY"/);
    assert.match(cards.find((c) => c.id === 'codex')!.notes.join(' '), /export CLI2API_API_KEY=c2a-real-key-123/);
    assert.equal(cards[0]!.fields!.find((f) => f.label === 'API Key')!.value, 'c2a-real-key-123');
  });

  it('every snippet carries the current URL (Anthropic clients without /v1)', () => {
    for (const card of clientCards(info())) {
      const text = [card.snippet?.code ?? '', ...(card.fields ?? []).map((f) => f.value)].join('\n');
      if (!text) continue;
      if (card.id === 'claude') assert.match(text, /ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:9123$/m);
      else assert.ok(text.includes('http://127.0.0.1:9123/v1'), card.id);
    }
  });
});
