/** The usage gate: a full window refuses at once, or holds the request until the reset when asked to. */
import assert from 'node:assert/strict';
import { errors } from '../../../src/core/api-error';
import { type RateLimitReport, UsageLimitError, UsageLimits } from '../../../src/core/usage-limits';
import { passUsageGate } from '../../../src/server/usage-gate';

function fullUntil(resetsAt: number): UsageLimits {
  const u = new UsageLimits();
  const r: RateLimitReport = {
    status: 'rejected',
    window: 'five_hour',
    resetsAt,
    windows: { five_hour: { utilization: 1, resetsAt, status: 'rejected', surpassedThreshold: null } },
    overage: null,
  };
  u.report(r, Date.now());
  return u;
}

const noSignal = () => new AbortController().signal;
const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

describe('usage gate', () => {
  it('lets requests through when no window is full', async () => {
    await passUsageGate(new UsageLimits(), { wait: false, deadlineMs: Date.now() + 1000, signal: noSignal() });
  });

  it("refuses at once with the window's 429 when not waiting", async () => {
    const u = fullUntil(inSeconds(3600));
    await assert.rejects(
      passUsageGate(u, { wait: false, deadlineMs: Date.now() + 3_600_000 * 2, signal: noSignal() }),
      (e: unknown) => e instanceof UsageLimitError && e.window === 'five_hour',
    );
  });

  it('refuses at once, even when waiting, if the reset comes after the request deadline', async () => {
    const u = fullUntil(inSeconds(3600));
    await assert.rejects(
      passUsageGate(u, { wait: true, deadlineMs: Date.now() + 60_000, signal: noSignal() }),
      UsageLimitError,
    );
  });

  it('holds the request until the reset, then lets it through', async () => {
    const resetsAt = inSeconds(1);
    const u = fullUntil(resetsAt);
    await passUsageGate(u, { wait: true, deadlineMs: Date.now() + 60_000, signal: noSignal() });
    assert.ok(Date.now() >= resetsAt * 1000, 'not before the reset');
  });

  it('ends a hold with the reason the request was aborted for (timeout, client gone, shutdown)', async () => {
    const u = fullUntil(inSeconds(30));
    const controller = new AbortController();
    const held = passUsageGate(u, { wait: true, deadlineMs: Date.now() + 60_000, signal: controller.signal });
    controller.abort(errors.stopping());
    await assert.rejects(held, (e: { code?: string }) => e.code === 'server_stopping');
  });
});
