/**
 * GET /v1/usage: where the Claude subscription stands, from the latest usage report the CLI
 * printed — the 5-hour and 7-day windows (utilization as a 0–1 fraction, resets as ISO 8601),
 * extra usage when reported, and when it was reported. Before any report, the windows are null.
 */
import type Router from '@koa/router';
import type { UsageOverage, UsageSnapshot, UsageWindow } from '../../core/usage-limits';
import type { AppDeps } from '../context';

export function registerUsageRoutes(router: Router, deps: AppDeps): void {
  router.get('/v1/usage', (ctx) => {
    ctx.body = usageBody(deps.usage.snapshot());
  });
}

export function usageBody(s: UsageSnapshot) {
  return {
    five_hour: windowBody(s.windows.five_hour),
    seven_day: windowBody(s.windows.seven_day),
    ...(s.overage ? { overage: overageBody(s.overage) } : {}),
    updated_at: s.updatedAt === null ? null : new Date(s.updatedAt).toISOString(),
  };
}

function windowBody(w: UsageWindow | null) {
  if (!w) return null;
  return {
    utilization: w.utilization,
    resets_at: isoSeconds(w.resetsAt),
    status: w.status,
    ...(w.surpassedThreshold !== null ? { surpassed_threshold: w.surpassedThreshold } : {}),
  };
}

function overageBody(o: UsageOverage) {
  return { status: o.status, resets_at: isoSeconds(o.resetsAt), in_use: o.inUse, disabled_reason: o.disabledReason };
}

function isoSeconds(epochSeconds: number | null): string | null {
  return epochSeconds === null ? null : new Date(epochSeconds * 1000).toISOString();
}
