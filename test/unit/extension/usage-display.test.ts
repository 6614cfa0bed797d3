/** The usage windows in the editor: status bar suffix, tooltip lines, notifications due. */
import assert from 'node:assert/strict';
import { type RateLimitReport, type UsageSnapshot, UsageLimits } from '../../../src/core/usage-limits';
import { nextReset, usageAlerts, usageView } from '../../../src/extension/usage-display';

const NOW = Date.UTC(2026, 11, 1, 15, 2, 0); // 15:02 UTC
const SEC = NOW / 1000;
const UTC = { timeZone: 'UTC', locale: 'en-US' };
const BERLIN = { timeZone: 'Europe/Berlin', locale: 'en-US' };

function snapshot(
  fiveHour: [number | null, string],
  sevenDay: [number | null, string] = [0.4, 'allowed'],
  over: Partial<RateLimitReport> = {},
): UsageSnapshot {
  const u = new UsageLimits();
  u.report(
    {
      status: fiveHour[1],
      window: 'five_hour',
      resetsAt: SEC + 58 * 60,
      windows: {
        five_hour: { utilization: fiveHour[0], resetsAt: SEC + 58 * 60, status: fiveHour[1], surpassedThreshold: null },
        seven_day: {
          utilization: sevenDay[0],
          resetsAt: SEC + 4 * 86400,
          status: sevenDay[1],
          surpassedThreshold: null,
        },
      },
      overage: null,
      ...over,
    },
    NOW,
  );
  return u.snapshot();
}

describe('usage in the editor', () => {
  it('shows nothing before any report', () => {
    assert.deepEqual(usageView(new UsageLimits().snapshot(), NOW, 0.8, UTC), { suffix: '', tooltip: [], full: false });
    assert.deepEqual(usageAlerts(new UsageLimits().snapshot(), NOW, 0.8, new Set(), UTC), []);
  });

  it('shows the 5-hour window in the status bar from the threshold up, with both windows in the tooltip (local time)', () => {
    assert.equal(usageView(snapshot([0.5, 'allowed']), NOW, 0.8, UTC).suffix, '');
    const view = usageView(snapshot([0.91, 'allowed_warning']), NOW, 0.8, BERLIN);
    assert.equal(view.suffix, '5h 91%');
    assert.equal(view.full, false);
    assert.deepEqual(view.tooltip.slice(0, 2), [
      'Claude 5-hour window: 91% used · resets 17:00',
      'Claude weekly window: 40% used · resets Dec 5, 16:02',
    ]);
    assert.match(
      view.tooltip[2]!,
      /^Usage as of 16:02\. The cost above is the CLI's estimate at API prices, not a charge/,
    );
  });

  it('shows both windows when both passed the threshold, and "full" for a full one', () => {
    assert.equal(
      usageView(snapshot([0.85, 'allowed'], [0.8, 'allowed_warning']), NOW, 0.8, UTC).suffix,
      '5h 85% · 7d 80%',
    );
    const full = usageView(snapshot([1, 'rejected'], [0.4, 'allowed'], { status: 'rejected' }), NOW, 0.8, UTC);
    assert.equal(full.suffix, '5h full');
    assert.equal(full.full, true);
    assert.equal(full.tooltip[0], 'Claude 5-hour window: **full** (requests get 429) · resets 16:00 UTC');
  });

  it('does not call a window carried by extra usage full', () => {
    const s = snapshot([1, 'rejected'], [0.4, 'allowed'], {
      status: 'rejected',
      overage: { status: 'allowed', resetsAt: null, inUse: true, disabledReason: null },
    });
    const view = usageView(s, NOW, 0.8, UTC);
    assert.equal(view.full, false);
    assert.equal(view.tooltip[0], 'Claude 5-hour window: full, drawing on extra usage · resets 16:00 UTC');
  });

  it('forgets a window once its reset has passed', () => {
    const s = snapshot([1, 'rejected'], [0.4, 'allowed'], { status: 'rejected' });
    const later = (SEC + 58 * 60 + 1) * 1000;
    assert.equal(usageView(s, later, 0.8, UTC).suffix, '');
    assert.equal(usageView(s, later, 0.8, UTC).full, false);
    assert.equal(nextReset(s, NOW), (SEC + 58 * 60) * 1000);
    assert.equal(nextReset(s, later), (SEC + 4 * 86400) * 1000);
  });

  it('announces a window once past the threshold and once when full, with the reset time', () => {
    const shown = new Set<string>();
    const warn = usageAlerts(snapshot([0.91, 'allowed_warning']), NOW, 0.8, shown, UTC);
    assert.deepEqual(
      warn.map((a) => [a.level, a.text]),
      [['warning', 'Claude 5-hour usage at 91%; resets at 16:00 UTC (in 58 min).']],
    );
    for (const a of warn) shown.add(a.key);
    assert.deepEqual(usageAlerts(snapshot([0.95, 'allowed_warning']), NOW, 0.8, shown, UTC), [], 'once per level');
    const full = usageAlerts(snapshot([1, 'rejected'], [0.4, 'allowed'], { status: 'rejected' }), NOW, 0.8, shown, UTC);
    assert.deepEqual(
      full.map((a) => [a.level, a.text]),
      [['full', 'Claude 5-hour usage limit reached: requests get 429 until 16:00 UTC (in 58 min).']],
    );
  });

  it('follows the threshold setting', () => {
    assert.deepEqual(usageAlerts(snapshot([0.85, 'allowed']), NOW, 0.9, new Set(), UTC), []);
    assert.equal(usageAlerts(snapshot([0.85, 'allowed']), NOW, 0.5, new Set(), UTC).length, 1);
  });
});
