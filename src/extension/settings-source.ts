/**
 * The settings the server runs on, read from `cli2api.*`. Invalid values warn once per
 * change of the setting (SettingWarnings), with an Open Settings action. A new host or port
 * waits until the value has settled (the Settings UI fires a change per keystroke: 9, 91,
 * 910, 9100) and is checked before the server moves; one that cannot be used is refused
 * with a message and the server stays where it is.
 */
import * as vscode from 'vscode';
import type { ApiKey } from '../config/api-keys';
import type { Settings } from '../config/settings';
import { readSettings, SECTION } from './config';
import { type SettingWarning, SettingWarnings } from './setting-warnings';
import { type AddressCheck, checkAddress } from './sharing/port-holder';

export interface Address {
  host: string;
  port: number;
}

export class SettingsSource implements vscode.Disposable {
  private raw: Settings;
  private applied: Address;
  private apiKeys: ApiKey[] = [];
  private settleTimer: NodeJS.Timeout | undefined;
  private pending: Address | undefined;
  private readonly warnings = new SettingWarnings();
  private readonly refusals = new SettingWarnings();
  private refusedText: string | undefined;
  private readonly changeListeners = new Set<(e: vscode.ConfigurationChangeEvent | undefined) => void>();
  private readonly moveListeners = new Set<() => void>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly settleMs = 1500,
    private readonly check: (host: string, port: number) => Promise<AddressCheck> = checkAddress,
  ) {
    this.raw = this.read();
    this.applied = { host: this.raw.host, port: this.raw.port };
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.reload(e);
    });
  }

  /** The settings the server uses now: the settled, accepted address and everything else as configured. */
  get settings(): Settings {
    return { ...this.raw, ...this.applied };
  }

  get address(): Address {
    return this.applied;
  }

  /** A configured address that was refused, for the tooltip. */
  get refused(): string | undefined {
    return this.refusedText;
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
    const pending = this.raw.host !== this.applied.host || this.raw.port !== this.applied.port;
    const changed = this.raw.host !== this.pending?.host || this.raw.port !== this.pending?.port;
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.pending = pending ? { host: this.raw.host, port: this.raw.port } : undefined;
    if (pending && changed)
      this.log.info(
        `The address setting is now ${this.raw.host}:${this.raw.port}; it applies once it stays so for ${this.settleMs / 1000} s.`,
      );
    if (pending) this.settleTimer = setTimeout(() => void this.settle(), this.settleMs);
    else if (this.refusedText) {
      this.refusedText = undefined;
      this.refusals.update([]);
      for (const l of this.changeListeners) l(undefined);
    }
  }

  private async settle(): Promise<void> {
    this.settleTimer = undefined;
    this.pending = undefined;
    const next = { host: this.raw.host, port: this.raw.port };
    const check = next.port === 0 ? ({ ok: true } as const) : await this.check(next.host, next.port);
    // Changed again while checking: the newer value settles on its own.
    if (this.raw.host !== next.host || this.raw.port !== next.port) return;
    if (check.ok) {
      this.log.info(`Address changed to ${next.host}:${next.port}`);
      this.applied = next;
      this.refusedText = undefined;
      this.refusals.update([]);
      for (const l of this.moveListeners) l();
      return;
    }
    this.refusedText = `${next.host}:${next.port} (${check.reason})`;
    const message = `CLI2API cannot use ${next.host}:${next.port}: ${check.reason}. It stays on ${this.applied.host}:${this.applied.port}.`;
    this.log.warn(message);
    for (const w of this.refusals.update([{ key: 'port', message }])) this.warn(w);
    for (const l of this.changeListeners) l(undefined);
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
    clearTimeout(this.settleTimer);
    this.subscription.dispose();
    this.changeListeners.clear();
    this.moveListeners.clear();
  }
}
