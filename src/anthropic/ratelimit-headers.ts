/**
 * Anthropic's unified rate-limit response headers, rebuilt from the latest known usage state
 * for Claude-native clients of /v1/messages, as api.anthropic.com sends them to a
 * subscription login: resets in epoch seconds, utilization as a 0–1 fraction. Only what is
 * known goes out; before the first report, nothing.
 */
import { type UsageSnapshot, WINDOWS, type WindowName } from '../core/usage-limits';

const PREFIX = 'anthropic-ratelimit-unified-';
const SHORT: Record<WindowName, string> = { five_hour: '5h', seven_day: '7d' };

export function unifiedRateLimitHeaders(s: UsageSnapshot): Record<string, string> {
  const h: Record<string, string> = {};
  const put = (name: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') h[`${PREFIX}${name}`] = String(value);
  };
  if (s.updatedAt === null) return h;
  put('status', s.status);
  put('reset', s.resetsAt);
  put('representative-claim', s.window);
  for (const name of WINDOWS) {
    const w = s.windows[name];
    if (!w) continue;
    put(`${SHORT[name]}-utilization`, w.utilization);
    put(`${SHORT[name]}-reset`, w.resetsAt);
    put(`${SHORT[name]}-status`, w.status);
    put(`${SHORT[name]}-surpassed-threshold`, w.surpassedThreshold);
  }
  if (s.overage) {
    put('overage-status', s.overage.status);
    put('overage-reset', s.overage.resetsAt);
    put('overage-disabled-reason', s.overage.disabledReason);
    if (s.overage.inUse) put('overage-in-use', 'true');
  }
  return h;
}
