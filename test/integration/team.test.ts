/**
 * Several instances behind nginx, sharing one redis-server, as README's "Team setup" runs
 * them: two headless instances (`node bin/cli2api.js`), each with its own fake Anthropic
 * API, its own CLI home and its own marker, behind Debian's nginx with README's own
 * configuration (and a round-robin copy of it, so requests alternate between instances).
 * Each instance is logged in like a subscription (an OAuth token), so its CLI reports the
 * usage windows the fake API sends.
 * The clients are the `openai` SDK with no retries of their own: what must not be lost is
 * not lost because of nginx and the instances.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { compareVersions } from '../../src/cli/process/cli-versions';
import { CLAUDE_BIN, fakeCliEnv, OAUTH_LOGIN } from '../support/cli-env';
import {
  conversation,
  FakeAnthropic,
  type FakeReply,
  lastToolResults,
  lastUserText,
  offeredToolName,
  type RecordedRequest,
  resultText,
  textOf,
} from '../support/fake-anthropic';
import { type HeadlessServer, startHeadless, stopHeadless } from '../support/headless';
import { type Nginx, nginxInstalled, startNginx } from '../support/nginx';
import { waitForNoProcesses } from '../support/processes';
import { parseSamples, sumOf } from '../support/prometheus';
import { secondsFromNow, unifiedHeaders } from '../support/rate-limit-headers';
import { type RedisServer, redisServerInstalled, requireTool, startRedis } from '../support/redis-server';

const ROOT = path.resolve(__dirname, '../..');
const KEYS = { alice: 'team-key-alice-0001', bob: 'team-key-bob-000002' };
const SCRAPE = 'scrape-key-0000001';
/** When the usage-window test's full window resets: long after the test has ended. */
const USAGE_RESET_SECONDS = 3 * 3600;
type Member = keyof typeof KEYS;

interface Instance {
  name: 'A' | 'B' | 'C';
  fake: FakeAnthropic;
  marker: string;
  server: HeadlessServer;
}

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** The text of a response's message items (the SDK adds `output_text` to non-streamed results only). */
function outputText(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

describe('team setup: two instances behind nginx, one shared redis-server', function () {
  this.timeout(180_000);
  let redis: RedisServer;
  let nginx: Nginx;
  const instances: Instance[] = [];
  /** What each member's client saw answered, by status: /metrics must count the same. */
  const answered: Record<Member, Map<number, number>> = { alice: new Map(), bob: new Map() };

  const counting =
    (member: Member): typeof fetch =>
    async (input, init) => {
      const res = await fetch(input, init);
      answered[member].set(res.status, (answered[member].get(res.status) ?? 0) + 1);
      return res;
    };
  const client = (baseURL: string, member: Member = 'alice', headers: Record<string, string> = {}) =>
    new OpenAI({
      baseURL: `${baseURL}/v1`,
      apiKey: KEYS[member],
      maxRetries: 0,
      timeout: 120_000,
      fetch: counting(member),
      defaultHeaders: headers,
    });
  const byName = (name: Instance['name']) => instances.find((i) => i.name === name)!;
  /** Runs `fn` and says which instance's backend received its model request (exactly one must). */
  async function servedBy<T>(fn: () => Promise<T>): Promise<{ result: T; by: Instance; request: RecordedRequest }> {
    const before = instances.map((i) => i.fake.messageRequests.length);
    const result = await fn();
    const grown = instances.filter((inst, i) => inst.fake.messageRequests.length > before[i]!);
    assert.equal(grown.length, 1, `one instance serves a request, not ${grown.map((i) => i.name).join('+')}`);
    const by = grown[0]!;
    return { result, by, request: by.fake.messageRequests[by.fake.messageRequests.length - 1]! };
  }

  /** One headless instance with its own fake Anthropic API, CLI home, login and marker. */
  async function startInstance(name: Instance['name']): Promise<Instance> {
    const fake = new FakeAnthropic();
    await fake.start();
    const marker = randomUUID();
    const server = await startHeadless({
      ...fakeCliEnv(fake.url, OAUTH_LOGIN), // a CLI home and a login of its own
      C2A_TEST_MARKER: marker,
      CLI2API_PORT: '0',
      CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN,
      CLI2API_STORE_URL: redis.url,
      CLI2API_API_KEY: `alice:${KEYS.alice},bob:${KEYS.bob}`,
      CLI2API_METRICS_KEY: SCRAPE,
    });
    return { name, fake, marker, server };
  }

  before(async function () {
    requireTool(this, redisServerInstalled(), 'redis-server');
    requireTool(this, nginxInstalled(), 'nginx');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    redis = await startRedis();
    for (const name of ['A', 'B'] as const) instances.push(await startInstance(name));
    nginx = await startNginx(instances.map((i) => new URL(i.server.url).host));
  });

  after(async () => {
    for (const i of instances) if (i.server.child.exitCode === null) assert.equal(await stopHeadless(i.server), 0);
    await nginx?.stop();
    await redis?.stop();
    for (const i of instances) {
      await i.fake.stop();
      assert.deepEqual(await waitForNoProcesses(i.marker, 10_000), [], `no CLI process of instance ${i.name} is left`);
    }
  });

  beforeEach(() => {
    for (const i of instances) i.fake.reset();
  });

  it('continues a previous_response_id chain whose requests alternate between the instances; GET works from either', async () => {
    const api = client(nginx.roundRobinUrl);
    const words = ['first', 'second', 'third', 'fourth'];
    const served: string[] = [];
    let previous: string | undefined;
    for (const [n, word] of words.entries()) {
      const streamed = n % 2 === 1;
      const { result, by, request } = await servedBy(async () => {
        if (!streamed) return api.responses.create({ model: 'sonnet', input: word, previous_response_id: previous });
        const stream = await api.responses.create({
          model: 'sonnet',
          input: word,
          previous_response_id: previous,
          stream: true,
        });
        let completed: OpenAI.Responses.Response | undefined;
        for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
        return completed!;
      });
      assert.equal(outputText(result), `echo: ${word}`);
      // The model saw the whole chain, each turn in its own role, wherever the earlier turns were served.
      assert.deepEqual(
        conversation(request.body).map((m) => `${m.role}: ${textOf(m.content)}`),
        words.slice(0, n + 1).flatMap((w, i) => (i < n ? [`user: ${w}`, `assistant: echo: ${w}`] : [`user: ${w}`])),
      );
      served.push(by.name);
      previous = result.id;
    }
    assert.deepEqual(
      served.map((s, i) => i > 0 && s === served[i - 1]),
      words.map(() => false),
      `each step on the other instance: ${served.join(' → ')}`,
    );

    const fromA = await client(byName('A').server.url).responses.retrieve(previous!);
    const fromB = await client(byName('B').server.url).responses.retrieve(previous!);
    assert.equal(fromA.output_text, 'echo: fourth');
    assert.deepEqual(fromB, fromA);
    await client(byName('A').server.url).responses.delete(previous!);
    await assert.rejects(client(byName('B').server.url).responses.retrieve(previous!), OpenAI.NotFoundError);
  });

  it('completes a tool call started on one instance and answered through the other (a fresh process takes the history)', async () => {
    const callThenAnswer = (req: RecordedRequest): FakeReply => {
      const results = lastToolResults(req.body);
      if (results.length > 0)
        return { kind: 'message', blocks: [{ type: 'text', text: `it is ${resultText(results[0]!.content)}` }] };
      return {
        kind: 'message',
        blocks: [{ type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Oslo' } }],
      };
    };
    for (const i of instances) i.fake.handle(callThenAnswer);
    const api = client(nginx.roundRobinUrl);
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];
    const first = await servedBy(() =>
      api.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] }),
    );
    const choice = first.result.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    const call = choice.message.tool_calls![0]!;
    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '4°C and snowing' });
    const second = await servedBy(() =>
      api.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] }),
    );
    assert.notEqual(second.by.name, first.by.name, 'the result went to the other instance');
    assert.equal(second.result.choices[0]!.message.content, 'it is 4°C and snowing');
    assert.deepEqual(
      lastToolResults(second.request.body).map((r) => [r.tool_use_id, resultText(r.content)]),
      [[call.id, '4°C and snowing']],
      'the model received the result as a real tool_result for its call',
    );
  });

  it("keeps one conversation's requests, or one member's, on one instance with README's configuration", async () => {
    const conversation = client(nginx.url, 'alice', { 'session-id': `conv-${randomUUID()}` });
    const member = client(nginx.url, 'bob');
    for (const [api, label] of [
      [conversation, 'a conversation header'],
      [member, "the member's key"],
    ] as const) {
      const served = new Set<string>();
      for (const word of ['one', 'two', 'three']) {
        const { result, by } = await servedBy(() =>
          api.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: word }] }),
        );
        assert.equal(result.choices[0]!.message.content, `echo: ${word}`);
        served.add(by.name);
      }
      assert.equal(served.size, 1, `sticky by ${label}: ${[...served].join(', ')}`);
    }
  });

  it('counts in /metrics, per member, exactly what the members were answered', async () => {
    const scrape = async (inst: Instance) => {
      const res = await fetch(`${inst.server.url}/metrics`, { headers: { Authorization: `Bearer ${SCRAPE}` } });
      assert.equal(res.status, 200);
      return parseSamples(await res.text());
    };
    const [a, b] = [await scrape(byName('A')), await scrape(byName('B'))];
    for (const member of ['alice', 'bob'] as const) {
      const expected = [...answered[member].entries()];
      assert.ok(expected.length > 0);
      for (const [status, count] of expected) {
        const labels = { member, status: String(status) };
        assert.equal(
          sumOf(a, 'cli2api_requests_total', labels) + sumOf(b, 'cli2api_requests_total', labels),
          count,
          `${member}, status ${status}`,
        );
      }
      const total = expected.reduce((sum, [, n]) => sum + n, 0);
      assert.equal(
        sumOf(a, 'cli2api_requests_total', { member }) + sumOf(b, 'cli2api_requests_total', { member }),
        total,
      );
      assert.ok(sumOf(a, 'cli2api_tokens_total', { member }) + sumOf(b, 'cli2api_tokens_total', { member }) > 0);
    }
  });

  it('loses no request when one instance is stopped mid-load, and that instance leaves no CLI process', async () => {
    const slowEcho = (req: RecordedRequest): FakeReply => {
      const text = `echo: ${lastUserText(req.body)}`;
      return {
        kind: 'message',
        blocks: [{ type: 'text', text, chunks: [text.slice(0, 4), text.slice(4, 9), text.slice(9)] }],
        deltaDelayMs: 150,
      };
    };
    const a = byName('A');
    const b = byName('B');
    b.fake.handle(slowEcho);
    // SIGTERM reaches A while its second request of the load is being answered.
    let stopped: Promise<number | null> | undefined;
    let exitMs = 0;
    a.fake.handle((req) => {
      if (!stopped && a.fake.messageRequests.length === 2) {
        const signalledAt = performance.now();
        stopped = stopHeadless(a.server).finally(() => (exitMs = Math.round(performance.now() - signalledAt)));
      }
      return slowEcho(req);
    });
    const api = client(nginx.roundRobinUrl);
    const WORKERS = 4;
    const EACH = 5;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        for (let n = 0; n < EACH; n++) {
          const word = `load-${w}-${n}`;
          try {
            let text = '';
            if (n % 2 === 0) {
              const r = await api.chat.completions.create({
                model: 'sonnet',
                messages: [{ role: 'user', content: word }],
              });
              text = r.choices[0]!.message.content ?? '';
            } else {
              const s = await api.chat.completions.create({
                model: 'sonnet',
                stream: true,
                messages: [{ role: 'user', content: word }],
              });
              for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? '';
            }
            if (text !== `echo: ${word}`) failures.push(`${word}: ${JSON.stringify(text)}`);
          } catch (e) {
            failures.push(`${word}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }),
    );
    assert.ok(stopped, 'instance A received the load');
    assert.equal(await stopped, 0, 'A exited cleanly');
    assert.deepEqual(failures, [], 'every request was answered');
    const output = a.server.output();
    const afterSignal = output.slice(output.indexOf('SIGTERM received'));
    assert.match(
      afterSignal,
      /POST \/v1\/chat\/completions member=alice model=sonnet 200/,
      'A finished its request in flight',
    );
    assert.match(afterSignal, /Drained: every request in flight has finished/);
    assert.deepEqual(await waitForNoProcesses(a.marker, 10_000), [], 'no CLI process of A is left');
    const log = nginx.accessLog().filter((l) => l.startsWith('POST /v1/chat/completions'));
    const retried = log.filter((l) => /upstream=\S+, /.test(l)).length;
    process.stderr.write(
      `      team: ${WORKERS * EACH} requests from ${WORKERS} clients, SIGTERM to A during its 2nd: ` +
        `${WORKERS * EACH - failures.length} answered, ${failures.length} lost, ` +
        `${retried} retried by nginx on B, A exited ${exitMs} ms after the signal\n`,
    );
  });

  it("sends requests to the other instance while one instance's usage window is full", async () => {
    // A was stopped by the previous test: a fresh instance C takes its place, behind a fresh nginx
    // (one that has no memory of A's refused connections).
    const c = await startInstance('C');
    instances.push(c);
    const b = byName('B');
    await nginx.stop();
    nginx = await startNginx([c, b].map((i) => new URL(i.server.url).host));
    // C's account is out of its 5-hour window for a while: the API refuses with 429 and says so in its headers.
    const resetsAt = secondsFromNow(USAGE_RESET_SECONDS);
    c.fake.handle(() => ({
      kind: 'error',
      status: 429,
      errorType: 'rate_limit_error',
      message: 'usage limit reached',
      headers: {
        ...unifiedHeaders({
          status: 'rejected',
          claim: 'five_hour',
          fiveHour: { utilization: 1, reset: resetsAt, status: 'rejected' },
          sevenDay: { utilization: 0.4, reset: secondsFromNow(4 * 86400) },
          overage: { status: 'rejected', disabledReason: 'org_level_disabled' },
        }),
        'retry-after': String(USAGE_RESET_SECONDS),
      },
    }));
    const logBefore = nginx.accessLog().length;
    const api = client(nginx.roundRobinUrl, 'bob');
    const words = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    for (const [n, word] of words.entries()) {
      let text = '';
      if (n % 2 === 0) {
        const r = await api.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: word }] });
        text = r.choices[0]!.message.content ?? '';
      } else {
        const s = await api.chat.completions.create({
          model: 'sonnet',
          stream: true,
          messages: [{ role: 'user', content: word }],
        });
        for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? '';
      }
      assert.equal(text, `echo: ${word}`, 'answered by the other instance');
    }
    assert.equal(
      c.fake.messageRequests.length,
      1,
      `C's API was asked once: then C knew its window was full. nginx:\n${nginx.accessLog().slice(logBefore).join('\n')}\nC's log:\n${c.server.output().split('\n').slice(-40).join('\n')}`,
    );
    assert.equal(b.fake.messageRequests.length, words.length);
    const movedOnFull = nginx
      .accessLog()
      .slice(logBefore)
      .filter((l) => l.includes(`upstream=${new URL(c.server.url).host}, `) && /upstream_status=429, 200/.test(l));
    // nginx counts a 429 as a failed attempt: with max_fails=1 it leaves C alone for fail_timeout.
    assert.ok(
      movedOnFull.length >= 1,
      `C answered 429 and nginx asked B:\n${nginx.accessLog().slice(logBefore).join('\n')}`,
    );
    // Asked directly, C answers the 429 at once, from what it knows: no CLI, no model request.
    await assert.rejects(
      client(c.server.url, 'bob').chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'x' }],
      }),
      (e: unknown) =>
        e instanceof OpenAI.RateLimitError &&
        /5-hour usage limit reached/.test(e.message) &&
        Number(e.headers?.get('retry-after')) > 0,
    );
    assert.equal(c.fake.messageRequests.length, 1);
    const ready = await fetch(`${c.server.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.match(((await ready.json()) as { reason: string }).reason, /5-hour usage window is full/);
    assert.equal((await fetch(`${b.server.url}/health/ready`)).status, 200);
    const metrics = parseSamples(
      await (await fetch(`${c.server.url}/metrics`, { headers: { Authorization: `Bearer ${SCRAPE}` } })).text(),
    );
    assert.equal(sumOf(metrics, 'cli2api_usage_window_full'), 1);
    // 2.1.330 and later report the full window's utilization with the refusal; older CLIs only while they
    // warn (src/cli/rate-limit-report.ts), so there the gauge has no sample (sumOf: 0).
    const health = (await (await fetch(`${c.server.url}/health`)).json()) as { cli: { version: string } };
    const reportsUtilization = compareVersions(health.cli.version.split(' ')[0]!, '2.1.330') >= 0;
    assert.equal(
      sumOf(metrics, 'cli2api_usage_window_utilization', { window: 'five_hour' }),
      reportsUtilization ? 1 : 0,
    );
    process.stderr.write(
      `      team: ${words.length} requests with C's 5-hour window full: ${words.length} answered by B, ` +
        `${movedOnFull.length} answered 429 by C and retried on B (then nginx left C alone for fail_timeout), C's API asked once\n`,
    );
  });
});
