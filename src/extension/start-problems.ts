/**
 * Why this window's server is not running, said once and taken back: a notice while the
 * port is held by another program or listening failed, closed as soon as the server runs
 * (or another window serves). The fix for a taken port never breaks other windows: it offers
 * a port for this workspace only, or says plainly that the user setting is shared.
 */
import * as vscode from 'vscode';
import { SECTION } from './config';
import { Notice } from './notice';
import { canListen } from './sharing/port-holder';
import type { WindowView } from './sharing/window-server';

export class StartProblems implements vscode.Disposable {
  private readonly notice = new Notice();

  /** Called on every change of the window's view. */
  update(view: WindowView): void {
    if (view.kind === 'conflict') {
      this.notice.show(`CLI2API could not start: ${view.message}`, [
        ...(hasWorkspace()
          ? [{ label: 'Use another port in this workspace', command: 'cli2api.choosePort', args: ['workspace'] }]
          : []),
        { label: 'Use another port…', command: 'cli2api.choosePort' },
        { label: 'Show Log', command: 'cli2api.showLog' },
      ]);
    } else if (view.kind === 'failed') {
      this.notice.show(`CLI2API could not start: ${view.message}`, [
        { label: 'Open Settings', command: 'workbench.action.openSettings', args: [`${SECTION}.port`] },
        { label: 'Show Log', command: 'cli2api.showLog' },
      ]);
    } else if (view.kind !== 'starting') this.notice.close();
  }

  dispose(): void {
    this.notice.dispose();
  }
}

function hasWorkspace(): boolean {
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
}

/**
 * "Use Another Port…": the next free port, for this workspace only (other windows keep the
 * shared one) or for every window (the user setting they all share). `scope` skips the question.
 */
export async function choosePort(current: { host: string; port: number }, scope?: 'workspace' | 'user'): Promise<void> {
  const port = await nextFreePort(current.host, current.port);
  if (port === undefined) {
    void vscode.window.showErrorMessage(`No free port found after ${current.port}. Set cli2api.port by hand.`);
    return;
  }
  let target = scope;
  if (!target) {
    const items: Array<vscode.QuickPickItem & { target: 'workspace' | 'user' }> = [
      ...(hasWorkspace()
        ? [
            {
              label: `Use :${port} in this workspace only`,
              detail: `Other windows keep :${current.port}. Written to this workspace's settings.`,
              target: 'workspace' as const,
            },
          ]
        : []),
      {
        label: `Use :${port} in every window`,
        detail: `Changes the user setting all windows share: clients must then use :${port}.`,
        target: 'user',
      },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `CLI2API: use another port than ${current.port}` });
    if (!pick) return;
    target = pick.target;
  }
  await vscode.workspace
    .getConfiguration(SECTION)
    .update(
      'port',
      port,
      target === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
    );
  void vscode.window.showInformationMessage(
    target === 'workspace'
      ? `CLI2API uses port ${port} in this workspace; other windows keep ${current.port}.`
      : `CLI2API uses port ${port} in every window.`,
  );
}

async function nextFreePort(host: string, from: number): Promise<number | undefined> {
  for (let port = from + 1; port <= Math.min(65535, from + 100); port++)
    if ((await canListen(host, port)).ok) return port;
  return undefined;
}
