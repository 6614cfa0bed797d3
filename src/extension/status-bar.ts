/** The status bar item: renders statusText() (status-text.ts) into VS Code. */
import * as vscode from 'vscode';
import type { StatusText } from './status-text';

export const MENU_COMMAND = 'cli2api.showMenu';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cli2api.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'CLI2API';
    this.item.command = MENU_COMMAND;
    this.item.show();
  }

  render(s: StatusText): void {
    this.item.text = s.text;
    const md = new vscode.MarkdownString(s.tooltip.join('  \n'));
    md.isTrusted = false;
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: s.ariaLabel, role: 'button' };
    this.item.backgroundColor =
      s.tone === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : s.tone === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
