/**
 * "CLI2API: Check Claude CLI": the doctor (the same report as `cli2api doctor`) in the output
 * channel, its passing checks in the progress notification and its summary as a notification.
 * One check at a time.
 */
import * as vscode from 'vscode';
import type { Settings } from '../config/settings';
import { runDoctor } from '../doctor/doctor';
import { healthy, platformLine, renderReport, summary } from '../doctor/report';
import { VERSION } from '../version';

export class CliDoctor {
  private checking = false;

  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly settings: () => Settings,
    private readonly extraCandidates: () => string[],
  ) {}

  async run(): Promise<void> {
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
            settings: this.settings(),
            baseEnv: process.env,
            extraCandidates: this.extraCandidates(),
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
}
