/**
 * What operators of a shared instance use, over real HTTP with the real CLI: readiness
 * (`/health/ready`), per-member metrics (`/metrics`, Prometheus text), member names in the
 * log, and the drain a SIGTERM starts (requests in flight finish, new connections are refused).
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { parseSamples, sumOf } from '../support/prometheus';
import { type Stack, startStack } from '../support/stack';

const ALICE = 'key-of-alice-0001';
const BOB = 'key-of-bob-000002';
const PLAIN = 'plain-key-000003';

async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('operations: readiness, metrics, members', function () {
  this.timeout(60_000);
  let stack: Stack;
  let base: string;
  const client = (key: string) => new OpenAI({ baseURL: stack.baseURL, apiKey: key, maxRetries: 0 });
  const metrics = async (key: string) => {
    const res = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseSamples(await res.text());
  };

  before(async () => {
    stack = await startStack({
      apiKeys: [{ member: 'alice', key: ALICE }, { member: 'bob', key: BOB }, PLAIN],
    });
    base = stack.baseURL.replace(/\/v1$/, '');
  });
  after(async () => {
    await stack?.stop();
  });
  afterEach(() => stack.assertNoProcesses());

  it('is ready when the CLI is found and logged in (asked without a model request), open without a key', async () => {
    const ready = await getJson(`${base}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, {
      status: 'ready',
      ready: true,
      checks: { stopping: false, cli: 'ok', login: 'ok', usageWindow: 'ok', responsesStore: 'ok' },
    });
    assert.equal(stack.fake.messageRequests.length, 0, 'knowing the login spent no usage');
    assert.equal((await getJson(`${base}/health`)).status, 200, '/health stays the liveness check');
  });

  it('counts requests, tokens and cost by member, time to first token and duration by route', async () => {
    const before = await metrics(ALICE);
    const chatOf = (s: typeof before, member: string, status: string) =>
      sumOf(s, 'cli2api_requests_total', { route: '/v1/chat/completions', member, status });

    const a1 = await client(ALICE).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'one' }],
    });
    const a2 = await client(ALICE).chat.completions.create({
      model: 'sonnet',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'two' }],
    });
    let a2Usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of a2) a2Usage = chunk.usage ?? a2Usage;
    const b1 = await client(BOB).responses.create({ model: 'sonnet', input: 'three' });
    await client(PLAIN).chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'four' }] });
    await assert.rejects(
      client('not-a-key-at-all').chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'x' }],
      }),
      OpenAI.AuthenticationError,
    );

    const after = await metrics(ALICE);
    const delta = (name: string, labels: Record<string, string>) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);
    assert.equal(chatOf(after, 'alice', '200') - chatOf(before, 'alice', '200'), 2);
    assert.equal(chatOf(after, 'unnamed', '200') - chatOf(before, 'unnamed', '200'), 1, 'a key without a name');
    assert.equal(chatOf(after, 'anonymous', '401') - chatOf(before, 'anonymous', '401'), 1, 'a refused key');
    assert.equal(delta('cli2api_requests_total', { route: '/v1/responses', member: 'bob', status: '200' }), 1);
    assert.equal(delta('cli2api_requests_total', { member: 'bob' }), 1, "bob's one request, nothing else");

    assert.equal(
      delta('cli2api_tokens_total', { member: 'alice', kind: 'prompt' }),
      a1.usage!.prompt_tokens + a2Usage!.prompt_tokens,
    );
    assert.equal(
      delta('cli2api_tokens_total', { member: 'alice', kind: 'completion' }),
      a1.usage!.completion_tokens + a2Usage!.completion_tokens,
    );
    assert.equal(delta('cli2api_tokens_total', { member: 'bob', kind: 'completion' }), b1.usage!.output_tokens);
    assert.ok(delta('cli2api_cost_usd_total', { member: 'alice' }) > 0, 'the CLI reports a cost for the fake usage');

    const ttft = { route: '/v1/chat/completions' };
    assert.equal(delta('cli2api_time_to_first_token_seconds_count', ttft), 3, 'three chats produced output');
    assert.equal(
      delta('cli2api_request_duration_seconds_count', ttft),
      4,
      'and four chat requests ended (one refused)',
    );
    for (const gauge of ['cli2api_cli_processes', 'cli2api_queue_depth', 'cli2api_cli_processes_held'])
      assert.ok(after.some((s) => s.name === gauge));
    assert.equal(sumOf(after, 'cli2api_queue_depth'), 0);

    const log = stack.logLines.join('\n');
    assert.match(log, /POST \/v1\/chat\/completions member=alice model=sonnet 200/);
    assert.match(log, /POST \/v1\/responses member=bob model=sonnet 200/);
    for (const key of [ALICE, BOB, PLAIN]) assert.ok(!log.includes(key), 'keys never reach the log');
  });

  it('keeps /metrics behind the keys, or behind the metrics key alone when one is set', async () => {
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    assert.equal((await fetch(`${base}/METRICS`)).status, 401, 'in any case');
    stack.settings.metricsKey = 'scrape-key-0000';
    try {
      assert.equal((await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${ALICE}` } })).status, 401);
      const scraped = await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer scrape-key-0000' } });
      assert.equal(scraped.status, 200);
      assert.match(await scraped.text(), /^# HELP cli2api_requests_total/m);
    } finally {
      stack.settings.metricsKey = '';
    }
  });
});

describe('readiness says why not', function () {
  this.timeout(60_000);

  it('503 when the CLI is not logged in (and the run that finds out agrees)', async () => {
    const stack = await startStack({}, { ANTHROPIC_API_KEY: '' });
    try {
      const base = stack.baseURL.replace(/\/v1$/, '');
      const ready = await getJson(`${base}/health/ready`);
      assert.equal(ready.status, 503);
      assert.equal(ready.body.status, 'not_ready');
      assert.match(String(ready.body.reason), /not logged in/);
      assert.equal((ready.body.checks as { login: string }).login, 'logged_out');
      assert.equal(stack.fake.messageRequests.length, 0);
      assert.equal((await getJson(`${base}/health`)).status, 200);
      await assert.rejects(
        stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) =>
          e instanceof OpenAI.APIError &&
          e.status === 401 &&
          (e.error as { code?: string }).code === 'cli_not_authenticated',
      );
      assert.equal((await getJson(`${base}/health/ready`)).status, 503);
    } finally {
      await stack.stop();
    }
  });

  it('503 when the CLI is missing, without local paths once keys are set', async () => {
    const stack = await startStack({ claudePath: '/nonexistent/dir/claude', apiKeys: ['some-key-0001'] });
    try {
      const ready = await getJson(`${stack.baseURL.replace(/\/v1$/, '')}/health/ready`);
      assert.equal(ready.status, 503);
      assert.equal(ready.body.reason, 'Claude Code CLI not found');
      assert.ok(!JSON.stringify(ready.body).includes('/nonexistent'));
    } finally {
      await stack.stop();
    }
  });
});

describe('drain (what SIGTERM does headless)', function () {
  this.timeout(60_000);

  it('refuses new connections at once, lets the request in flight finish, then stops every CLI', async () => {
    const stack = await startStack();
    try {
      stack.fake.reply({
        kind: 'message',
        blocks: [
          {
            type: 'text',
            text: 'a slow answer that outlives the signal',
            chunks: ['a slow ', 'answer ', 'that outlives the signal'],
          },
        ],
        deltaDelayMs: 400,
      });
      const stream = await stack.openai.chat.completions.create({
        model: 'sonnet',
        stream: true,
        messages: [{ role: 'user', content: 'slow' }],
      });
      let text = '';
      let drained: Promise<void> | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (!drained && text.length > 0) {
          drained = stack.server.drain(30_000);
          assert.equal(stack.server.state.kind, 'stopping');
          await assert.rejects(fetch(`${stack.baseURL.replace(/\/v1$/, '')}/health`), 'new connections are refused');
        }
      }
      assert.equal(text, 'a slow answer that outlives the signal', 'the request in flight finished whole');
      await drained;
      assert.equal(stack.server.state.kind, 'stopped');
      assert.match(stack.logLines.join('\n'), /Drained: every request in flight has finished/);
      await stack.assertNoProcesses();
    } finally {
      await stack.stop();
    }
  });
});
