/** Usage windows in words: durations, reset times, notices. */
import assert from 'node:assert/strict';
import { formatDuration, formatReset, noticeText, percent, secondsUntil } from '../../../src/core/usage-text';

const NOW = Date.UTC(2026, 11, 1, 15, 2, 0);
const SEC = NOW / 1000;

describe('usage text', () => {
  it('formats durations in minutes, hours and days', () => {
    assert.equal(formatDuration(30), '1 min');
    assert.equal(formatDuration(58 * 60), '58 min');
    assert.equal(formatDuration(3600), '1 h');
    assert.equal(formatDuration(2 * 3600 + 5 * 60), '2 h 5 min');
    assert.equal(formatDuration(3 * 86400 + 4 * 3600), '3 d 4 h');
  });

  it('counts Retry-After in whole seconds, rounded up, at least 1', () => {
    assert.equal(secondsUntil(SEC + 10, NOW + 200), 10);
    assert.equal(secondsUntil(SEC, NOW + 5000), 1);
  });

  it('names the reset time in UTC, with the date when it is more than a day away', () => {
    assert.equal(formatReset(SEC + 58 * 60, NOW), '16:00 UTC (in 58 min)');
    assert.equal(formatReset(SEC + 2 * 86400 + 3600, NOW), 'Dec 3, 16:02 UTC (in 2 d 1 h)');
  });

  it('names the reset time in another zone without a zone suffix', () => {
    assert.equal(formatReset(SEC + 58 * 60, NOW, { timeZone: 'Europe/Berlin', locale: 'en-US' }), '17:00 (in 58 min)');
  });

  it('shows percentages without rounding up to 100 before the window is full', () => {
    assert.equal(percent(0.91), '91%');
    assert.equal(percent(0.999), '99%');
    assert.equal(percent(1), '100%');
    assert.equal(percent(0.29), '29%');
  });

  it('words notices for the log', () => {
    const base = { window: 'five_hour', utilization: 0.91, resetsAt: SEC + 58 * 60, usingOverage: false };
    assert.equal(
      noticeText({ ...base, status: 'allowed_warning' }, NOW),
      'Claude 5-hour usage at 91%; resets at 16:00 UTC (in 58 min).',
    );
    assert.equal(
      noticeText({ ...base, status: 'rejected' }, NOW),
      'Claude 5-hour usage limit reached; resets at 16:00 UTC (in 58 min). Requests are refused (429) until then.',
    );
    assert.equal(
      noticeText({ ...base, window: 'seven_day', status: 'rejected', usingOverage: true }, NOW),
      'Claude weekly usage limit reached; requests now draw on extra usage; resets at 16:00 UTC (in 58 min).',
    );
    assert.equal(
      noticeText({ ...base, utilization: null, status: 'allowed_warning' }, NOW),
      'Claude 5-hour usage close to its limit; resets at 16:00 UTC (in 58 min).',
    );
  });
});
