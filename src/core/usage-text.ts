/**
 * Usage windows in words a person understands: "Claude 5-hour usage limit reached; resets at
 * 16:00 UTC (in 58 min)". The server speaks UTC (its clients may be anywhere); the editor
 * passes its own time zone.
 */
import type { UsageNotice } from './usage-limits';

const LABELS: Record<string, string> = {
  five_hour: '5-hour',
  seven_day: 'weekly',
  seven_day_opus: 'weekly Opus',
  seven_day_sonnet: 'weekly Sonnet',
  seven_day_oauth_apps: 'weekly',
  overage: 'extra usage',
};

/** "5-hour", "weekly", …: the window's name as Claude's own messages say it. */
export function windowLabel(window: string): string {
  return LABELS[window] ?? window.replace(/_/g, ' ');
}

/** Whole seconds until `resetsAt` (epoch seconds), at least 1: the Retry-After of a full window. */
export function secondsUntil(resetsAt: number, nowMs: number): number {
  return Math.max(1, Math.ceil(resetsAt - nowMs / 1000));
}

/** "58 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

export interface ClockOptions {
  /** IANA time zone; undefined = the process's local zone. */
  timeZone?: string;
  /** BCP 47 locale; undefined = the process's. */
  locale?: string;
}

/** The reset moment: "16:00" when it is within a day, "Dec 3, 23:14" otherwise (plus " UTC" for UTC). */
export function formatClock(resetsAt: number, nowMs: number, clock: ClockOptions = { timeZone: 'UTC' }): string {
  const withinDay = resetsAt * 1000 - nowMs < 24 * 3600 * 1000;
  const text = new Intl.DateTimeFormat(clock.locale ?? 'en-US', {
    timeZone: clock.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(withinDay ? {} : { month: 'short', day: 'numeric' }),
  }).format(new Date(resetsAt * 1000));
  return clock.timeZone === 'UTC' ? `${text} UTC` : text;
}

/** The reset moment and the time left: "16:00 UTC (in 58 min)". */
export function formatReset(resetsAt: number, nowMs: number, clock: ClockOptions = { timeZone: 'UTC' }): string {
  return `${formatClock(resetsAt, nowMs, clock)} (in ${formatDuration(resetsAt - nowMs / 1000)})`;
}

/**
 * A window's new level for the log or a notification: "Claude 5-hour usage at 91%; resets at
 * 16:00 UTC (in 2 h 58 min)", or "… usage limit reached; …".
 */
export function noticeText(notice: UsageNotice, nowMs: number, clock: ClockOptions = { timeZone: 'UTC' }): string {
  const label = windowLabel(notice.window);
  const reset = notice.resetsAt !== null ? `; resets at ${formatReset(notice.resetsAt, nowMs, clock)}` : '';
  if (notice.status === 'rejected') {
    return notice.usingOverage
      ? `Claude ${label} usage limit reached; requests now draw on extra usage${reset}.`
      : `Claude ${label} usage limit reached${reset}. Requests are refused (429) until then.`;
  }
  const used = notice.utilization !== null ? ` at ${percent(notice.utilization)}` : ' close to its limit';
  return `Claude ${label} usage${used}${reset}.`;
}

/** 0.91 → "91%" (never rounds up to 100% before the window is full). */
export function percent(fraction: number): string {
  return `${Math.min(Math.floor(fraction * 100 + 1e-9), fraction >= 1 ? 100 : 99)}%`;
}
