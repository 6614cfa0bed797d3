import assert from 'node:assert/strict';
import { clientSnippets } from '../../../src/extension/client-snippets';

describe('client snippets', () => {
  it('carries the current URL and models into every client', () => {
    const snippets = clientSnippets('http://127.0.0.1:9123', ['opus', 'sonnet'], 'sonnet');
    assert.deepEqual(
      snippets.map((s) => s.client),
      ['Roo Code / Kilo Code', 'Cline', 'Continue', 'Codex CLI', 'OpenAI SDK (Python)', 'OpenAI SDK (Node)', 'curl'],
    );
    for (const s of snippets) {
      assert.ok(s.code.includes('http://127.0.0.1:9123/v1'), s.client);
      assert.ok(s.code.includes('sonnet'), s.client);
    }
    assert.match(snippets.find((s) => s.client === 'Codex CLI')!.code, /wire_api = "responses"/);
  });
});
