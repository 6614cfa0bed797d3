import assert from 'node:assert/strict';
import { renderPanel } from '../../../../src/extension/connect/panel-html';

const csp = { source: 'vscode-webview:', nonce: 'abc123' };

describe('Connect panel page', () => {
  it('has a copy button per form field and per snippet, each copying exactly that value', () => {
    const { html, copies } = renderPanel(
      {
        info: {
          baseUrl: 'http://127.0.0.1:8000',
          models: ['sonnet'],
          defaultModel: 'sonnet',
          apiKey: 'c2a-key-123456',
        },
        server: 'Running in this window.',
        running: true,
      },
      csp,
    );
    assert.equal((html.match(/data-copy="/g) ?? []).length, copies.length);
    assert.ok(copies.includes('http://127.0.0.1:8000/v1'));
    assert.ok(copies.includes('c2a-key-123456'));
    assert.ok(copies.some((c) => c.startsWith('curl ') && c.includes('Bearer c2a-key-123456')));
    for (const id of ['continue', 'codex', 'kilo']) assert.match(html, new RegExp(`data-write="${id}"`));
    assert.match(html, /API keys are set/);
  });

  it('escapes what it shows and runs only its own script (CSP nonce)', () => {
    const { html } = renderPanel(
      {
        info: {
          baseUrl: 'http://127.0.0.1:8000',
          models: ['<img src=x onerror=alert(1)>'],
          defaultModel: 'x',
          apiKey: undefined,
        },
        server: 'Stopped <b>now</b>',
        running: false,
      },
      csp,
    );
    assert.doesNotMatch(html, /<img src=x/);
    assert.doesNotMatch(html, /<b>now<\/b>/);
    assert.match(html, /script-src 'nonce-abc123'/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="abc123">/);
    assert.match(html, /class="status stopped"/);
  });
});
