/**
 * The CLI's `rate_limit_event` → the neutral RateLimitReport the usage tracker keeps. Both
 * shapes are read: 2.1.332's `unifiedWindows` gives both windows; 2.1.197 names only the
 * window its verdict is about (`rateLimitType`), with `utilization` only when it warns. The
 * verdict's own status is the CLI's judgement (it warns on its own thresholds), so for that
 * window it wins over the raw per-window header when it is more severe.
 */
import { type RateLimitReport, severer, type UsageWindow, WINDOWS, type WindowName } from '../core/usage-limits';
import type { RateLimitInfo } from './events';

export function rateLimitReport(info: RateLimitInfo): RateLimitReport {
  const windows: Partial<Record<WindowName, UsageWindow>> = {};
  for (const name of WINDOWS) {
    const w = info.unifiedWindows?.[name];
    if (!w) continue;
    windows[name] = {
      utilization: w.utilization ?? null,
      resetsAt: w.resetsAt ?? null,
      status: w.status ?? null,
      surpassedThreshold: w.surpassedThreshold ?? null,
    };
  }
  const verdictWindow = info.rateLimitType ?? null;
  if (isTracked(verdictWindow)) {
    const w = windows[verdictWindow];
    windows[verdictWindow] = {
      utilization: info.utilization ?? w?.utilization ?? null,
      resetsAt: info.resetsAt ?? w?.resetsAt ?? null,
      status: severer(w?.status, info.status),
      surpassedThreshold: info.surpassedThreshold ?? w?.surpassedThreshold ?? null,
    };
  }
  const saysOverage =
    info.overageStatus != null ||
    info.isUsingOverage === true ||
    info.overageResetsAt != null ||
    info.overageDisabledReason != null;
  return {
    status: info.status,
    window: verdictWindow,
    resetsAt: info.resetsAt ?? null,
    windows,
    overage: saysOverage
      ? {
          status: info.overageStatus ?? null,
          resetsAt: info.overageResetsAt ?? null,
          inUse: info.isUsingOverage === true,
          disabledReason: info.overageDisabledReason ?? null,
        }
      : null,
  };
}

function isTracked(window: string | null): window is WindowName {
  return (WINDOWS as readonly string[]).includes(window ?? '');
}
