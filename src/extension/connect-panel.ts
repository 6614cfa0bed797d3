/** "CLI2API: Connect a Client…": a webview with the snippets and copy buttons. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { clientSnippets } from './client-snippets';

let current: vscode.WebviewPanel | undefined;

export function showConnectPanel(baseUrl: string, models: string[], defaultModel: string): void {
  const snippets = clientSnippets(baseUrl, models, defaultModel);
  if (!current) {
    current = vscode.window.createWebviewPanel(
      'cli2api.connect',
      'CLI2API: Connect a Client',
      vscode.ViewColumn.Active,
      { enableScripts: true },
    );
    current.onDidDispose(() => (current = undefined));
    current.webview.onDidReceiveMessage(async (m: { copy?: number }) => {
      const snippet = m.copy === undefined ? undefined : snippets[m.copy];
      if (!snippet) return;
      await vscode.env.clipboard.writeText(snippet.code);
      void vscode.window.showInformationMessage(`Copied the ${snippet.client} settings.`);
    });
  } else current.reveal();
  const nonce = randomBytes(16).toString('hex');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  current.webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em 2em; max-width: 60em; }
section { margin: 1.5em 0; }
h2 { font-size: 1.1em; margin-bottom: .2em; }
.where { color: var(--vscode-descriptionForeground); margin: 0 0 .5em; }
pre { background: var(--vscode-textCodeBlock-background); padding: .8em; overflow-x: auto; border-radius: 4px; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: .35em .9em; border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
</style></head><body>
<h1>Connect a client to CLI2API</h1>
<p>Base URL <code>${esc(baseUrl)}/v1</code> · models ${models.map((m) => `<code>${esc(m)}</code>`).join(', ')}</p>
${snippets
  .map(
    (s, i) =>
      `<section><h2>${esc(s.client)}</h2><p class="where">${esc(s.where)}</p><pre><code>${esc(s.code)}</code></pre><button data-copy="${i}">Copy</button></section>`,
  )
  .join('\n')}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
for (const b of document.querySelectorAll('button[data-copy]')) b.addEventListener('click', () => vscode.postMessage({ copy: Number(b.dataset.copy) }));
</script></body></html>`;
}
