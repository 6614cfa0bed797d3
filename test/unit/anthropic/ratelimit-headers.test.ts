/** Anthropic's unified rate-limit headers rebuilt from the usage snapshot. */
import assert from 'node:assert/strict';
import { unifiedRateLimitHeaders } from '../../../src/anthropic/ratelimit-headers';
import { UsageLimits } from '../../../src/core/usage-limits';

describe('unified rate-limit headers', () => {
  it('sends nothing before the first report', () => {
    assert.deepEqual(unifiedRateLimitHeaders(new UsageLimits().snapshot()), {});
  });

  it('sends what is known, in the units of the real API (epoch seconds, 0–1)', () => {
    const u = new UsageLimits();
    u.report(
      {
        status: 'allowed_warning',
        window: 'five_hour',
        resetsAt: 1796149130,
        windows: {
          five_hour: { utilization: 0.91, resetsAt: 1796149130, status: 'allowed_warning', surpassedThreshold: 0.9 },
          seven_day: { utilization: null, resetsAt: 1796483930, status: 'allowed', surpassedThreshold: null },
        },
        overage: { status: 'rejected', resetsAt: null, inUse: false, disabledReason: 'org_level_disabled' },
      },
      Date.now(),
    );
    assert.deepEqual(unifiedRateLimitHeaders(u.snapshot()), {
      'anthropic-ratelimit-unified-status': 'allowed_warning',
      'anthropic-ratelimit-unified-reset': '1796149130',
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      'anthropic-ratelimit-unified-5h-utilization': '0.91',
      'anthropic-ratelimit-unified-5h-reset': '1796149130',
      'anthropic-ratelimit-unified-5h-status': 'allowed_warning',
      'anthropic-ratelimit-unified-5h-surpassed-threshold': '0.9',
      'anthropic-ratelimit-unified-7d-reset': '1796483930',
      'anthropic-ratelimit-unified-7d-status': 'allowed',
      'anthropic-ratelimit-unified-overage-status': 'rejected',
      'anthropic-ratelimit-unified-overage-disabled-reason': 'org_level_disabled',
    });
  });
});
