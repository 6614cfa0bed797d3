/** The metrics registry of one server: labels, histograms, gauges read when scraped, nothing shared between servers. */
import assert from 'node:assert/strict';
import { CliManager } from '../../../src/cli/cli-manager';
import { parseSettings } from '../../../src/config/settings';
import { UsageLimits } from '../../../src/core/usage-limits';
import { ServerMetrics } from '../../../src/server/metrics';
import { recordingLogger } from '../../support/http-app';
import { parseSamples, sumOf } from '../../support/prometheus';

function metrics(usage = new UsageLimits()): ServerMetrics {
  const settings = parseSettings({ poolSize: 0 });
  return new ServerMetrics({
    cli: new CliManager({ settings: () => settings, logger: recordingLogger(), usage }),
    usage,
    responses: () => undefined,
  });
}

describe('server metrics', () => {
  it('counts a request by route pattern, method, status and member; tokens and cost by member', async () => {
    const m = metrics();
    m.observe({
      route: '/v1/chat/completions',
      method: 'POST',
      status: 200,
      member: 'alice',
      seconds: 1.5,
      firstTokenSeconds: 0.2,
      promptTokens: 12,
      completionTokens: 5,
      costUsd: 0.001,
    });
    m.observe({ route: '/v1/models', method: 'GET', status: 401, member: undefined, seconds: 0.001 });
    const s = parseSamples(await m.text());
    assert.equal(
      sumOf(s, 'cli2api_requests_total', {
        route: '/v1/chat/completions',
        method: 'POST',
        status: '200',
        member: 'alice',
      }),
      1,
    );
    assert.equal(sumOf(s, 'cli2api_requests_total', { status: '401', member: 'anonymous' }), 1, 'no accepted key');
    assert.equal(sumOf(s, 'cli2api_tokens_total', { member: 'alice', kind: 'prompt' }), 12);
    assert.equal(sumOf(s, 'cli2api_tokens_total', { member: 'alice', kind: 'completion' }), 5);
    assert.equal(sumOf(s, 'cli2api_cost_usd_total', { member: 'alice' }), 0.001);
    assert.equal(sumOf(s, 'cli2api_time_to_first_token_seconds_count'), 1, 'only the request with output');
    assert.equal(sumOf(s, 'cli2api_time_to_first_token_seconds_bucket', { le: '0.25' }), 1);
    assert.equal(sumOf(s, 'cli2api_request_duration_seconds_count'), 2);
    assert.equal(sumOf(s, 'cli2api_request_duration_seconds_bucket', { route: '/v1/chat/completions', le: '1' }), 0);
  });

  it('reads the process and queue gauges when scraped', async () => {
    const s = parseSamples(await metrics().text());
    for (const name of [
      'cli2api_cli_processes',
      'cli2api_cli_processes_warm',
      'cli2api_cli_processes_idle',
      'cli2api_cli_processes_held',
      'cli2api_cli_runs_active',
      'cli2api_queue_depth',
    ])
      assert.deepEqual(
        s.filter((x) => x.name === name).map((x) => x.value),
        [0],
        name,
      );
    assert.equal(sumOf(s, 'cli2api_responses_store_available'), 1);
  });

  it('shows the usage windows the CLI reported, and whether one is full', async () => {
    const usage = new UsageLimits();
    const m = metrics(usage);
    let s = parseSamples(await m.text());
    assert.equal(s.filter((x) => x.name === 'cli2api_usage_window_utilization').length, 0, 'nothing before a report');
    assert.equal(sumOf(s, 'cli2api_usage_window_full'), 0);
    const resetsAt = Math.floor(Date.now() / 1000) + 3600;
    usage.report(
      {
        status: 'rejected',
        window: 'five_hour',
        resetsAt,
        windows: {
          five_hour: { utilization: 1, resetsAt, status: 'rejected', surpassedThreshold: null },
          seven_day: { utilization: 0.42, resetsAt: resetsAt + 86400, status: 'allowed', surpassedThreshold: null },
        },
        overage: null,
      },
      Date.now(),
    );
    s = parseSamples(await m.text());
    assert.equal(sumOf(s, 'cli2api_usage_window_utilization', { window: 'five_hour' }), 1);
    assert.equal(sumOf(s, 'cli2api_usage_window_utilization', { window: 'seven_day' }), 0.42);
    assert.equal(sumOf(s, 'cli2api_usage_window_resets_at_seconds', { window: 'five_hour' }), resetsAt);
    assert.equal(sumOf(s, 'cli2api_usage_window_full'), 1);
  });

  it('keeps two servers in one process apart (a registry each, not the global one)', async () => {
    const a = metrics();
    const b = metrics();
    a.observe({ route: '/health', method: 'GET', status: 200, member: undefined, seconds: 0.001 });
    assert.equal(sumOf(parseSamples(await a.text()), 'cli2api_requests_total'), 1);
    assert.equal(sumOf(parseSamples(await b.text()), 'cli2api_requests_total'), 0);
    assert.match(a.contentType, /^text\/plain; version=0\.0\.4/);
  });
});
