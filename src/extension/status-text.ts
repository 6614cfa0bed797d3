/**
 * What the status bar item says, as plain data: its text, tooltip lines (Markdown), the
 * screen reader label and its tone. Pure, so every state is unit-tested; the StatusBar only
 * hands it to VS Code. To show more, add a field to StatusModel and a line here.
 */
import type { CliStatus } from '../cli/cli-manager';
import type { StatsSnapshot } from '../server/stats';
import { describeHolder, type WindowView } from './sharing/window-server';
import type { UsageView } from './usage-display';

export interface StatusModel {
  view: WindowView;
  stats: StatsSnapshot;
  /** undefined until the first check. */
  cli: CliStatus | undefined;
  liveProcesses: number;
  agent: boolean;
  /** A configured address that was refused (the server stays where it was). */
  refusedAddress?: string;
  /** The subscription's usage windows (usage-display.ts), shown while this window serves. */
  usage?: UsageView;
}

export interface StatusText {
  /** With codicons (`$(name)`). */
  text: string;
  /** Markdown lines of the tooltip. */
  tooltip: string[];
  /** Plain words for screen readers: no codicons, no Markdown. */
  ariaLabel: string;
  tone: 'normal' | 'warning' | 'error';
}

export function statusText(m: StatusModel): StatusText {
  const v = m.view;
  const running = (n: number) => (n > 0 ? ` · ${n} running` : '');
  const cliMissing = m.cli !== undefined && !m.cli.ok;
  const cliUntested = m.cli?.ok === true && m.cli.warning !== undefined;
  switch (v.kind) {
    case 'running': {
      const busy = m.stats.inFlight;
      const icon = cliMissing || cliUntested ? '$(warning)' : m.agent ? '$(tools)' : '$(radio-tower)';
      const usage = m.usage?.suffix ? ` · ${m.usage.suffix}` : '';
      return {
        text: `${icon} CLI2API :${v.port}${m.agent ? ' agent' : ''}${running(busy)}${usage}`,
        tooltip: [
          heading('running'),
          `Base URL: \`${v.url}/v1\``,
          ...cliLines(m.cli),
          `Requests: ${m.stats.inFlight} running, ${m.stats.served} served, ${m.stats.failed} failed${lastError(m.stats)}`,
          `Tokens: ${m.stats.promptTokens} in / ${m.stats.completionTokens} out · cost $${m.stats.costUsd.toFixed(4)}`,
          `CLI processes alive: ${m.liveProcesses}`,
          ...(m.usage && m.usage.tooltip.length > 0 ? ['', ...m.usage.tooltip] : []),
          ...(m.agent ? ['**Agent mode is on**: the CLI may use Claude Code tools in the workspace.'] : []),
          ...refused(m),
          '',
          'Click for commands',
        ],
        ariaLabel: [
          `CLI2API running on port ${v.port}`,
          busy > 0 ? `${busy} ${busy === 1 ? 'request' : 'requests'} running` : '',
          m.agent ? 'agent mode on' : '',
          m.usage?.suffix ? `usage ${m.usage.suffix.replaceAll('5h', '5-hour').replaceAll('7d', 'weekly')}` : '',
          cliMissing ? 'Claude Code CLI not found' : '',
          cliUntested ? 'untested Claude Code CLI version' : '',
        ]
          .filter(Boolean)
          .join(', '),
        tone: cliMissing || cliUntested || m.agent || m.usage?.full ? 'warning' : 'normal',
      };
    }
    case 'elsewhere': {
      const where =
        v.holder.runner.kind === 'vscode'
          ? 'another window'
          : v.holder.runner.kind === 'headless'
            ? 'headless'
            : 'elsewhere';
      return {
        text: `$(radio-tower) CLI2API :${v.port} (${where})`,
        tooltip: [
          heading(`served by ${where}`),
          `Base URL: \`${v.url}/v1\``,
          `${describeHolder(v.holder, v.port)}.`,
          v.holder.runner.kind === 'vscode'
            ? 'This window stands by: it takes over if that window closes or its server stops.'
            : 'This window stands by: it takes over if that server stops.',
          ...refused(m),
          '',
          'Click for commands',
        ],
        ariaLabel: `CLI2API on port ${v.port}, served by ${where}`,
        tone: 'normal',
      };
    }
    case 'starting':
    case 'stopping':
      return {
        text: `$(sync~spin) CLI2API: ${v.kind}…`,
        tooltip: [heading(v.kind), '', 'Click for commands'],
        ariaLabel: `CLI2API ${v.kind}`,
        tone: 'normal',
      };
    case 'stopped':
      return {
        text: '$(circle-slash) CLI2API: stopped',
        tooltip: [
          heading('stopped'),
          v.reason === 'elsewhere'
            ? 'Stopped from another window. Start Server (in any window) serves again.'
            : 'Start Server to serve the API.',
          ...cliLines(m.cli),
          '',
          'Click for commands',
        ],
        ariaLabel: 'CLI2API stopped',
        tone: 'normal',
      };
    case 'conflict':
    case 'failed':
      return {
        text: '$(error) CLI2API: error',
        tooltip: [heading('could not start'), escape(v.message), ...cliLines(m.cli), '', 'Click for commands'],
        ariaLabel: `CLI2API could not start: ${v.message}`,
        tone: 'error',
      };
  }
}

function heading(state: string): string {
  return `**CLI2API** — ${state}`;
}

function cliLines(cli: CliStatus | undefined): string[] {
  if (!cli) return [];
  if (cli.ok)
    return [
      `Claude CLI: ${cli.version} at \`${cli.path}\``,
      ...(cli.warning ? [`**Untested CLI version** — ${escape(cli.warning)}`] : []),
    ];
  return [`Claude CLI: **not found** — ${escape(cli.error ?? 'unknown error')}`];
}

function lastError(s: StatsSnapshot): string {
  return s.lastError ? ` (last: ${s.lastError.status} ${s.lastError.code})` : '';
}

function refused(m: StatusModel): string[] {
  return m.refusedAddress ? [`Setting not applied: ${escape(m.refusedAddress)}`] : [];
}

/** Text from elsewhere (error messages) must not turn into Markdown. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}
