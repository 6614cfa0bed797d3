/**
 * "CLI2API: Connect a Client…": a webview that stays current (the controller calls refresh()
 * when the port, the keys, the models or the server's state change), copies any field or
 * snippet, and writes the configuration of file-configured clients after showing the change
 * as a diff and asking.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigFileId } from './clients';
import { type Proposal, propose, writeProposal } from './client-files';
import { ConfigMergeError } from './config-error';
import { type PanelState, renderPanel } from './panel-html';

const PREVIEW_SCHEME = 'cli2api-preview';

export class ConnectPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private copies: string[] = [];
  private rendered: string | undefined;
  private readonly previews = new Map<string, string>();
  private previewCount = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly state: () => PanelState,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
        provideTextDocumentContent: (uri) => this.previews.get(uri.toString()) ?? '',
      }),
    );
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      this.refresh();
      return;
    }
    this.panel = vscode.window.createWebviewPanel(
      'cli2api.connect',
      'CLI2API: Connect a Client',
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        retainContextWhenHidden: false,
      },
    );
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      this.rendered = undefined;
    });
    this.panel.webview.onDidReceiveMessage((m: { copy?: number; write?: ConfigFileId }) => {
      if (typeof m.copy === 'number') void this.copy(m.copy);
      if (m.write === 'continue' || m.write === 'codex' || m.write === 'kilo') void this.write(m.write);
    });
    this.refresh();
  }

  /** Renders again if it is open and what it shows changed. */
  refresh(): void {
    if (!this.panel) return;
    const state = this.state();
    const key = JSON.stringify(state);
    if (key === this.rendered) return;
    this.rendered = key;
    const { html, copies } = renderPanel(state, {
      source: this.panel.webview.cspSource,
      nonce: randomBytes(16).toString('hex'),
    });
    this.copies = copies;
    this.panel.webview.html = html;
  }

  private async copy(index: number): Promise<void> {
    const value = this.copies[index];
    if (value === undefined) return;
    await vscode.env.clipboard.writeText(value);
    void vscode.window.showInformationMessage(
      `Copied ${value.length > 60 || value.includes('\n') ? 'the snippet' : value} to the clipboard.`,
    );
  }

  /** Shows the change as a diff, asks, then writes (merged; the previous file kept as a backup). */
  private async write(id: ConfigFileId): Promise<void> {
    let proposal: Proposal;
    try {
      proposal = propose(id, this.state().info);
    } catch (e) {
      this.fail(e);
      return;
    }
    const shown = tilde(proposal.file);
    if (proposal.before === proposal.after) {
      void vscode.window.showInformationMessage(`${shown} already has these settings: nothing to change.`);
      return;
    }
    const right = vscode.Uri.from({
      scheme: PREVIEW_SCHEME,
      path: `/${++this.previewCount}/${path.basename(proposal.file)}`,
    });
    this.previews.set(right.toString(), proposal.after);
    let left = vscode.Uri.file(proposal.file);
    if (proposal.before === undefined) {
      left = vscode.Uri.from({
        scheme: PREVIEW_SCHEME,
        path: `/${this.previewCount}/empty/${path.basename(proposal.file)}`,
      });
      this.previews.set(left.toString(), '');
    }
    await vscode.commands.executeCommand(
      'vscode.diff',
      left,
      right,
      `${shown}: CLI2API's change (${proposal.client})`,
      {
        preview: true,
      },
    );
    const choice = await vscode.window.showInformationMessage(
      `Write this change to ${shown}?`,
      {
        modal: true,
        detail: `${proposal.before === undefined ? 'The file is created.' : 'Only what the diff shows changes; the current file is kept as ' + path.basename(proposal.file) + '.cli2api-backup.'}\n${proposal.notes.join('\n')}`,
      },
      'Write',
    );
    await this.closePreview(right);
    this.previews.delete(right.toString());
    this.previews.delete(left.toString());
    if (choice !== 'Write') return;
    try {
      writeProposal(proposal);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.log.info(`Wrote the ${proposal.client} configuration to ${proposal.file}`);
    void vscode.window.showInformationMessage(`CLI2API: wrote ${shown}. ${proposal.notes.join(' ')}`);
  }

  private async closePreview(right: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString());
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (!(e instanceof ConfigMergeError)) this.log.error(e instanceof Error ? e : message);
    void vscode.window.showErrorMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function tilde(file: string): string {
  const home = os.homedir();
  return file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
}
