/**
 * Usage windows in the editor over time: a notification once per window and level (past
 * `cli2api.usage.warnAt`, then full, with the reset time), and a re-render when a shown
 * window resets. Owns its one timer.
 */
import * as vscode from 'vscode';
import type { UsageLimits } from '../core/usage-limits';
import { SECTION } from './config';
import { nextReset, usageAlerts } from './usage-display';

const DEFAULT_WARN_AT = 0.8;

/** `cli2api.usage.warnAt` (0–1): from here on a window shows in the status bar and is announced. */
export function warnAt(): number {
  const v = vscode.workspace.getConfiguration(SECTION).get<number>('usage.warnAt', DEFAULT_WARN_AT);
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : DEFAULT_WARN_AT;
}

export class UsageNotices implements vscode.Disposable {
  private readonly shown = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly off: () => void;

  constructor(
    private readonly usage: UsageLimits,
    /** Re-renders the status bar. */
    private readonly render: () => void,
  ) {
    this.off = usage.onDidChange(() => this.update());
  }

  private update(): void {
    const now = Date.now();
    const snapshot = this.usage.snapshot();
    for (const alert of usageAlerts(snapshot, now, warnAt(), this.shown)) {
      this.shown.add(alert.key);
      void vscode.window.showWarningMessage(`CLI2API: ${alert.text}`);
    }
    clearTimeout(this.timer);
    const at = nextReset(snapshot, now);
    // Past its reset a window leaves the status bar; timers beyond ~24 days overflow, and nothing is due that late.
    if (at !== undefined && at - now < 2 ** 31 - 1) this.timer = setTimeout(() => this.update(), at - now + 1000);
    this.render();
  }

  dispose(): void {
    this.off();
    clearTimeout(this.timer);
  }
}
