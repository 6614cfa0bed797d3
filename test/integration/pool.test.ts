/**
 * Warm CLI processes with the real CLI: prewarmed processes serve first requests, a
 * continued conversation goes to the process that holds it, a new conversation with the
 * same system prompt reuses a cleared process — and no conversation ever leaks into another.
 */
import assert from 'node:assert/strict';
import { lastUserText, textOf } from '../support/fake-anthropic';
import { type Stack, startStack } from '../support/stack';

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('warm CLI processes', function () {
  this.timeout(60_000);
  let stack: Stack;
  const logged = (re: RegExp) => stack.logLines.filter((l) => re.test(l)).length;

  before(async () => {
    stack = await startStack({ poolSize: 1, poolMaxIdle: 2, poolIdleSeconds: 30 });
    await until('a prewarmed process', () => stack.server.cli.pooled.warm === 1);
  });
  after(async () => {
    await stack?.stop();
    await stack.assertNoProcesses(3000);
  });
  beforeEach(() => stack.fake.reset());

  it('serves a first request from a prewarmed process and starts another in its place', async () => {
    const before = logged(/using prewarmed claude/);
    const res = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Sys A' },
        { role: 'user', content: 'warm hello' },
      ],
    });
    assert.equal(res.choices[0]!.message.content, 'echo: warm hello');
    assert.equal(logged(/using prewarmed claude/), before + 1);
    await until('the pool refilled', () => stack.server.cli.pooled.warm === 1);
  });

  it('never carries one conversation into another: a new conversation gets a process that has held none', async () => {
    await until('a prewarmed process', () => stack.server.cli.pooled.warm === 1);
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Sys B' },
        { role: 'user', content: 'the password is secret-alpha' },
      ],
    });
    await until('the pool refilled', () => stack.server.cli.pooled.warm === 1);
    stack.fake.reset();
    const res = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Sys B' },
        { role: 'user', content: 'what is the password?' },
      ],
    });
    assert.equal(res.choices[0]!.message.content, 'echo: what is the password?');
    const sent = stack.fake.messageRequests.map((r) => JSON.stringify(r.body.messages));
    assert.equal(sent.length, 1);
    assert.ok(!sent[0]!.includes('secret-alpha'), 'nothing of the first conversation reached the model');
    assert.equal(stack.fake.messageRequests[0]!.body.messages.filter((m) => m.role === 'user').length, 1);
  });

  it('sends only the new turn to the process that holds the conversation, and the model gets it whole and once', async () => {
    const system = { role: 'system' as const, content: 'Sys C' };
    const first = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [system, { role: 'user', content: 'turn one' }],
    });
    const continuedBefore = logged(/continuing the conversation held by claude/);
    stack.fake.reset();
    const second = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        system,
        { role: 'user', content: 'turn one' },
        first.choices[0]!.message,
        { role: 'user', content: 'turn two' },
      ],
    });
    assert.equal(second.choices[0]!.message.content, 'echo: turn two');
    assert.equal(logged(/continuing the conversation held by claude/), continuedBefore + 1);
    const body = stack.fake.messageRequests[0]!.body;
    const turns = body.messages.filter((m) => m.role !== 'system');
    assert.deepEqual(
      turns.map((m) => [m.role, textOf(m.content)]),
      [
        ['user', 'turn one'],
        ['assistant', 'echo: turn one'],
        ['user', 'turn two'],
      ],
    );
    assert.ok(second.usage!.prompt_tokens > 0 && second.usage!.completion_tokens > 0, 'usage of this turn');
  });

  it('never reuses the process for an edited history', async () => {
    const system = { role: 'system' as const, content: 'Sys D' };
    const first = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [system, { role: 'user', content: 'original question' }],
    });
    const continuedBefore = logged(/continuing the conversation held by claude/);
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
    assert.equal(
      logged(/continuing the conversation held by claude/),
      continuedBefore,
      'the stale process was not used',
    );
    const body = stack.fake.messageRequests[0]!.body;
    const turns = body.messages.filter((m) => m.role !== 'system');
    assert.equal(textOf(turns[0]!.content), 'EDITED question');
    assert.equal(lastUserText(body), 'next');
    assert.ok(
      !turns.some((m) => m.role === 'user' && textOf(m.content) === 'original question'),
      'the original turn is gone',
    );
  });

  it('keeps at most poolMaxIdle used processes and reports them on /health', async () => {
    for (const n of [1, 2, 3, 4]) {
      await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [
          { role: 'system', content: `distinct ${n}` },
          { role: 'user', content: 'x' },
        ],
      });
    }
    await until('the pool refilled', () => stack.server.cli.pooled.warm === 1);
    await until('evicted processes to exit', () => stack.server.cli.liveProcesses <= 3, 3000);
    const health = (await (await fetch(stack.baseURL.replace(/\/v1$/, '/health'))).json()) as {
      processes: { alive: number; warm: number; idle: number };
    };
    assert.equal(health.processes.idle, 2);
    assert.equal(health.processes.warm, 1);
    assert.equal(health.processes.alive, 3, 'one warm and two idle');
  });

  it('stops idle processes after poolIdleSeconds', async () => {
    const short = await startStack({ poolSize: 1, poolMaxIdle: 2, poolIdleSeconds: 1.5 });
    try {
      await until('a prewarmed process', () => short.server.cli.pooled.warm === 1);
      await short.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'x' }] });
      await short.assertNoProcesses(6000);
      assert.deepEqual(short.server.cli.pooled, { warm: 0, idle: 0, held: 0 });
    } finally {
      await short.stop();
    }
  });
});
