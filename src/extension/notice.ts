/**
 * A notification the extension can take back. VS Code has no API to close a message it
 * showed, except a progress notification, which closes when its task ends: so a notice is
 * one, at 0 % (no busy bar), with its actions as links in the text (`[Show Log](command:…)`,
 * which notifications render). `close()` removes it, e.g. when the problem it reports is gone.
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

  get isOpen(): boolean {
    return this.end !== undefined;
  }

  /** Shows `message` (replacing what this notice showed), unless it shows exactly that already. */
  show(message: string, actions: NoticeAction[] = []): void {
    const text = [message, actions.map(link).join(' · ')].filter(Boolean).join(' ');
    if (this.isOpen && this.message === text) return;
    this.close();
    this.message = text;
    let resolve!: () => void;
    const shown = new Promise<void>((r) => (resolve = r));
    this.end = resolve;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: text }, (progress) => {
      progress.report({ increment: 0 });
      return shown;
    });
  }

  close(): void {
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
