/**
 * The extension's one owner object: it joins `context.subscriptions` and owns the log
 * channel, the settings, the API keys, the server and its place among the windows
 * (WindowServer), the status bar, the CLI check and the doctor, the usage notices, the
 * start-problem notice and the Connect panel; it registers every command once and routes the events between them.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { ApiServer, isLoopback } from '../server/api-server';
import { userTempDir } from '../util/user-dir';
import { ApiKeys } from './api-keys';
import { CliCheck } from './cli-check';
import { CliDoctor } from './cli-doctor';
import { prewarmSetting, SECTION } from './config';
import { ConnectPanel } from './connect/connect-panel';
import type { PanelState } from './connect/panel-html';
import { channelLogger } from './log';
import { showMenu } from './menu';
import { ServerCommands } from './server-commands';
import { SettingsSource } from './settings-source';
import { probeHost } from './sharing/port-holder';
import { StopMarker } from './sharing/stop-marker';
import { describeHolder, WindowServer } from './sharing/window-server';
import { choosePort, StartProblems } from './start-problems';
import { MENU_COMMAND, StatusBar } from './status-bar';
import { statusText } from './status-text';
import { usageView } from './usage-display';
import { UsageNotices, warnAt } from './usage-notices';

export class Controller implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel = vscode.window.createOutputChannel('CLI2API', { log: true });
  private readonly source: SettingsSource;
  private readonly keys: ApiKeys;
  private readonly server: ApiServer;
  private readonly window: WindowServer;
  private readonly statusBar = new StatusBar();
  private readonly cli: CliCheck;
  private readonly problems = new StartProblems();
  private readonly panel: ConnectPanel;
  private readonly doctor: CliDoctor;
  private readonly commands: ServerCommands;
  private warnedExposed = false;

  constructor(context: vscode.ExtensionContext) {
    this.source = new SettingsSource(this.channel);
    const logger = channelLogger(this.channel, () => this.source.settings.logLevel);
    this.server = new ApiServer({
      settings: () => this.source.settings,
      logger,
      extraCliCandidates: () => bundledClaudeBinary(),
      runner: () => ({ kind: 'vscode', workspace: vscode.workspace.name }),
      prewarm: prewarmSetting,
    });
    this.window = new WindowServer({
      server: this.server,
      address: () => this.source.address,
      marker: new StopMarker(userTempDir()),
      logger,
    });
    this.keys = new ApiKeys(context.secrets, (keys) => this.source.setApiKeys(keys));
    this.cli = new CliCheck(
      () => this.server.cli.status(),
      this.channel,
      () => this.render(),
    );
    this.panel = new ConnectPanel(() => this.panelState(), this.channel);
    this.doctor = new CliDoctor(
      this.channel,
      () => this.source.settings,
      () => bundledClaudeBinary(),
    );
    this.commands = new ServerCommands(this.window, this.channel, () => this.server.stats.snapshot().inFlight);
    this.disposables.push(this.channel, this.source, this.keys, this.statusBar, this.cli, this.problems, this.panel);
    this.disposables.push(new UsageNotices(this.server.usage, () => this.render()));

    const offView = this.window.onDidChange((view) => {
      this.render();
      this.panel.refresh();
      this.problems.update(view);
      if (view.kind === 'running') this.warnIfExposed();
    });
    const offStats = this.server.stats.onDidChange((outcome) => {
      this.render();
      // A failed request may mean the CLI went missing; any request while it is missing may mean it is back.
      if (outcome && ((!outcome.ok && (outcome.status ?? 500) >= 500) || this.cli.cli?.ok === false))
        void this.cli.check();
    });
    this.disposables.push(
      { dispose: offView },
      { dispose: offStats },
      this.source.onDidChange((e) => {
        this.render();
        this.panel.refresh();
        // CLI processes kept from before, started under other settings (agent mode, env, CLI path), are stopped.
        void this.server.settingsChanged();
        if (e && (e.affectsConfiguration(`${SECTION}.claudePath`) || e.affectsConfiguration(`${SECTION}.env`)))
          void this.cli.check();
      }),
      this.source.onDidMove(() => void this.window.moved()),
    );
    this.registerCommands();
    this.render();
  }

  /** Reads the API keys, checks the CLI and starts (or stands by) unless `cli2api.autoStart` is off. */
  async activate(): Promise<void> {
    this.source.setApiKeys(await this.keys.load());
    void this.cli.check();
    if (vscode.workspace.getConfiguration(SECTION).get<boolean>('autoStart', true)) await this.window.start('auto');
  }

  private registerCommands(): void {
    const register = (id: string, fn: (...args: never[]) => unknown) =>
      this.disposables.push(vscode.commands.registerCommand(id, fn));
    register('cli2api.start', () => this.commands.start());
    register('cli2api.stop', () => this.commands.stop());
    register('cli2api.restart', () => this.commands.restart());
    register('cli2api.showLog', () => this.commands.showLog());
    register('cli2api.copyBaseUrl', () => this.commands.copyBaseUrl());
    register('cli2api.connectClient', () => this.panel.show());
    register('cli2api.setApiKey', () => this.keys.set());
    register('cli2api.generateApiKey', () => this.keys.generate());
    register('cli2api.clearApiKeys', () => this.keys.clear());
    register('cli2api.setClaudePath', () => this.setClaudePath());
    register('cli2api.checkCli', () => this.doctor.run());
    register('cli2api.choosePort', (scope?: 'workspace' | 'user') => choosePort(this.source.address, scope));
    register(MENU_COMMAND, () => {
      void this.cli.check();
      return showMenu(this.window.view, this.server.stats.snapshot().inFlight);
    });
  }

  private render(): void {
    this.statusBar.render(
      statusText({
        view: this.window.view,
        stats: this.server.stats.snapshot(),
        cli: this.cli?.cli,
        liveProcesses: this.server.cli.liveProcesses,
        agent: this.source.settings.agentTools.length > 0,
        refusedAddress: this.source.refused,
        usage: usageView(this.server.usage.snapshot(), Date.now(), warnAt()),
      }),
    );
  }

  private panelState(): PanelState {
    const view = this.window.view;
    const { host, port } = this.source.address;
    const settings = this.source.settings;
    const baseUrl =
      view.kind === 'running' || view.kind === 'elsewhere' ? view.url : `http://${bracket(probeHost(host))}:${port}`;
    const server =
      view.kind === 'running'
        ? 'The server runs in this window.'
        : view.kind === 'elsewhere'
          ? `${describeHolder(view.holder, view.port)}.`
          : view.kind === 'conflict' || view.kind === 'failed'
            ? `The server could not start: ${view.message}`
            : view.kind === 'stopped'
              ? 'The server is stopped: these settings work once it runs (CLI2API: Start Server).'
              : `The server is ${view.kind}…`;
    return {
      info: {
        baseUrl,
        models: settings.models,
        defaultModel: settings.defaultModel,
        apiKey: this.keys.current[0]?.key,
      },
      server,
      running: view.kind === 'running' || view.kind === 'elsewhere',
    };
  }

  private async setClaudePath(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'CLI2API: the claude executable',
      openLabel: 'Use This CLI',
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
    });
    const file = picked?.[0]?.fsPath;
    if (!file) return;
    await vscode.workspace.getConfiguration(SECTION).update('claudePath', file, vscode.ConfigurationTarget.Global);
    const status = await this.cli.check();
    if (status.ok)
      void vscode.window.showInformationMessage(`CLI2API uses Claude Code CLI ${status.version} at ${status.path}.`);
    else void vscode.window.showErrorMessage(`CLI2API: ${status.error}`);
  }

  private warnIfExposed(): void {
    const { host } = this.source.settings;
    if (this.warnedExposed || isLoopback(host)) return;
    this.warnedExposed = true;
    const keys =
      this.keys.current.length > 0
        ? ''
        : ' No API key is set: anyone who can connect can use your Claude subscription.';
    void vscode.window
      .showWarningMessage(
        `CLI2API listens on ${host}, which other machines may reach.${keys}`,
        'Generate API Key',
        'Open Settings',
      )
      .then((c) => {
        if (c === 'Generate API Key') void this.keys.generate();
        if (c === 'Open Settings')
          void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.host`);
      });
  }

  /** Stops this window's server (another window takes over) and every CLI child; deactivate awaits this. */
  async shutdown(): Promise<void> {
    await this.window.release();
    this.dispose();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The native binary inside the Claude Code extension, when it is installed in this editor. */
function bundledClaudeBinary(): string[] {
  const ext = vscode.extensions.getExtension('anthropic.claude-code');
  if (!ext) return [];
  return [
    path.join(ext.extensionPath, 'resources', 'native-binary', process.platform === 'win32' ? 'claude.exe' : 'claude'),
  ];
}
