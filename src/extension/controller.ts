/**
 * The extension's one owner object: it joins `context.subscriptions`, owns the ApiServer,
 * the status bar and the log channel, registers every command once, and restarts the
 * server when host or port change.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import type { CliStatus } from '../cli/cli-manager';
import { type ApiKey, MEMBER_NAME } from '../config/api-keys';
import { needsRestart, type Settings } from '../config/settings';
import { runDoctor } from '../doctor/doctor';
import { healthy, platformLine, renderReport, summary } from '../doctor/report';
import { ApiServer, isLoopback } from '../server/api-server';
import { VERSION } from '../version';
import { readSettings, SECTION } from './config';
import { showConnectPanel } from './connect-panel';
import { channelLogger } from './log';
import { MENU_COMMAND, StatusBar } from './status-bar';
import { usageView } from './usage-display';
import { UsageNotices, warnAt } from './usage-notices';

interface MenuEntry extends vscode.QuickPickItem {
  command: string;
}

export class Controller implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel = vscode.window.createOutputChannel('CLI2API', { log: true });
  private readonly statusBar = new StatusBar();
  private readonly server: ApiServer;
  private settings: Settings;
  private apiKeys: ApiKey[] = [];
  private warnedExposed = false;
  private cliStatus: CliStatus | undefined;
  private readonly render: () => void;
  private checking = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.settings = readSettings((m) => this.warnInvalid(m));
    const logger = channelLogger(this.channel, () => this.settings.logLevel);
    this.server = new ApiServer({
      settings: () => this.settings,
      logger,
      extraCliCandidates: () => bundledClaudeBinary(),
    });
    this.disposables.push(this.channel, this.statusBar);
    const render = () =>
      this.statusBar.render(
        this.server.state,
        this.server.stats.snapshot(),
        this.cliStatus,
        this.server.cli.liveProcesses,
        this.settings.agentTools.length > 0,
        usageView(this.server.usage.snapshot(), Date.now(), warnAt()),
      );
    this.render = render;
    const offState = this.server.onDidChangeState(render);
    const offStats = this.server.stats.onDidChange(render);
    this.disposables.push({ dispose: offState }, { dispose: offStats }, new UsageNotices(this.server.usage, render));
    render();
    this.registerCommands();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && this.onSettingsChanged()),
    );
    void this.refreshCliStatus();
  }

  /** Starts the server unless `cli2api.autoStart` is off. */
  async activate(): Promise<void> {
    this.apiKeys = await readApiKeys(this.context.secrets);
    this.settings = readSettings((m) => this.warnInvalid(m), this.apiKeys);
    this.disposables.push(this.context.secrets.onDidChange((e) => e.key === SECRET_KEY && void this.reloadKeys()));
    if (vscode.workspace.getConfiguration(SECTION).get<boolean>('autoStart', true)) await this.start();
  }

  private registerCommands(): void {
    const register = (id: string, fn: () => unknown) => this.disposables.push(vscode.commands.registerCommand(id, fn));
    register('cli2api.start', () => this.start());
    register('cli2api.stop', () => this.stop());
    register('cli2api.restart', () => this.restart());
    register('cli2api.showLog', () => this.channel.show(true));
    register('cli2api.copyBaseUrl', () => this.copyBaseUrl());
    register('cli2api.connectClient', () => this.connectClient());
    register(MENU_COMMAND, () => this.showMenu());
    register('cli2api.setApiKey', () => this.setApiKey());
    register('cli2api.generateApiKey', () => this.generateApiKey());
    register('cli2api.clearApiKeys', () => this.clearApiKeys());
    register('cli2api.checkCli', () => this.checkCli());
  }

  async start(): Promise<void> {
    if (this.server.state.kind === 'running') {
      void vscode.window.showInformationMessage(`CLI2API is already running at ${this.server.state.url}/v1.`);
      return;
    }
    try {
      await this.server.start();
      void this.refreshCliStatus();
      this.warnIfExposed();
    } catch (e) {
      this.reportStartFailure(e instanceof Error ? e.message : String(e));
    }
  }

  async stop(): Promise<void> {
    if (this.server.state.kind === 'stopped') {
      void vscode.window.showInformationMessage('CLI2API is not running.');
      return;
    }
    await this.server.stop();
  }

  async restart(): Promise<void> {
    await this.server.stop();
    await this.start();
  }

  private async copyBaseUrl(): Promise<void> {
    const state = this.server.state;
    if (state.kind !== 'running') {
      void vscode.window.showWarningMessage('CLI2API is not running: start it first (CLI2API: Start Server).');
      return;
    }
    await vscode.env.clipboard.writeText(`${state.url}/v1`);
    void vscode.window.showInformationMessage(`Copied ${state.url}/v1`);
  }

  private connectClient(): void {
    const state = this.server.state;
    if (state.kind !== 'running') {
      void vscode.window.showWarningMessage('CLI2API is not running: start it first (CLI2API: Start Server).');
      return;
    }
    showConnectPanel(state.url, this.settings.models, this.settings.defaultModel);
  }

  private async showMenu(): Promise<void> {
    const running = this.server.state.kind === 'running';
    const entries: MenuEntry[] = [
      running
        ? { label: '$(debug-stop) Stop Server', command: 'cli2api.stop' }
        : { label: '$(play) Start Server', command: 'cli2api.start' },
      { label: '$(debug-restart) Restart Server', command: 'cli2api.restart' },
      {
        label: '$(clippy) Copy Base URL',
        command: 'cli2api.copyBaseUrl',
        description: running ? `${(this.server.state as { url: string }).url}/v1` : undefined,
      },
      { label: '$(plug) Connect a Client…', command: 'cli2api.connectClient' },
      { label: '$(output) Show Log', command: 'cli2api.showLog' },
      { label: '$(checklist) Check Claude CLI', command: 'cli2api.checkCli' },
      { label: '$(gear) Open Settings', command: 'workbench.action.openSettings', description: SECTION },
    ];
    const pick = await vscode.window.showQuickPick(entries, { title: 'CLI2API', placeHolder: 'Choose an action' });
    if (!pick) return;
    if (pick.command === 'workbench.action.openSettings') await vscode.commands.executeCommand(pick.command, SECTION);
    else await vscode.commands.executeCommand(pick.command);
  }

  /** The doctor: the same report as `cli2api doctor`, in the output channel, and its summary as a notification. */
  private async checkCli(): Promise<void> {
    if (this.checking) {
      void vscode.window.showInformationMessage('CLI2API: the Claude CLI check is already running.');
      return;
    }
    this.checking = true;
    try {
      this.channel.show(true);
      this.channel.appendLine('Checking the Claude Code CLI against a fake API on 127.0.0.1…');
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'CLI2API: checking the Claude CLI…' },
        (progress) =>
          runDoctor({
            settings: this.settings,
            baseEnv: process.env,
            extraCandidates: bundledClaudeBinary(),
            onRow: (row) => progress.report({ message: `${row.ok ? 'PASS' : 'FAIL'} ${row.title}` }),
          }),
      );
      this.channel.appendLine(renderReport(report, { version: VERSION, platform: platformLine() }));
      const show = (m: string) =>
        healthy(report)
          ? vscode.window.showInformationMessage(m, 'Show Report')
          : vscode.window.showWarningMessage(m, 'Show Report');
      void show(`CLI2API: ${summary(report)}`).then((c) => c === 'Show Report' && this.channel.show(true));
    } catch (e) {
      this.channel.error(e instanceof Error ? e : String(e));
      void vscode.window.showErrorMessage(
        `CLI2API: the Claude CLI check failed: ${e instanceof Error ? e.message : e}`,
      );
    } finally {
      this.checking = false;
    }
  }

  private reportStartFailure(message: string): void {
    const state = this.server.state;
    const portInUse = state.kind === 'failed' && state.code === 'EADDRINUSE';
    const actions = portInUse ? ['Change Port', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`CLI2API could not start: ${message}`, ...actions).then((choice) => {
      if (choice === 'Change Port')
        void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.port`);
      if (choice === 'Show Log') this.channel.show(true);
    });
  }

  private warnIfExposed(): void {
    if (this.warnedExposed || isLoopback(this.settings.host)) return;
    this.warnedExposed = true;
    const keys =
      this.apiKeys.length > 0 ? '' : ' No API key is set: anyone who can connect can use your Claude subscription.';
    void vscode.window
      .showWarningMessage(
        `CLI2API listens on ${this.settings.host}, which other machines may reach.${keys}`,
        'Generate API Key',
        'Open Settings',
      )
      .then((c) => {
        if (c === 'Generate API Key') void this.generateApiKey();
        if (c === 'Open Settings')
          void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.host`);
      });
  }

  private async setApiKey(): Promise<void> {
    const member = await this.askMemberName('CLI2API: Set API Key');
    if (member === undefined) return;
    const key = await vscode.window.showInputBox({
      title: 'CLI2API: Set API Key',
      prompt:
        'Clients must then send it as "Authorization: Bearer <key>". Stored in VS Code\'s secret storage, never in settings.json.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim().length >= 8 ? undefined : 'At least 8 characters'),
    });
    if (!key) return;
    await this.addApiKey({ ...(member ? { member } : {}), key: key.trim() });
    void vscode.window.showInformationMessage(
      `CLI2API: API key${member ? ` for ${member}` : ''} saved; /v1 requests now need a key.`,
    );
  }

  private async generateApiKey(): Promise<void> {
    const member = await this.askMemberName('CLI2API: Generate API Key');
    if (member === undefined) return;
    const key = `c2a-${randomBytes(24).toString('base64url')}`;
    await this.addApiKey({ ...(member ? { member } : {}), key });
    await vscode.env.clipboard.writeText(key);
    void vscode.window.showInformationMessage(
      `CLI2API: a new API key${member ? ` for ${member}` : ''} was generated, stored in secret storage and copied to the clipboard.`,
    );
  }

  /** The member a key is for (logs and metrics name it; the key is never logged); '' for none, undefined if cancelled. */
  private askMemberName(title: string): Thenable<string | undefined> {
    return vscode.window
      .showInputBox({
        title,
        prompt: 'Member name, shown in logs and metrics instead of the key (e.g. alice). Leave empty for none.',
        ignoreFocusOut: true,
        validateInput: (v) =>
          v.trim() === '' || MEMBER_NAME.test(v.trim()) ? undefined : "1–64 letters, digits, '.', '_' or '-'",
      })
      .then((v) => v?.trim());
  }

  /** A key given again replaces its old entry (a key belongs to one member). */
  private addApiKey(entry: ApiKey): Thenable<void> {
    return writeApiKeys(this.context.secrets, [...this.apiKeys.filter((k) => k.key !== entry.key), entry]);
  }

  private async clearApiKeys(): Promise<void> {
    await this.context.secrets.delete(SECRET_KEY);
    void vscode.window.showInformationMessage('CLI2API: API keys removed; any key is accepted again.');
  }

  private async reloadKeys(): Promise<void> {
    this.apiKeys = await readApiKeys(this.context.secrets);
    this.onSettingsChanged();
  }

  private onSettingsChanged(): void {
    const before = this.settings;
    this.settings = readSettings((m) => this.warnInvalid(m), this.apiKeys);
    void this.refreshCliStatus();
    const state = this.server.state.kind;
    if (needsRestart(before, this.settings) && (state === 'running' || state === 'failed')) {
      this.channel.info(`Address changed to ${this.settings.host}:${this.settings.port}; restarting`);
      void this.restart();
    }
  }

  private async refreshCliStatus(): Promise<void> {
    this.cliStatus = await this.server.cli.status();
    this.render();
  }

  private warnInvalid(message: string): void {
    this.channel.warn(message);
    void vscode.window.showWarningMessage(`CLI2API: ${message}`);
  }

  /** Stops the server and every CLI child; deactivate awaits this. */
  async shutdown(): Promise<void> {
    await this.server.stop();
    this.dispose();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The native binary inside the Claude Code extension, when it is installed in this editor. */
function bundledClaudeBinary(): string[] {
  const ext = vscode.extensions.getExtension('anthropic.claude-code');
  if (!ext) return [];
  return [
    path.join(ext.extensionPath, 'resources', 'native-binary', process.platform === 'win32' ? 'claude.exe' : 'claude'),
  ];
}

const SECRET_KEY = 'cli2api.apiKeys';

/** Stored as JSON: `{member?, key}` entries; a plain string is a key without a member name (stored by older versions). */
async function readApiKeys(secrets: vscode.SecretStorage): Promise<ApiKey[]> {
  try {
    const raw = await secrets.get(SECRET_KEY);
    const entries: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(entries)) return [];
    const keys: ApiKey[] = [];
    for (const e of entries as unknown[]) {
      const entry = storedKey(e);
      if (entry && !keys.some((k) => k.key === entry.key)) keys.push(entry);
    }
    return keys;
  } catch {
    return [];
  }
}

function storedKey(e: unknown): ApiKey | undefined {
  if (typeof e === 'string') return { key: e };
  if (!e || typeof e !== 'object') return undefined;
  const { member, key } = e as Record<string, unknown>;
  if (typeof key !== 'string') return undefined;
  return typeof member === 'string' && MEMBER_NAME.test(member) ? { member, key } : { key };
}

function writeApiKeys(secrets: vscode.SecretStorage, keys: ApiKey[]): Thenable<void> {
  return secrets.store(SECRET_KEY, JSON.stringify(keys));
}
