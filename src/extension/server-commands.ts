/**
 * Start, Stop, Restart, Copy Base URL and Show Log, for whatever state this window is in.
 * In a window that does not serve they say what they will do (stop the server in the other
 * window; this window takes over when that one closes). Stopping while requests run asks
 * first and says how many.
 */
import * as vscode from 'vscode';
import { describeHolder, type WindowServer, type WindowView } from './sharing/window-server';

export class ServerCommands {
  constructor(
    private readonly window: WindowServer,
    private readonly log: vscode.LogOutputChannel,
    private readonly inFlight: () => number,
  ) {}

  async start(): Promise<void> {
    const view = this.window.view;
    if (view.kind === 'running') {
      void vscode.window.showInformationMessage(`CLI2API is already running at ${view.url}/v1.`);
      return;
    }
    if (view.kind === 'elsewhere') {
      this.sayElsewhere(view);
      return;
    }
    const after = await this.window.start('user');
    if (after.kind === 'elsewhere') this.sayElsewhere(after);
  }

  async stop(): Promise<void> {
    const view = this.window.view;
    if (view.kind === 'stopped') {
      void vscode.window.showInformationMessage('CLI2API is not running.');
      return;
    }
    if (view.kind === 'elsewhere') {
      if (view.holder.runner.kind !== 'vscode') {
        void vscode.window.showInformationMessage(
          `${describeHolder(view.holder, view.port)}: stop it where it runs. This window takes over if it stops.`,
        );
        return;
      }
      const choice = await vscode.window.showWarningMessage(
        `CLI2API serves :${view.port} from another window. Stop it there?`,
        {
          modal: true,
          detail:
            'The server in that window stops within a second, and no window takes over until you choose Start Server in one of them.',
        },
        'Stop Server',
      );
      if (choice === 'Stop Server') await this.window.stop();
      return;
    }
    if (view.kind === 'running' && !(await this.confirmEndingRequests('Stop Server'))) return;
    await this.window.stop();
  }

  async restart(): Promise<void> {
    const view = this.window.view;
    if (view.kind === 'elsewhere') {
      void vscode.window.showInformationMessage(
        `CLI2API serves :${view.port} from another window: restart it there (its status bar menu).`,
      );
      return;
    }
    if (view.kind !== 'running') {
      await this.start();
      return;
    }
    if (!(await this.confirmEndingRequests('Restart Server'))) return;
    await this.window.restart();
  }

  async copyBaseUrl(): Promise<void> {
    const view = this.window.view;
    if (view.kind !== 'running' && view.kind !== 'elsewhere') {
      const choice = await vscode.window.showWarningMessage('CLI2API is not running: start it first.', 'Start Server');
      if (choice) await this.start();
      return;
    }
    await vscode.env.clipboard.writeText(`${view.url}/v1`);
    void vscode.window.showInformationMessage(
      `Copied ${view.url}/v1${view.kind === 'elsewhere' ? ' (served by another window)' : ''}`,
    );
  }

  showLog(): void {
    const view = this.window.view;
    if (view.kind === 'elsewhere')
      this.log.info(
        `${describeHolder(view.holder, view.port)}. Its requests are logged in that window's CLI2API log; this window stands by.`,
      );
    this.log.show(true);
  }

  /** True when nothing runs, or the user agrees to end what runs. */
  private async confirmEndingRequests(action: string): Promise<boolean> {
    const n = this.inFlight();
    if (n === 0) return true;
    const choice = await vscode.window.showWarningMessage(
      `${n} ${n === 1 ? 'request is' : 'requests are'} running. ${action.replace(' Server', '')} anyway?`,
      {
        modal: true,
        detail: `${n === 1 ? 'It ends' : 'They end'} with a 503 "server is stopping" error; the clients can retry once the server runs again.`,
      },
      action,
    );
    return choice === action;
  }

  private sayElsewhere(view: Extract<WindowView, { kind: 'elsewhere' }>): void {
    void vscode.window.showInformationMessage(
      `${describeHolder(view.holder, view.port)}. This window takes over by itself if that one closes or its server stops.`,
    );
  }
}
