/**
 * Where the Claude subscription stands: the latest usage windows Anthropic reported (5-hour,
 * 7-day, extra usage), kept in one place. The CLI layer reports what the CLI saw; the server
 * answers `GET /v1/usage`, refuses requests while a window is full and rebuilds Anthropic's
 * headers from it; the editor shows it. No timers: "full" is decided against the clock of
 * the caller, so a window whose reset has passed simply stops counting.
 */
import { ApiError } from './api-error';
import { formatReset, secondsUntil, windowLabel } from './usage-text';

/** The windows CLI2API tracks by name; a report may name others (seven_day_opus, …) as its verdict's window. */
export const WINDOWS = ['five_hour', 'seven_day'] as const;
export type WindowName = (typeof WINDOWS)[number];

export interface UsageWindow {
  /** Fraction used, 0–1; null when the report did not say. */
  utilization: number | null;
  /** Epoch seconds. */
  resetsAt: number | null;
  /** `allowed`, `allowed_warning` or `rejected` (null: not reported). */
  status: string | null;
  /** The warning threshold Anthropic says was passed, when it says so. */
  surpassedThreshold: number | null;
}

/** Extra usage ("overage"): what lets requests through once a plan window is full. */
export interface UsageOverage {
  status: string | null;
  resetsAt: number | null;
  inUse: boolean;
  disabledReason: string | null;
}

/** One observation: the overall verdict, the window it is about, and what is known of each window. */
export interface RateLimitReport {
  status: string;
  window: string | null;
  resetsAt: number | null;
  windows: Partial<Record<WindowName, UsageWindow>>;
  /** Null when the report says nothing about extra usage. */
  overage: UsageOverage | null;
}

export interface UsageSnapshot {
  windows: Record<WindowName, UsageWindow | null>;
  overage: UsageOverage | null;
  /** The latest overall verdict, the window it names and that window's reset (epoch seconds). */
  status: string | null;
  window: string | null;
  resetsAt: number | null;
  /** Epoch milliseconds of the latest report; null before any. */
  updatedAt: number | null;
}

/** A window that refuses requests until `resetsAt` (epoch seconds). */
export interface FullWindow {
  window: string;
  resetsAt: number;
}

/** A window that reached a new level (warning or full) since it was last announced. */
export interface UsageNotice {
  window: string;
  status: 'allowed_warning' | 'rejected';
  utilization: number | null;
  resetsAt: number | null;
  /** The plan window is full but extra usage keeps requests going. */
  usingOverage: boolean;
}

/** The 429 for a full window: Retry-After until its reset, and a message that names both. */
export class UsageLimitError extends ApiError {
  constructor(
    readonly window: string,
    readonly resetsAt: number,
    nowMs: number,
  ) {
    super(
      429,
      `Claude ${windowLabel(window)} usage limit reached; resets at ${formatReset(resetsAt, nowMs)}.`,
      'rate_limit_exceeded',
      null,
      { 'Retry-After': String(secondsUntil(resetsAt, nowMs)) },
    );
    this.name = 'UsageLimitError';
  }
}

const SEVERITY: Record<string, number> = { allowed: 0, allowed_warning: 1, rejected: 2 };

/** The more severe of two statuses (unknown values rank as `allowed`). */
export function severer(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return (SEVERITY[b] ?? 0) > (SEVERITY[a] ?? 0) ? b : a;
}

export class UsageLimits {
  private state: UsageSnapshot = {
    windows: { five_hour: null, seven_day: null },
    overage: null,
    status: null,
    window: null,
    resetsAt: null,
    updatedAt: null,
  };
  /** `window|resetsAt|status` already announced: a warning is news once per window and level. */
  private announced = new Set<string>();
  private listeners = new Set<() => void>();

  snapshot(): UsageSnapshot {
    return structuredClone(this.state);
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes one report; returns the windows that reached a level not announced before. */
  report(report: RateLimitReport, nowMs: number): UsageNotice[] {
    const s = this.state;
    for (const name of WINDOWS) {
      const w = report.windows[name];
      if (w) s.windows[name] = { ...w };
    }
    if (report.overage) s.overage = { ...report.overage };
    s.status = report.status;
    s.window = report.window;
    s.resetsAt = report.resetsAt;
    s.updatedAt = nowMs;
    const notices = this.news(nowMs);
    for (const l of this.listeners) l();
    return notices;
  }

  /** The window that refuses requests now, if one does: full, its reset ahead, and no extra usage to fall back on. */
  full(nowMs: number): FullWindow | undefined {
    const s = this.state;
    if (s.status !== 'rejected' || s.resetsAt === null || s.resetsAt * 1000 <= nowMs) return undefined;
    if (usingOverage(s.overage)) return undefined;
    return { window: s.window ?? 'five_hour', resetsAt: s.resetsAt };
  }

  /** The 429 to answer now, while a window is full. */
  rejection(nowMs: number): UsageLimitError | undefined {
    const full = this.full(nowMs);
    return full && new UsageLimitError(full.window, full.resetsAt, nowMs);
  }

  private news(nowMs: number): UsageNotice[] {
    const s = this.state;
    const levels = new Map<string, { status: string | null; utilization: number | null; resetsAt: number | null }>();
    for (const name of WINDOWS) {
      const w = s.windows[name];
      if (w) levels.set(name, w);
    }
    if (s.window && !levels.has(s.window))
      levels.set(s.window, { status: s.status, utilization: null, resetsAt: s.resetsAt });
    for (const key of this.announced) {
      const resetsAt = Number(key.split('|')[1]);
      if (resetsAt > 0 && resetsAt * 1000 <= nowMs) this.announced.delete(key);
    }
    const out: UsageNotice[] = [];
    for (const [window, w] of levels) {
      if (w.status !== 'allowed_warning' && w.status !== 'rejected') continue;
      const key = `${window}|${w.resetsAt ?? 0}|${w.status}`;
      if (this.announced.has(key)) continue;
      this.announced.add(key);
      out.push({
        window,
        status: w.status,
        utilization: w.utilization,
        resetsAt: w.resetsAt,
        usingOverage: w.status === 'rejected' && usingOverage(s.overage),
      });
    }
    return out;
  }
}

/** Extra usage lets requests through although a plan window is full. */
export function usingOverage(o: UsageOverage | null): boolean {
  return o !== null && (o.inUse || o.status === 'allowed' || o.status === 'allowed_warning');
}
