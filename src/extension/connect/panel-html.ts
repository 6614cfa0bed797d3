/**
 * The Connect panel's page, built from the client cards: a copy button per field and per
 * snippet, a "Write Configuration…" button per file-configured client. Pure (no `vscode`):
 * returns the HTML and the list of values its copy buttons refer to by index.
 */
import { type ClientCard, clientCards, type ConnectInfo } from './clients';

export interface PanelState {
  info: ConnectInfo;
  /** One line about the server: where it runs, or that it does not. */
  server: string;
  running: boolean;
}

export interface RenderedPanel {
  html: string;
  copies: string[];
}

export function renderPanel(state: PanelState, csp: { source: string; nonce: string }): RenderedPanel {
  const copies: string[] = [];
  const copy = (value: string, label: string) => {
    copies.push(value);
    return `<button class="copy" data-copy="${copies.length - 1}" title="Copy ${esc(label)}" aria-label="Copy ${esc(label)}">Copy</button>`;
  };
  const { info } = state;
  const keys = info.apiKey
    ? 'API keys are set: the snippets carry the key clients must send.'
    : 'No API keys are set: any key is accepted.';
  const card = (c: ClientCard) => {
    const parts = [`<section id="${c.id}" class="card"><h2>${esc(c.name)}</h2><p class="where">${esc(c.where)}</p>`];
    if (c.fields) {
      parts.push('<table class="fields">');
      for (const f of c.fields)
        parts.push(
          `<tr><th>${esc(f.label)}</th><td><code class="value">${esc(f.value)}</code></td><td>${copy(f.value, `${c.name} ${f.label}`)}</td></tr>`,
        );
      parts.push('</table>');
    }
    if (c.file)
      parts.push(
        `<p class="file"><button class="write" data-write="${c.file.id}">Write Configuration…</button> <code>${esc(c.file.path)}</code> — shows the change first; your other settings and comments stay.</p>`,
      );
    if (c.snippet)
      parts.push(
        `<div class="snippet"><pre><code class="language-${c.snippet.language}">${esc(c.snippet.code)}</code></pre>${copy(c.snippet.code, `${c.name} snippet`)}</div>`,
      );
    for (const n of c.notes) parts.push(`<p class="note">${esc(n)}</p>`);
    parts.push('</section>');
    return parts.join('');
  };
  const body = clientCards(info).map(card).join('\n');
  const { nonce, source } = csp;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${source} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect a Client</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em 2em; max-width: 62em; }
.status { padding: .6em .8em; border-left: 3px solid var(--vscode-textLink-foreground); background: var(--vscode-textBlockQuote-background); }
.status.stopped { border-left-color: var(--vscode-editorWarning-foreground); }
.card { margin: 1.6em 0; }
h2 { font-size: 1.15em; margin-bottom: .2em; }
.where, .note { color: var(--vscode-descriptionForeground); margin: .3em 0; }
table.fields { border-collapse: collapse; }
table.fields th { text-align: left; font-weight: normal; padding: .2em 1em .2em 0; color: var(--vscode-descriptionForeground); }
table.fields td { padding: .2em .4em .2em 0; }
code.value { user-select: all; }
.snippet { display: flex; gap: .5em; align-items: flex-start; }
pre { flex: 1; margin: .3em 0; background: var(--vscode-textCodeBlock-background); padding: .8em; overflow-x: auto; border-radius: 4px; }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: .3em .8em; border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
button.write { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
button.write:hover { background: var(--vscode-button-hoverBackground); }
</style></head><body>
<h1>Connect a client to CLI2API</h1>
<p class="status${state.running ? '' : ' stopped'}" id="server">${esc(state.server)}<br>Base URL <code>${esc(info.baseUrl)}/v1</code> · models ${info.models.map((m) => `<code>${esc(m)}</code>`).join(', ')} · ${esc(keys)}</p>
${body}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
for (const b of document.querySelectorAll('button[data-copy]')) b.addEventListener('click', () => vscode.postMessage({ copy: Number(b.dataset.copy) }));
for (const b of document.querySelectorAll('button[data-write]')) b.addEventListener('click', () => vscode.postMessage({ write: b.dataset.write }));
</script></body></html>`;
  return { html, copies };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
