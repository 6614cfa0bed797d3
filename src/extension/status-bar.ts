/** The status bar item: state, port and requests in flight; the tooltip has the details. */
import * as vscode from 'vscode';
import type { CliStatus } from '../cli/cli-manager';
import type { ServerState } from '../server/api-server';
import type { StatsSnapshot } from '../server/stats';
import type { UsageView } from './usage-display';

export const MENU_COMMAND = 'cli2api.showMenu';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cli2api.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'CLI2API';
    this.item.command = MENU_COMMAND;
    this.item.show();
  }

  render(
    state: ServerState,
    stats: StatsSnapshot,
    cli: CliStatus | undefined,
    liveProcesses: number,
    agent = false,
    usage?: UsageView,
  ): void {
    const item = this.item;
    item.backgroundColor = undefined;
    const extra = `${stats.inFlight > 0 ? ` · ${stats.inFlight}` : ''}${usage?.suffix ? ` · ${usage.suffix}` : ''}`;
    switch (state.kind) {
      case 'running':
        item.text = `$(radio-tower) CLI2API :${state.port}${extra}`;
        break;
      case 'starting':
        item.text = '$(sync~spin) CLI2API: starting…';
        break;
      case 'stopping':
        item.text = '$(sync~spin) CLI2API: stopping…';
        break;
      case 'stopped':
        item.text = '$(circle-slash) CLI2API: stopped';
        break;
      case 'failed':
        item.text = '$(error) CLI2API: error';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    if (state.kind === 'running' && agent) {
      item.text = `$(tools) CLI2API :${state.port} agent${extra}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    if (state.kind === 'running' && cli && (!cli.ok || cli.warning)) {
      item.text = `$(warning) CLI2API :${state.port}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    if (state.kind === 'running' && usage?.full)
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    item.tooltip = tooltip(state, stats, cli, liveProcesses, usage?.tooltip ?? []);
    if (agent)
      (item.tooltip as vscode.MarkdownString).appendMarkdown(
        '  \n**Agent mode is on**: the CLI may use Claude Code tools in the workspace.',
      );
  }

  dispose(): void {
    this.item.dispose();
  }
}

function tooltip(
  state: ServerState,
  stats: StatsSnapshot,
  cli: CliStatus | undefined,
  live: number,
  usage: string[],
): vscode.MarkdownString {
  const lines: string[] = ['**CLI2API** — OpenAI-compatible API over Claude Code', ''];
  if (state.kind === 'running') lines.push(`Base URL: \`${state.url}/v1\``);
  else lines.push(`Server: ${state.kind}`);
  if (cli?.ok) lines.push(`Claude CLI: ${cli.version} at \`${cli.path}\``);
  else if (cli) lines.push(`Claude CLI: **not available** — ${cli.error}`);
  if (cli?.warning) lines.push(`**Untested CLI version** — ${cli.warning}`);
  lines.push(
    `Requests: ${stats.served} served, ${stats.failed} failed, ${stats.inFlight} in flight`,
    `Tokens: ${stats.promptTokens} in / ${stats.completionTokens} out · cost $${stats.costUsd.toFixed(4)}`,
    `CLI processes alive: ${live}`,
  );
  if (usage.length > 0) lines.push('', ...usage);
  if (state.kind === 'failed') lines.push('', `Last error: ${state.message}`);
  lines.push('', 'Click for commands');
  const md = new vscode.MarkdownString(lines.join('  \n'));
  md.isTrusted = false;
  return md;
}
