/** rate_limit_event → RateLimitReport, on lines recorded from both CLI versions. */
import assert from 'node:assert/strict';
import type { CliLine, RateLimitInfo } from '../../../src/cli/events';
import { rateLimitReport } from '../../../src/cli/rate-limit-report';
import { recorded } from '../../support/recorded';

function infos(version: string): RateLimitInfo[] {
  return recorded(`rate-limit-events-${version}`).map((l: CliLine) => {
    assert.ok(l.type === 'rate_limit_event');
    return l.rate_limit_info;
  });
}

describe('rate limit reports from the CLI', () => {
  describe('2.1.332 (unifiedWindows)', () => {
    const [allowed, warn91, warn95, rejected, , overage, weekly] = infos('2.1.332');

    it('reads both windows of an allowed event', () => {
      const r = rateLimitReport(allowed!);
      assert.equal(r.status, 'allowed');
      assert.equal(r.window, 'five_hour');
      assert.deepEqual(r.windows, {
        five_hour: { utilization: 0.2, resetsAt: 1796150301, status: 'allowed', surpassedThreshold: null },
        seven_day: { utilization: 0.1, resetsAt: 1796485101, status: 'allowed', surpassedThreshold: null },
      });
      assert.equal(r.overage, null, 'this event says nothing about extra usage');
    });

    it('reads a 5-hour warning and its utilization', () => {
      for (const [info, u] of [
        [warn91!, 0.91],
        [warn95!, 0.95],
      ] as const) {
        const r = rateLimitReport(info);
        assert.equal(r.status, 'allowed_warning');
        assert.deepEqual(r.windows.five_hour, {
          utilization: u,
          resetsAt: 1796150301,
          status: 'allowed_warning',
          surpassedThreshold: null,
        });
        assert.equal(r.windows.seven_day?.utilization, 0.4);
      }
    });

    it('reads a refusal with its extra usage state', () => {
      const r = rateLimitReport(rejected!);
      assert.equal(r.status, 'rejected');
      assert.equal(r.resetsAt, 1796143055);
      assert.equal(r.windows.five_hour?.status, 'rejected');
      assert.equal(r.windows.five_hour?.utilization, 1);
      assert.deepEqual(r.overage, {
        status: 'rejected',
        resetsAt: null,
        inUse: false,
        disabledReason: 'org_level_disabled',
      });
    });

    it('reads a full window carried by extra usage', () => {
      const r = rateLimitReport(overage!);
      assert.equal(r.status, 'rejected');
      assert.deepEqual(r.overage, { status: 'allowed', resetsAt: 1797867657, inUse: true, disabledReason: null });
    });

    it('reads a full weekly window', () => {
      const r = rateLimitReport(weekly!);
      assert.equal(r.window, 'seven_day');
      assert.equal(r.resetsAt, 1796339657);
      assert.equal(r.windows.seven_day?.status, 'rejected');
      assert.equal(r.windows.five_hour?.status, 'allowed');
      assert.equal(r.overage?.disabledReason, 'out_of_credits');
    });

    it("lets the CLI's own warning win over a raw per-window header that says allowed", () => {
      const r = rateLimitReport({
        ...warn91!,
        unifiedWindows: {
          ...warn91!.unifiedWindows,
          five_hour: { utilization: 0.91, resetsAt: 1796150301, status: 'allowed' },
        },
      });
      assert.equal(r.windows.five_hour?.status, 'allowed_warning');
    });
  });

  describe('2.1.197 (the verdict window only)', () => {
    const [allowed, warn91, , rejected] = infos('2.1.197');

    it('knows only the window its verdict is about, without utilization when allowed', () => {
      const r = rateLimitReport(allowed!);
      assert.deepEqual(r.windows, {
        five_hour: { utilization: null, resetsAt: 1796150322, status: 'allowed', surpassedThreshold: null },
      });
    });

    it('reads a warning with its utilization', () => {
      assert.deepEqual(rateLimitReport(warn91!).windows, {
        five_hour: { utilization: 0.91, resetsAt: 1796150322, status: 'allowed_warning', surpassedThreshold: null },
      });
    });

    it('reads a refusal', () => {
      const r = rateLimitReport(rejected!);
      assert.equal(r.status, 'rejected');
      assert.equal(r.windows.five_hour?.status, 'rejected');
      assert.equal(r.overage?.status, 'rejected');
    });
  });
});
