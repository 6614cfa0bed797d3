/** GET /v1/usage's body: ISO 8601 resets, 0–1 utilization, overage only when reported. */
import assert from 'node:assert/strict';
import { UsageLimits } from '../../../../src/core/usage-limits';
import { usageBody } from '../../../../src/server/routes/usage';

describe('GET /v1/usage body', () => {
  it('is all nulls before any report', () => {
    assert.deepEqual(usageBody(new UsageLimits().snapshot()), { five_hour: null, seven_day: null, updated_at: null });
  });

  it('renders the windows and extra usage', () => {
    const u = new UsageLimits();
    u.report(
      {
        status: 'allowed_warning',
        window: 'five_hour',
        resetsAt: 1796149130,
        windows: {
          five_hour: { utilization: 0.91, resetsAt: 1796149130, status: 'allowed_warning', surpassedThreshold: 0.9 },
          seven_day: { utilization: 0.4, resetsAt: 1796483930, status: 'allowed', surpassedThreshold: null },
        },
        overage: { status: 'rejected', resetsAt: null, inUse: false, disabledReason: 'org_level_disabled' },
      },
      Date.UTC(2026, 11, 1, 15, 18, 50),
    );
    assert.deepEqual(usageBody(u.snapshot()), {
      five_hour: {
        utilization: 0.91,
        resets_at: '2026-12-01T18:18:50.000Z',
        status: 'allowed_warning',
        surpassed_threshold: 0.9,
      },
      seven_day: { utilization: 0.4, resets_at: '2026-12-05T15:18:50.000Z', status: 'allowed' },
      overage: { status: 'rejected', resets_at: null, in_use: false, disabled_reason: 'org_level_disabled' },
      updated_at: '2026-12-01T15:18:50.000Z',
    });
  });
});
