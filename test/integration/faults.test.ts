/** Faults with the real CLI: silence, crashes, shutdown — each answered clearly, with no process left. */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { processesWithMarker } from '../support/processes';
import { type Stack, startStack, useStack } from '../support/stack';
import { type Gate, gate, until } from '../support/wait';

describe('faults', function () {
  this.timeout(90_000);
  const stack = useStack({ timeoutSeconds: 120 });

  it('kills a CLI that stays silent past the idle limit and answers 504 (the idle limit, not the request timeout)', async () => {
    // Its own stack: a short idle limit would stop any slow CLI start in the other tests.
    const silent = await startStack({ timeoutSeconds: 300, idleTimeoutSeconds: 3 });
    try {
      silent.fake.reply({ kind: 'hang' });
      await assert.rejects(
        silent.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) =>
          e instanceof OpenAI.APIError &&
          e.status === 504 &&
          (e.error as { code?: string }).code === 'timeout' &&
          /produced no output for 3 s/.test(e.message),
      );
      await silent.assertNoProcesses();
    } finally {
      await silent.stop();
    }
  });

  it('ends a stream with an error event when the CLI dies mid-answer', async () => {
    const held = gate();
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'abcdef', chunks: 'abcdef'.split('') }],
      // 'a' goes out; the rest waits until the test is over.
      beforeDelta: (n) => (n > 0 ? held.promise : undefined),
    });
    const stream = await stack.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    try {
      await assert.rejects(
        async () => {
          for await (const chunk of stream) {
            text += chunk.choices[0]?.delta.content ?? '';
            if (text === 'a') for (const pid of processesWithMarker(stack.marker)) process.kill(pid, 'SIGKILL');
          }
        },
        (e: unknown) => e instanceof OpenAI.APIError && /killed by SIGKILL|exited/.test(e.message),
      );
    } finally {
      held.open();
    }
    assert.equal(text, 'a');
    // The server is unharmed.
    const next = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'again' }],
    });
    assert.equal(next.choices[0]!.message.content, 'echo: again');
  });

  it("passes the subscription's third-party refusal on verbatim as a 403, without retrying", async () => {
    const refusal =
      'Third-party apps now draw from your extra usage, not your plan limits. Turn on extra usage to continue.';
    stack.fake.handle(() => ({ kind: 'error', status: 400, errorType: 'invalid_request_error', message: refusal }));
    await assert.rejects(
      stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) =>
        e instanceof OpenAI.PermissionDeniedError &&
        e.message.includes(refusal) &&
        (e.error as { code?: string }).code === 'cli_usage_refused',
    );
    // 2.1.197 may try once more without streaming; 2.1.332 sends a refused request twice more with fewer
    // anthropic-beta values (its own recovery). Nothing beyond that.
    assert.ok(
      stack.fake.messageRequests.length <= 3,
      `no silent retries: ${stack.fake.messageRequests.length} requests`,
    );
  });

  it("says to log in when the CLI is not logged in (401, with the CLI's own words)", async () => {
    const loggedOut = await startStack({}, { ANTHROPIC_API_KEY: '' });
    try {
      await assert.rejects(
        loggedOut.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) =>
          e instanceof OpenAI.AuthenticationError &&
          (e.error as { code?: string }).code === 'cli_not_authenticated' &&
          // The CLI's words ("Not logged in · Please run /login"), not only CLI2API's own /login hint.
          /Not logged in/i.test(e.message),
      );
      assert.equal(loggedOut.fake.messageRequests.length, 0, 'the CLI asked no model');
      await loggedOut.assertNoProcesses();
    } finally {
      await loggedOut.stop();
    }
  });
});

describe('a request in flight when the server stops', function () {
  this.timeout(90_000);
  let stack: Stack;
  let held: Gate;
  beforeEach(async () => {
    stack = await startStack({ timeoutSeconds: 120 });
    held = gate();
    // The first delta goes out, then the answer waits until the test is over.
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'slow', chunks: ['s', 'l', 'o', 'w'] }],
      beforeDelta: (n) => (n > 0 ? held.promise : undefined),
    });
  });
  afterEach(async () => {
    held.open();
    await stack.stop();
  });

  it('gets a clear 503 server_stopping, and no CLI process is left', async () => {
    const pending = stack.openai.chat.completions
      .create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    await until(() => stack.fake.messageRequests.length > 0, 'the CLI asked the model');
    await stack.server.stop();
    const e = await pending;
    assert.ok(e instanceof OpenAI.APIError, String(e));
    assert.equal(e.status, 503);
    assert.equal((e.error as { code?: string }).code, 'server_stopping');
    assert.match(e.message, /CLI2API is stopping/);
    await stack.assertNoProcesses();
  });

  it('ends a started stream with a server_stopping error event, and no CLI process is left', async () => {
    const stream = await stack.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    let stopping: Promise<void> | undefined;
    await assert.rejects(
      async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (text === 's') stopping ??= stack.server.stop();
        }
      },
      (e: unknown) => e instanceof OpenAI.APIError && /CLI2API is stopping/.test(e.message),
    );
    await stopping;
    assert.equal(text, 's');
    await stack.assertNoProcesses();
  });
});
