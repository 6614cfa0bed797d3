/** The status bar item's menu (entries from menu-entries.ts, which is pure). */
import * as vscode from 'vscode';
import { menuEntries, type MenuEntry } from './menu-entries';
import type { WindowView } from './sharing/window-server';

export async function showMenu(view: WindowView, inFlight: number): Promise<void> {
  const entries = menuEntries(view, inFlight);
  const pick = await vscode.window.showQuickPick<vscode.QuickPickItem & MenuEntry>(entries, {
    title: 'CLI2API',
    placeHolder: 'Choose an action',
  });
  if (pick) await vscode.commands.executeCommand(pick.command, ...(pick.args ?? []));
}
