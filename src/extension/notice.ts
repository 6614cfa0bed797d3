/**
 * A notification the extension can take back. VS Code has no API to close a message it
 * showed, except a progress notification, which closes when its task ends: so a notice is
 * one, at 0 % (no busy bar), with its actions as links in the text (`[Show Log](command:…)`,
 * which notifications render). It is cancellable: that gives it a button to dismiss it and
 * keeps it expanded, links visible. `close()` removes it, e.g. when the problem it reports is
 * gone; a notice the user dismissed is not shown again until then.
 */
import * as vscode from 'vscode';

export interface NoticeAction {
  label: string;
  /** A command id (with optional arguments) or an https URL. */
  command?: string;
  args?: unknown[];
  url?: string;
}

export class Notice implements vscode.Disposable {
  private end: (() => void) | undefined;
  private message: string | undefined;
  private dismissed: string | undefined;

  get isOpen(): boolean {
    return this.end !== undefined;
  }

  /** Shows `message` (replacing what this notice showed), unless it shows it already or the user dismissed it. */
  show(message: string, actions: NoticeAction[] = []): void {
    const text = [message, actions.map(link).join(' · ')].filter(Boolean).join(' ');
    if ((this.isOpen && this.message === text) || this.dismissed === text) return;
    this.hide();
    this.message = text;
    let resolve!: () => void;
    const shown = new Promise<void>((r) => (resolve = r));
    this.end = resolve;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: text, cancellable: true },
      (progress, token) => {
        progress.report({ increment: 0 });
        token.onCancellationRequested(() => {
          if (this.end !== resolve) return;
          this.dismissed = text;
          this.end = undefined;
          this.message = undefined;
          resolve();
        });
        return shown;
      },
    );
  }

  /** The problem it reported is gone: remove it, and show it again if the problem comes back. */
  close(): void {
    this.hide();
    this.dismissed = undefined;
  }

  private hide(): void {
    const end = this.end;
    this.end = undefined;
    this.message = undefined;
    end?.();
  }

  dispose(): void {
    this.close();
  }
}

function link(a: NoticeAction): string {
  if (a.url) return `[${a.label}](${a.url})`;
  const args = a.args ? `?${encodeURIComponent(JSON.stringify(a.args))}` : '';
  return `[${a.label}](command:${a.command}${args})`;
}
