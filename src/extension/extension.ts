/** VS Code entry point: everything lives in the Controller. */
import type * as vscode from 'vscode';
import { Controller } from './controller';

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(context);
  context.subscriptions.push(controller);
  await controller.activate();
}

export async function deactivate(): Promise<void> {
  await controller?.shutdown();
  controller = undefined;
}
