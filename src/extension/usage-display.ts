/**
 * The subscription's usage windows in the editor, as plain strings (no `vscode`, so they are
 * unit-tested): the status bar suffix when a window is worth showing (`5h 91%`, `5h full`),
 * the tooltip lines with both windows and their resets in local time, and the notifications
 * due once per window and level (past the `warnAt` threshold, then full).
 */
import { type UsageSnapshot, type UsageWindow, usingOverage, WINDOWS, type WindowName } from '../core/usage-limits';
import { type ClockOptions, formatClock, formatReset, percent, windowLabel } from '../core/usage-text';

const SHORT: Record<WindowName, string> = { five_hour: '5h', seven_day: '7d' };

export interface UsageView {
  /** For the status bar text, e.g. `5h 91%`; empty when no window is worth showing. */
  suffix: string;
  /** Markdown lines for the tooltip; empty before any usage report. */
  tooltip: string[];
  /** A window refuses requests right now. */
  full: boolean;
}

export interface UsageAlert {
  /** Once per window instance and level. */
  key: string;
  level: 'warning' | 'full';
  text: string;
}

/** A window still counts while its reset is ahead (after it, a new window has begun that nobody has reported). */
function current(w: UsageWindow | null, nowMs: number): w is UsageWindow {
  return w !== null && (w.resetsAt === null || w.resetsAt * 1000 > nowMs);
}

function isFull(w: UsageWindow, snapshot: UsageSnapshot): boolean {
  return w.status === 'rejected' && !usingOverage(snapshot.overage);
}

function pastThreshold(w: UsageWindow, warnAt: number): boolean {
  if (w.status === 'rejected') return true;
  if (w.utilization !== null) return w.utilization >= warnAt;
  return w.status === 'allowed_warning';
}

export function usageView(snapshot: UsageSnapshot, nowMs: number, warnAt: number, clock: ClockOptions = {}): UsageView {
  const parts: string[] = [];
  const tooltip: string[] = [];
  let full = false;
  for (const name of WINDOWS) {
    const w = snapshot.windows[name];
    if (!current(w, nowMs)) continue;
    const windowFull = isFull(w, snapshot);
    full ||= windowFull;
    if (pastThreshold(w, warnAt))
      parts.push(
        `${SHORT[name]} ${windowFull ? 'full' : w.utilization !== null ? percent(w.utilization) : 'near limit'}`,
      );
    const used = windowFull
      ? '**full** (requests get 429)'
      : w.status === 'rejected'
        ? 'full, drawing on extra usage'
        : w.utilization !== null
          ? `${percent(w.utilization)} used`
          : w.status === 'allowed_warning'
            ? 'close to its limit'
            : 'in use';
    const reset = w.resetsAt !== null ? ` · resets ${formatClock(w.resetsAt, nowMs, clock)}` : '';
    tooltip.push(`Claude ${windowLabel(name)} window: ${used}${reset}`);
  }
  if (snapshot.updatedAt !== null) {
    tooltip.push(
      `Usage as of ${formatClock(snapshot.updatedAt / 1000, nowMs, clock)}. The cost above is the CLI's estimate at API prices, not a charge: a Claude subscription is limited by these windows.`,
    );
  }
  return { suffix: parts.join(' · '), tooltip, full };
}

/** Notifications not shown yet (`shown` holds the keys of those that were): past `warnAt`, then full. */
export function usageAlerts(
  snapshot: UsageSnapshot,
  nowMs: number,
  warnAt: number,
  shown: ReadonlySet<string>,
  clock: ClockOptions = {},
): UsageAlert[] {
  const out: UsageAlert[] = [];
  for (const name of WINDOWS) {
    const w = snapshot.windows[name];
    if (!current(w, nowMs) || !pastThreshold(w, warnAt)) continue;
    const label = windowLabel(name);
    const reset = w.resetsAt !== null ? formatReset(w.resetsAt, nowMs, clock) : undefined;
    const level = w.status === 'rejected' ? 'full' : 'warning';
    const key = `${name}|${w.resetsAt ?? 0}|${level}`;
    if (shown.has(key)) continue;
    const text =
      level === 'warning'
        ? `Claude ${label} usage ${w.utilization !== null ? `at ${percent(w.utilization)}` : 'close to its limit'}${reset ? `; resets at ${reset}` : ''}.`
        : isFull(w, snapshot)
          ? `Claude ${label} usage limit reached: requests get 429${reset ? ` until ${reset}` : ''}.`
          : `Claude ${label} usage limit reached: requests now draw on extra usage${reset ? ` until ${reset}` : ''}.`;
    out.push({ key, level, text });
  }
  return out;
}

/** When the display changes by itself: the next reset of a reported window (epoch ms), if any. */
export function nextReset(snapshot: UsageSnapshot, nowMs: number): number | undefined {
  const resets = WINDOWS.map((n) => snapshot.windows[n]?.resetsAt)
    .filter((r): r is number => typeof r === 'number' && r * 1000 > nowMs)
    .map((r) => r * 1000);
  return resets.length > 0 ? Math.min(...resets) : undefined;
}
