/**
 * Warm CLI processes with the real CLI: prewarmed processes serve first requests and are
 * refilled, replaced when they waited too long or crashed, and started for the kinds of
 * request actually used; a continued conversation goes to the process that holds it, with
 * each request's own output limit, usage and cost — and no conversation ever leaks into another.
 */
import assert from 'node:assert/strict';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { type FakeUsage, lastToolResults, lastUserText, offeredToolName, textOf } from '../support/fake-anthropic';
import {
  CONTINUED,
  CONTINUED_HELD,
  logged,
  loggedPids,
  READY,
  until,
  untilReady,
  untilWarmReady,
  USED_WARM,
} from '../support/pool-helpers';
import { cliSessionsWithMarker, commandLine } from '../support/processes';
import { type Stack, startStack } from '../support/stack';

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** OpenAI's usage for what the fake reported: prompt tokens count cache reads and writes. */
const openaiUsage = (u: FakeUsage) => ({
  prompt_tokens: u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
  completion_tokens: u.output_tokens,
});

describe('warm CLI processes', function () {
  this.timeout(180_000);

  describe('with one warm process per kind', () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ poolSize: 1, poolMaxIdle: 2, poolIdleSeconds: 600 });
    });
    after(async () => {
      await stack?.stop();
      await stack.assertNoProcesses(3000);
    });
    beforeEach(() => stack.fake.reset());

    it('serves a first request from a prewarmed process and starts another in its place', async () => {
      await untilWarmReady(stack);
      const ready = logged(stack, READY);
      const spawned = logged(stack, /spawned claude/);
      const before = logged(stack, USED_WARM);
      const res = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'system', content: 'Sys A' },
          { role: 'user', content: 'warm hello' },
        ],
      });
      assert.equal(res.choices[0]!.message.content, 'echo: warm hello');
      assert.equal(logged(stack, USED_WARM), before + 1, 'a warm process that had finished starting');
      await until('the pool refilled', () => logged(stack, /spawned claude/) > spawned);
      await untilReady(stack, ready);
    });

    it('never carries one conversation into another: a new conversation gets nothing of an earlier one', async () => {
      await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'system', content: 'Sys B' },
          { role: 'user', content: 'the password is secret-alpha' },
        ],
      });
      stack.fake.reset();
      const res = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'system', content: 'Sys B' },
          { role: 'user', content: 'what is the password?' },
        ],
      });
      assert.equal(res.choices[0]!.message.content, 'echo: what is the password?');
      const sent = stack.fake.messageRequests.map((r) => JSON.stringify(r.body));
      assert.equal(sent.length, 1);
      assert.ok(!sent[0]!.includes('secret-alpha'), 'nothing of the first conversation reached the model');
      assert.equal(stack.fake.messageRequests[0]!.body.messages.filter((m) => m.role === 'user').length, 1);
    });

    it("continues the process that holds the conversation, and reports each turn's own usage", async () => {
      const turns: FakeUsage[] = [
        { input_tokens: 31, output_tokens: 7, cache_read_input_tokens: 1000, cache_creation_input_tokens: 20 },
        { input_tokens: 12, output_tokens: 9, cache_read_input_tokens: 1100, cache_creation_input_tokens: 0 },
        { input_tokens: 5, output_tokens: 4, cache_read_input_tokens: 1250, cache_creation_input_tokens: 3 },
      ];
      stack.fake.handle((req) => ({
        kind: 'message',
        blocks: [{ type: 'text', text: `echo: ${lastUserText(req.body)}` }],
        usage: turns[req.body.messages.filter((m) => m.role === 'user').length - 1],
      }));
      const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: 'Sys C' }];
      const continuedBefore = logged(stack, CONTINUED);
      for (const [i, usage] of turns.entries()) {
        messages.push({ role: 'user', content: `turn ${i + 1}` });
        const res = await stack.openai.chat.completions.create({ model: 'sonnet', messages });
        assert.equal(res.choices[0]!.message.content, `echo: turn ${i + 1}`);
        assert.deepEqual(
          { prompt_tokens: res.usage!.prompt_tokens, completion_tokens: res.usage!.completion_tokens },
          openaiUsage(usage),
          `turn ${i + 1} reports what the model reported for that turn alone`,
        );
        assert.equal(res.usage!.prompt_tokens_details?.cached_tokens, usage.cache_read_input_tokens);
        messages.push(res.choices[0]!.message);
      }
      assert.equal(logged(stack, CONTINUED), continuedBefore + 2, 'turns 2 and 3 went to the same process');
      const last = stack.fake.messageRequests[2]!.body;
      assert.deepEqual(
        last.messages.filter((m) => m.role !== 'system').map((m) => [m.role, textOf(m.content)]),
        [
          ['user', 'turn 1'],
          ['assistant', 'echo: turn 1'],
          ['user', 'turn 2'],
          ['assistant', 'echo: turn 2'],
          ['user', 'turn 3'],
        ],
        'the model gets the conversation whole and once',
      );
    });

    it("reports each turn's own cost: turns of equal usage cost the same, not a running total", async () => {
      stack.fake.handle((req) => ({
        kind: 'message',
        blocks: [{ type: 'text', text: `echo: ${lastUserText(req.body)}` }],
        usage: { input_tokens: 2000, output_tokens: 500 },
      }));
      const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: 'Sys cost' }];
      const costs: number[] = [];
      for (const n of [1, 2, 3]) {
        messages.push({ role: 'user', content: `cost turn ${n}` });
        const { data, response } = await stack.openai.chat.completions
          .create({ model: 'sonnet', messages })
          .withResponse();
        costs.push(Number(response.headers.get('x-cli2api-cost-usd')));
        messages.push(data.choices[0]!.message);
      }
      assert.ok(costs[0]! > 0, `a cost is reported (${costs.join(', ')})`);
      assert.deepEqual(costs, [costs[0], costs[0], costs[0]]);
    });

    it('reports only its own usage for a tool-call follow-up, not the part answered before', async () => {
      const first: FakeUsage = { input_tokens: 40, output_tokens: 11 };
      const second: FakeUsage = { input_tokens: 7, output_tokens: 3, cache_read_input_tokens: 90 };
      stack.fake.handle((req) =>
        lastToolResults(req.body).length > 0
          ? { kind: 'message', blocks: [{ type: 'text', text: 'It is sunny.' }], usage: second }
          : {
              kind: 'message',
              blocks: [{ type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Oslo' } }],
              usage: first,
            },
      );
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];
      const call = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
      assert.equal(call.choices[0]!.finish_reason, 'tool_calls');
      assert.deepEqual(
        { prompt_tokens: call.usage!.prompt_tokens, completion_tokens: call.usage!.completion_tokens },
        openaiUsage(first),
      );
      const id = call.choices[0]!.message.tool_calls![0]!.id;
      messages.push(call.choices[0]!.message, { role: 'tool', tool_call_id: id, content: 'sunny' });
      const held = logged(stack, CONTINUED_HELD);
      const answer = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
      assert.equal(logged(stack, CONTINUED_HELD), held + 1, 'the held process took the results');
      assert.equal(answer.choices[0]!.message.content, 'It is sunny.');
      assert.deepEqual(
        { prompt_tokens: answer.usage!.prompt_tokens, completion_tokens: answer.usage!.completion_tokens },
        openaiUsage(second),
      );
    });

    it("gives a warm process the request's output limit, and a continued conversation each request's own", async () => {
      // What a process sends with no limit of the request's: the CLI's default for the model.
      await untilWarmReady(stack);
      await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'no limit' }],
      });
      const cliDefault = stack.fake.messageRequests[0]!.body.max_tokens;
      assert.ok(typeof cliDefault === 'number' && cliDefault > 4000);
      stack.fake.reset();

      await untilWarmReady(stack);
      const warmBefore = logged(stack, USED_WARM);
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'limited to 1234' }];
      const first = await stack.openai.chat.completions.create({ model: 'sonnet', messages, max_tokens: 1234 });
      assert.equal(logged(stack, USED_WARM), warmBefore + 1, 'an output limit no longer needs a process of its own');
      messages.push(first.choices[0]!.message, { role: 'user', content: 'limited to 1500' });
      const second = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages,
        max_completion_tokens: 1500,
      });
      messages.push(second.choices[0]!.message, { role: 'user', content: 'no limit again' });
      const continued = logged(stack, CONTINUED);
      await stack.openai.chat.completions.create({ model: 'sonnet', messages });
      assert.equal(logged(stack, CONTINUED), continued + 1);
      assert.deepEqual(
        stack.fake.messageRequests.map((r) => r.body.max_tokens),
        [1234, 1500, cliDefault],
      );
    });

    it('serves a limit too small for thinking only from processes started with thinking off, and no other limit from those', async () => {
      // claude-sonnet-4-5 thinks with a budget, which the CLI fixes when it starts; under 1024 the API takes none.
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'no limit' }];
      const thinking = async (limit?: number) => {
        const res = await stack.openai.chat.completions.create({
          model: 'claude-sonnet-4-5',
          messages,
          ...(limit === undefined ? {} : { max_completion_tokens: limit }),
        });
        messages.push(res.choices[0]!.message);
        const sent = stack.fake.messageRequests.at(-1)!.body;
        return { limit: sent.max_tokens, thinking: (sent.thinking as { type?: string } | undefined)?.type };
      };
      const unlimited = await thinking();
      assert.equal(unlimited.thinking, 'enabled', 'this model thinks with a budget');
      messages.push({ role: 'user', content: 'limited to 300' });
      assert.deepEqual(await thinking(300), { limit: 300, thinking: 'disabled' });
      messages.push({ role: 'user', content: 'limited to 200' });
      assert.deepEqual(await thinking(200), { limit: 200, thinking: 'disabled' });
      messages.push({ role: 'user', content: 'no limit again' });
      assert.deepEqual(await thinking(), unlimited);
      assert.deepEqual(
        stack.fake.refusals.map((r) => r.message),
        [],
        'the CLI sent nothing the real Messages API would refuse',
      );
    });

    it('starts warm processes for the kinds requests use, not only the default model', async () => {
      const opus = () => cliSessionsWithMarker(stack.marker).filter((pid) => commandLine(pid)?.includes('opus'));
      assert.equal(opus().length, 0);
      await stack.openai.chat.completions.create({
        model: 'opus',
        messages: [{ role: 'user', content: 'first opus' }],
      });
      await until('a warm opus process', () => logged(stack, /spawned claude pid=\d+ .*--model opus$/) >= 2);
      await until('it has finished starting', () => {
        const pids = loggedPids(stack, /spawned claude pid=(\d+) .*--model opus$/);
        return loggedPids(stack, /prewarmed claude pid=(\d+) ready/).includes(pids[pids.length - 1]!);
      });
      const warmBefore = logged(stack, USED_WARM);
      const res = await stack.openai.chat.completions.create({
        model: 'opus',
        messages: [{ role: 'user', content: 'second opus' }],
      });
      assert.equal(res.choices[0]!.message.content, 'echo: second opus');
      assert.equal(logged(stack, USED_WARM), warmBefore + 1);
      assert.equal(stack.fake.messageRequests[1]!.body.model, stack.fake.messageRequests[0]!.body.model);
    });

    it('never reuses the process for an edited history', async () => {
      const system = { role: 'system' as const, content: 'Sys D' };
      const first = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [system, { role: 'user', content: 'original question' }],
      });
      const continuedBefore = logged(stack, CONTINUED);
      stack.fake.reset();
      await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          system,
          { role: 'user', content: 'EDITED question' },
          first.choices[0]!.message,
          { role: 'user', content: 'next' },
        ],
      });
      assert.equal(logged(stack, CONTINUED), continuedBefore, 'the stale process was not used');
      const body = stack.fake.messageRequests[0]!.body;
      const turns = body.messages.filter((m) => m.role !== 'system');
      assert.equal(textOf(turns[0]!.content), 'EDITED question');
      assert.equal(lastUserText(body), 'next');
      assert.ok(!turns.some((m) => m.role === 'user' && textOf(m.content) === 'original question'));
    });

    it('keeps at most poolMaxIdle used processes and reports them, and the limit, on /health', async () => {
      for (const n of [1, 2, 3, 4]) {
        await stack.openai.chat.completions.create({
          model: 'sonnet',
          messages: [
            { role: 'system', content: `distinct ${n}` },
            { role: 'user', content: 'x' },
          ],
        });
      }
      const pooled = () => stack.server.cli.pooled;
      await until('evicted processes to exit', () => {
        const p = pooled();
        return cliSessionsWithMarker(stack.marker).length === p.warm + p.idle + p.held;
      });
      const health = (await (await fetch(stack.baseURL.replace(/\/v1$/, '/health'))).json()) as {
        processes: { alive: number; limit: number; warm: number; idle: number; held: number };
      };
      assert.equal(health.processes.idle, 2);
      assert.equal(health.processes.held, 0);
      assert.equal(health.processes.limit, stack.server.cli.processBound);
      assert.ok(health.processes.alive <= health.processes.limit);
    });
  });

  describe('kept at their size while the server runs', () => {
    it('replaces warm processes that waited poolIdleSeconds (the new one first), and stops idle ones', async () => {
      const stack = await startStack({ poolSize: 1, poolMaxIdle: 1, poolIdleSeconds: 2 });
      try {
        await untilReady(stack);
        const first = loggedPids(stack, /prewarmed claude pid=(\d+) ready/)[0]!;
        let lowest = Infinity;
        const sampler = setInterval(() => (lowest = Math.min(lowest, stack.server.cli.pooled.warm)), 20);
        await until('a replacement ready and the first one gone', () => {
          const ready = loggedPids(stack, /prewarmed claude pid=(\d+) ready/);
          return ready.some((pid) => pid !== first) && !cliSessionsWithMarker(stack.marker).includes(first);
        });
        clearInterval(sampler);
        assert.equal(lowest >= 1, true, 'a warm process was there at every sample');
        await stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'x' }] });
        await until('the used process went idle', () => stack.server.cli.pooled.idle === 1);
        await until('it was stopped after poolIdleSeconds', () => stack.server.cli.pooled.idle === 0);
        assert.ok(stack.server.cli.pooled.warm >= 1, 'while the warm process is kept');
      } finally {
        await stack.stop();
        await stack.assertNoProcesses();
      }
    });

    it('replaces a warm process that crashed', async () => {
      const stack = await startStack({ poolSize: 1 });
      try {
        await untilReady(stack);
        const [pid] = cliSessionsWithMarker(stack.marker);
        const spawned = logged(stack, /spawned claude/);
        process.kill(pid!, 'SIGKILL');
        await until('a new warm process', () => logged(stack, /spawned claude/) > spawned);
        await untilReady(stack, 1);
        const res = await stack.openai.chat.completions.create({
          model: 'sonnet',
          messages: [{ role: 'user', content: 'after the crash' }],
        });
        assert.equal(res.choices[0]!.message.content, 'echo: after the crash');
      } finally {
        await stack.stop();
        await stack.assertNoProcesses();
      }
    });

    it('with prewarm "first-request", starts nothing before the first request and keeps its kind warm after it', async () => {
      const stack = await startStack({ poolSize: 1 }, {}, { prewarm: () => 'first-request' });
      try {
        await stack.server.cli.prewarm();
        assert.equal(stack.server.cli.liveProcesses, 0, 'an editor opened but not used holds no CLI');
        await stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'first' }] });
        await untilReady(stack);
        const before = logged(stack, USED_WARM);
        await stack.openai.chat.completions.create({
          model: 'sonnet',
          messages: [{ role: 'user', content: 'second' }],
        });
        assert.equal(logged(stack, USED_WARM), before + 1);
      } finally {
        await stack.stop();
        await stack.assertNoProcesses();
      }
    });
  });
});
