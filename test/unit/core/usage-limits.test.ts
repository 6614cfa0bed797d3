/** The usage tracker: latest windows, when a window refuses, and what is news for the log. */
import assert from 'node:assert/strict';
import { type RateLimitReport, UsageLimitError, UsageLimits } from '../../../src/core/usage-limits';

const NOW = Date.UTC(2026, 11, 1, 15, 2, 0); // 15:02 UTC
const SEC = NOW / 1000;

function report(over: Partial<RateLimitReport> = {}): RateLimitReport {
  return {
    status: 'allowed',
    window: 'five_hour',
    resetsAt: SEC + 3600,
    windows: {
      five_hour: { utilization: 0.2, resetsAt: SEC + 3600, status: 'allowed', surpassedThreshold: null },
      seven_day: { utilization: 0.1, resetsAt: SEC + 4 * 86400, status: 'allowed', surpassedThreshold: null },
    },
    overage: null,
    ...over,
  };
}

const fullFiveHour = (resetsAt: number, overage: RateLimitReport['overage'] = null) =>
  report({
    status: 'rejected',
    resetsAt,
    windows: { five_hour: { utilization: 1, resetsAt, status: 'rejected', surpassedThreshold: null } },
    overage,
  });

describe('usage limits', () => {
  it('knows nothing before the first report', () => {
    const u = new UsageLimits();
    assert.deepEqual(u.snapshot(), {
      windows: { five_hour: null, seven_day: null },
      overage: null,
      status: null,
      window: null,
      resetsAt: null,
      updatedAt: null,
    });
    assert.equal(u.full(NOW), undefined);
  });

  it('keeps the latest report, and a window a report does not name as it was', () => {
    const u = new UsageLimits();
    let changes = 0;
    u.onDidChange(() => changes++);
    u.report(report(), NOW);
    u.report(
      report({
        windows: { five_hour: { utilization: 0.5, resetsAt: SEC + 3600, status: 'allowed', surpassedThreshold: null } },
      }),
      NOW + 1000,
    );
    const s = u.snapshot();
    assert.equal(s.windows.five_hour?.utilization, 0.5);
    assert.equal(s.windows.seven_day?.utilization, 0.1);
    assert.equal(s.updatedAt, NOW + 1000);
    assert.equal(changes, 2);
  });

  it('refuses while a window is full and its reset is ahead; not after the reset', () => {
    const u = new UsageLimits();
    u.report(fullFiveHour(SEC + 3480), NOW);
    assert.deepEqual(u.full(NOW), { window: 'five_hour', resetsAt: SEC + 3480 });
    assert.equal(u.full((SEC + 3480) * 1000), undefined);
  });

  it('does not refuse when extra usage carries the requests', () => {
    const u = new UsageLimits();
    u.report(fullFiveHour(SEC + 3600, { status: 'allowed', resetsAt: null, inUse: true, disabledReason: null }), NOW);
    assert.equal(u.full(NOW), undefined);
  });

  it('words the refusal: the window, the reset in UTC, the time left, Retry-After in whole seconds', () => {
    const u = new UsageLimits();
    u.report(fullFiveHour(SEC + 3480), NOW); // 16:00 UTC
    const e = u.rejection(NOW);
    assert.ok(e instanceof UsageLimitError);
    assert.equal(e.status, 429);
    assert.equal(e.code, 'rate_limit_exceeded');
    assert.equal(e.message, 'Claude 5-hour usage limit reached; resets at 16:00 UTC (in 58 min).');
    assert.deepEqual(e.headers, { 'Retry-After': '3480' });
    assert.equal(u.rejection(NOW + 500)?.headers['Retry-After'], '3480', 'rounded up, never down to early');
  });

  it('announces a warning once per window and level, and again for a new level or window instance', () => {
    const u = new UsageLimits();
    const warn = (utilization: number, resetsAt = SEC + 3600) =>
      report({
        status: 'allowed_warning',
        resetsAt,
        windows: { five_hour: { utilization, resetsAt, status: 'allowed_warning', surpassedThreshold: null } },
      });
    assert.deepEqual(u.report(report(), NOW), []);
    assert.deepEqual(u.report(warn(0.91), NOW), [
      { window: 'five_hour', status: 'allowed_warning', utilization: 0.91, resetsAt: SEC + 3600, usingOverage: false },
    ]);
    assert.deepEqual(u.report(warn(0.95), NOW), [], 'the same level in the same window');
    assert.equal(u.report(fullFiveHour(SEC + 3600), NOW)[0]?.status, 'rejected');
    assert.equal(u.report(warn(0.9, SEC + 3600 + 5 * 3600), NOW).length, 1, 'the next 5-hour window');
  });

  it('announces a verdict about a window it does not track by name', () => {
    const u = new UsageLimits();
    const notices = u.report(report({ status: 'allowed_warning', window: 'seven_day_opus', windows: {} }), NOW);
    assert.deepEqual(notices, [
      {
        window: 'seven_day_opus',
        status: 'allowed_warning',
        utilization: null,
        resetsAt: SEC + 3600,
        usingOverage: false,
      },
    ]);
  });
});
