/**
 * The settings the server runs on, read from `cli2api.*`. Invalid values warn once per
 * change of the setting (SettingWarnings), with an Open Settings action. A new host or port
 * applies only once it has settled and been checked (AddressSettle); one that cannot be used
 * is refused with a message and the server stays where it is.
 */
import * as vscode from 'vscode';
import type { ApiKey } from '../config/api-keys';
import type { Settings } from '../config/settings';
import { type Address, AddressSettle } from './address-settle';
import { readSettings, SECTION } from './config';
import { type SettingWarning, SettingWarnings } from './setting-warnings';
import { type AddressCheck, checkAddress } from './sharing/port-holder';

export class SettingsSource implements vscode.Disposable {
  private raw: Settings;
  private apiKeys: ApiKey[] = [];
  private readonly settle: AddressSettle;
  private readonly warnings = new SettingWarnings();
  private readonly refusals = new SettingWarnings();
  private readonly changeListeners = new Set<(e: vscode.ConfigurationChangeEvent | undefined) => void>();
  private readonly moveListeners = new Set<() => void>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    settleMs = 1500,
    check: (host: string, port: number) => Promise<AddressCheck> = checkAddress,
  ) {
    this.raw = this.read();
    this.settle = new AddressSettle(
      { host: this.raw.host, port: this.raw.port },
      {
        settleMs,
        check,
        events: {
          pending: (next, ms) =>
            this.log.info(
              `The address setting is now ${next.host}:${next.port}; it applies once it stays so for ${ms / 1000} s.`,
            ),
          moved: (next) => {
            this.log.info(`Address changed to ${next.host}:${next.port}`);
            this.refusals.update([]);
            for (const l of this.moveListeners) l();
          },
          refused: (next, reason, stays) => {
            const message = `CLI2API cannot use ${next.host}:${next.port}: ${reason}. It stays on ${stays.host}:${stays.port}.`;
            this.log.warn(message);
            for (const w of this.refusals.update([{ key: 'port', message }])) this.warn(w);
            for (const l of this.changeListeners) l(undefined);
          },
          cleared: () => {
            this.refusals.update([]);
            for (const l of this.changeListeners) l(undefined);
          },
        },
      },
    );
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.reload(e);
    });
  }

  /** The settings the server uses now: the settled, accepted address and everything else as configured. */
  get settings(): Settings {
    return { ...this.raw, ...this.settle.address };
  }

  get address(): Address {
    return this.settle.address;
  }

  /** A configured address that was refused, for the tooltip. */
  get refused(): string | undefined {
    return this.settle.refused;
  }

  setApiKeys(keys: ApiKey[]): void {
    this.apiKeys = keys;
    this.reload(undefined);
  }

  /** Any setting changed (the event is undefined when the API keys changed). */
  onDidChange(listener: (e: vscode.ConfigurationChangeEvent | undefined) => void): vscode.Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** The address moved (settled and accepted). */
  onDidMove(listener: () => void): vscode.Disposable {
    this.moveListeners.add(listener);
    return { dispose: () => this.moveListeners.delete(listener) };
  }

  private reload(e: vscode.ConfigurationChangeEvent | undefined): void {
    this.raw = this.read();
    for (const l of this.changeListeners) l(e);
    this.settle.configure({ host: this.raw.host, port: this.raw.port });
  }

  private read(): Settings {
    const found: SettingWarning[] = [];
    const settings = readSettings((key, message) => found.push({ key, message }), this.apiKeys);
    for (const w of this.warnings.update(found)) {
      this.log.warn(w.message);
      this.warn(w);
    }
    return settings;
  }

  private warn(w: SettingWarning): void {
    void vscode.window.showWarningMessage(w.message, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${w.key}`);
    });
  }

  dispose(): void {
    this.settle.dispose();
    this.subscription.dispose();
    this.changeListeners.clear();
    this.moveListeners.clear();
  }
}
