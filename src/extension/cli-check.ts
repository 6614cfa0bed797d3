/**
 * Is there a usable `claude`? Checked at start, when `cli2api.claudePath` or `cli2api.env`
 * change, after a request failed, and every 30 s while it is missing. When it is missing, a
 * notice says so once (until it is found again), with what to do; when it appears, the
 * notice goes away and the status bar's warning with it — no reload.
 */
import type * as vscode from 'vscode';
import type { CliStatus } from '../cli/cli-manager';
import { Notice } from './notice';

export const INSTALL_URL = 'https://docs.claude.com/en/docs/claude-code/setup';
const RECHECK_MS = 30_000;

export class CliCheck implements vscode.Disposable {
  private current: CliStatus | undefined;
  private readonly notice = new Notice();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CliStatus> | undefined;
  private again = false;

  constructor(
    private readonly status: () => Promise<CliStatus>,
    private readonly log: vscode.LogOutputChannel,
    private readonly onChange: () => void,
  ) {}

  get cli(): CliStatus | undefined {
    return this.current;
  }

  /** Looks again (one look at a time; a request during a look runs once after it). */
  check(): Promise<CliStatus> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.look().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.check();
      }
    });
    return this.running;
  }

  private async look(): Promise<CliStatus> {
    const status = await this.status();
    const before = this.current;
    this.current = status;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (status.ok) {
      if (before && !before.ok) this.log.info(`Claude Code CLI ${status.version} found at ${status.path}`);
      this.notice.close();
    } else {
      if (!before || before.ok || before.error !== status.error)
        this.log.warn(`Claude Code CLI not found: ${status.error}`);
      if (!this.notice.isOpen && (!before || before.ok)) {
        this.notice.show(
          'CLI2API: no Claude Code CLI was found, so requests fail (503 cli_not_found). Install it and log in, or set its path.',
          [
            { label: 'How to install', url: INSTALL_URL },
            { label: 'Set Path', command: 'cli2api.setClaudePath' },
            { label: 'Show Log', command: 'cli2api.showLog' },
          ],
        );
      }
      this.timer = setTimeout(() => void this.check(), RECHECK_MS);
    }
    if (before?.ok !== status.ok || before?.path !== status.path || before?.version !== status.version) this.onChange();
    return status;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.notice.dispose();
  }
}
