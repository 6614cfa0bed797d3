/**
 * Subscription usage windows end to end: the REAL Claude CLI, logged in with an OAuth-style
 * token (only then does it read Anthropic's unified rate-limit headers), against the fake API
 * sending those headers; the openai SDK and @anthropic-ai/sdk as clients.
 */
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { OAUTH_LOGIN } from '../support/cli-env';
import { type FakeReply, lastUserText, type RecordedRequest } from '../support/fake-anthropic';
import { secondsFromNow, unifiedHeaders, type UnifiedHeaders } from '../support/rate-limit-headers';
import { type Stack, useStack } from '../support/stack';

interface UsageWindowBody {
  utilization: number | null;
  resets_at: string | null;
  status: string | null;
}
interface UsageBody {
  five_hour: UsageWindowBody | null;
  seven_day: UsageWindowBody | null;
  overage?: { status: string | null; resets_at: string | null; in_use: boolean; disabled_reason: string | null };
  updated_at: string | null;
}

async function usage(stack: Stack): Promise<UsageBody> {
  const res = await fetch(`${stack.baseURL}/usage`);
  assert.equal(res.status, 200);
  return (await res.json()) as UsageBody;
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

function echoWith(headers: UnifiedHeaders) {
  return (req: RecordedRequest): FakeReply => ({
    kind: 'message',
    blocks: [{ type: 'text', text: `echo: ${lastUserText(req.body)}` }],
    headers: unifiedHeaders(headers),
  });
}

function rejected(window: 'five_hour' | 'seven_day', reset: number): FakeReply {
  const full = { utilization: 1, reset, status: 'rejected' as const };
  const other = { utilization: 0.4, reset: window === 'five_hour' ? secondsFromNow(4 * 86400) : secondsFromNow(3600) };
  return {
    kind: 'error',
    status: 429,
    errorType: 'rate_limit_error',
    message: 'usage limit reached',
    headers: {
      ...unifiedHeaders({
        status: 'rejected',
        claim: window,
        fiveHour: window === 'five_hour' ? full : other,
        sevenDay: window === 'seven_day' ? full : other,
        overage: { status: 'rejected', disabledReason: 'org_level_disabled' },
      }),
      'retry-after': String(reset - Math.floor(Date.now() / 1000)),
    },
  };
}

/** 2.1.330 and later report both windows (`unifiedWindows`); older ones only the window their verdict is about. */
async function reportsBothWindows(stack: Stack): Promise<boolean> {
  const version = (await stack.server.cli.status()).version ?? '0';
  const [a = 0, b = 0, c = 0] = version.split(/[.\s]/).map(Number);
  return a * 1e6 + b * 1e3 + c >= 2_001_330;
}

function spawnedCount(stack: Stack): number {
  return stack.logLines.filter((l) => l.includes('spawned claude')).length;
}

describe('usage windows: a warning is not a failure', function () {
  this.timeout(90_000);
  const stack = useStack({ timeoutSeconds: 60 }, OAUTH_LOGIN);

  it('answers /v1/usage with nulls before any request', async () => {
    assert.deepEqual(await usage(stack), { five_hour: null, seven_day: null, updated_at: null });
  });

  it('answers normally at 91% of the 5-hour window; /v1/usage has the exact numbers; the log warns once', async () => {
    const fiveReset = secondsFromNow(3 * 3600);
    const sevenReset = secondsFromNow(4 * 86400);
    stack.fake.handle(
      echoWith({
        status: 'allowed_warning',
        claim: 'five_hour',
        fiveHour: { utilization: 0.91, reset: fiveReset, status: 'allowed_warning' },
        sevenDay: { utilization: 0.4, reset: sevenReset },
      }),
    );
    const before = Date.now();
    for (const text of ['first', 'second']) {
      const res = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: text }],
      });
      assert.equal(res.choices[0]!.message.content, `echo: ${text}`);
      assert.equal(res.choices[0]!.finish_reason, 'stop');
    }
    const body = await usage(stack);
    assert.deepEqual(body.five_hour, { utilization: 0.91, resets_at: iso(fiveReset), status: 'allowed_warning' });
    if (await reportsBothWindows(stack))
      assert.deepEqual(body.seven_day, { utilization: 0.4, resets_at: iso(sevenReset), status: 'allowed' });
    else assert.equal(body.seven_day, null, 'this CLI names only the window its verdict is about');
    assert.ok(Date.parse(body.updated_at!) >= before - 1000);
    const warnings = stack.logLines.filter((l) => /Claude 5-hour usage at 91%/.test(l));
    assert.equal(warnings.length, 1, `one warning for two requests at the same level:\n${warnings.join('\n')}`);
    assert.match(warnings[0]!, /WARN/i);
  });

  it('learns the 7-day window from a weekly warning, with its exact numbers', async () => {
    const fiveReset = secondsFromNow(2 * 3600);
    const sevenReset = secondsFromNow(4 * 86400);
    stack.fake.handle(
      echoWith({
        status: 'allowed_warning',
        claim: 'seven_day',
        fiveHour: { utilization: 0.3, reset: fiveReset },
        sevenDay: { utilization: 0.8, reset: sevenReset, status: 'allowed_warning' },
      }),
    );
    const res = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'weekly' }],
    });
    assert.equal(res.choices[0]!.message.content, 'echo: weekly');
    const body = await usage(stack);
    assert.deepEqual(body.seven_day, { utilization: 0.8, resets_at: iso(sevenReset), status: 'allowed_warning' });
    if (await reportsBothWindows(stack))
      assert.deepEqual(body.five_hour, { utilization: 0.3, resets_at: iso(fiveReset), status: 'allowed' });
    assert.equal(stack.logLines.filter((l) => /Claude weekly usage at 80%/.test(l)).length, 1);
  });

  it('passes the unified rate-limit headers through on /v1/messages', async () => {
    const fiveReset = secondsFromNow(3 * 3600);
    const sevenReset = secondsFromNow(5 * 86400);
    stack.fake.handle(
      echoWith({
        status: 'allowed_warning',
        claim: 'five_hour',
        fiveHour: { utilization: 0.93, reset: fiveReset, status: 'allowed_warning' },
        sevenDay: { utilization: 0.2, reset: sevenReset },
      }),
    );
    const client = new Anthropic({ baseURL: stack.baseURL.replace(/\/v1$/, ''), apiKey: 'x', maxRetries: 0 });
    const { data, response } = await client.messages
      .create({ model: 'sonnet', max_tokens: 100, messages: [{ role: 'user', content: 'headers' }] })
      .withResponse();
    assert.deepEqual(data.content, [{ type: 'text', text: 'echo: headers' }]);
    const h = (name: string) => response.headers.get(`anthropic-ratelimit-unified-${name}`);
    assert.equal(h('status'), 'allowed_warning');
    assert.equal(h('representative-claim'), 'five_hour');
    assert.equal(h('reset'), String(fiveReset));
    assert.equal(h('5h-utilization'), '0.93');
    assert.equal(h('5h-reset'), String(fiveReset));
    assert.equal(h('5h-status'), 'allowed_warning');
    if (await reportsBothWindows(stack)) {
      assert.equal(h('7d-utilization'), '0.2');
      assert.equal(h('7d-reset'), String(sevenReset));
      assert.equal(h('7d-status'), 'allowed');
    }
  });
});

describe('usage windows: a full window is a precise 429', function () {
  this.timeout(90_000);
  const stack = useStack({ timeoutSeconds: 60 }, OAUTH_LOGIN);

  it('answers 429 with Retry-After until the reset and a message naming the window; nothing left running', async () => {
    const reset = secondsFromNow(3500);
    stack.fake.handle(() => rejected('five_hour', reset));
    const t0 = Date.now();
    const err = await stack.openai.chat.completions
      .create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] })
      .then(() => assert.fail('expected a 429'))
      .catch((e: unknown) => e);
    const t1 = Date.now();
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.status, 429);
    const retryAfter = Number(err.headers?.get('retry-after'));
    assert.ok(
      retryAfter >= Math.ceil(reset - t1 / 1000) && retryAfter <= Math.ceil(reset - t0 / 1000),
      `Retry-After ${retryAfter} is the time left until ${reset}`,
    );
    const hhmm = iso(reset).slice(11, 16);
    const m = new RegExp(`^Claude 5-hour usage limit reached; resets at ${hhmm} UTC \\(in (\\d+) min\\)\\.$`).exec(
      err.message.replace(/^429 /, ''),
    );
    assert.ok(m, `message: ${err.message}`);
    assert.ok(Math.abs(Number(m[1]) * 60 - retryAfter) < 60, `"in ${m[1]} min" agrees with Retry-After ${retryAfter}`);
    assert.equal((err.error as { code?: string }).code, 'rate_limit_exceeded');
    assert.equal(stack.fake.messageRequests.length, 1, 'not retried');
    await stack.assertNoProcesses();
    const body = await usage(stack);
    assert.equal(body.five_hour?.status, 'rejected');
    // Older CLIs do not say the utilization of a window that refuses.
    assert.equal(body.five_hour?.utilization, (await reportsBothWindows(stack)) ? 1 : null);
    assert.equal(body.five_hour?.resets_at, iso(reset));
    assert.deepEqual(body.overage, {
      status: 'rejected',
      resets_at: null,
      in_use: false,
      disabled_reason: 'org_level_disabled',
    });
  });

  it('answers the next requests 429 at once, on every API, without starting a CLI', async () => {
    const calls = stack.fake.messageRequests.length;
    const spawned = spawnedCount(stack);
    const chat = await stack.openai.chat.completions
      .create({ model: 'sonnet', stream: true, messages: [{ role: 'user', content: 'again' }] })
      .then(() => undefined)
      .catch((e: unknown) => e);
    assert.ok(chat instanceof OpenAI.RateLimitError, String(chat));
    assert.match(chat.message, /Claude 5-hour usage limit reached; resets at \d\d:\d\d UTC/);

    const responses = await stack.openai.responses
      .create({ model: 'sonnet', input: 'again', stream: true })
      .then(() => undefined)
      .catch((e: unknown) => e);
    assert.ok(responses instanceof OpenAI.RateLimitError, String(responses));
    assert.equal((responses.error as { code?: string }).code, 'rate_limit_exceeded');

    const anthropic = new Anthropic({ baseURL: stack.baseURL.replace(/\/v1$/, ''), apiKey: 'x', maxRetries: 0 });
    const msg = await anthropic.messages
      .create({ model: 'sonnet', max_tokens: 50, messages: [{ role: 'user', content: 'again' }] })
      .then(() => undefined)
      .catch((e: unknown) => e);
    assert.ok(msg instanceof Anthropic.RateLimitError, String(msg));
    assert.deepEqual(Object.keys(msg.error as object).sort(), ['error', 'type']);
    assert.equal((msg.error as { error: { type: string } }).error.type, 'rate_limit_error');
    assert.ok(Number(msg.headers?.get('retry-after')) > 0);
    assert.equal(msg.headers?.get('anthropic-ratelimit-unified-status'), 'rejected');
    assert.equal(msg.headers?.get('anthropic-ratelimit-unified-5h-status'), 'rejected');

    assert.equal(stack.fake.messageRequests.length, calls, 'the fake API was not called');
    assert.equal(spawnedCount(stack), spawned, 'no CLI was started');
  });
});

describe('usage windows: waiting for the reset (waitWhenFull)', function () {
  this.timeout(120_000);
  const stack = useStack({ timeoutSeconds: 90, waitWhenFull: true }, OAUTH_LOGIN);

  it('holds requests while the window is full and serves them after the reset the API announced', async () => {
    let reset = 0;
    stack.fake.handle((req) => {
      if (reset === 0) {
        // Announced at the moment of the refusal, a few seconds ahead.
        reset = secondsFromNow(6);
        return rejected('five_hour', reset);
      }
      return echoWith({
        status: 'allowed',
        claim: 'five_hour',
        fiveHour: { utilization: 0.05, reset: secondsFromNow(5 * 3600) },
        sevenDay: { utilization: 0.4, reset: secondsFromNow(4 * 86400) },
      })(req);
    });
    const first = stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'first' }],
    });
    // Once the refusal is known, a second request comes in while the window is full.
    for (;;) {
      const body = await usage(stack);
      if (body.five_hour?.status === 'rejected') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'second' }],
    });
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.choices[0]!.message.content, 'echo: first');
    assert.equal(b.choices[0]!.message.content, 'echo: second');
    const requests = stack.fake.messageRequests;
    assert.equal(requests.length, 3, 'the refused call, then one call per request');
    for (const r of requests.slice(1))
      assert.ok(r.receivedAt >= reset * 1000, `served after the reset (${r.receivedAt} >= ${reset * 1000})`);
    assert.equal((await usage(stack)).five_hour?.status, 'allowed');
  });
});
