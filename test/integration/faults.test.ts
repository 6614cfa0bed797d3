/** Faults with the real CLI: silence, crashes, shutdown — each answered clearly, with no process left. */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { processesWithMarker } from '../support/processes';
import { startStack, useStack } from '../support/stack';

describe('faults', function () {
  this.timeout(60_000);
  const stack = useStack();

  it('kills a CLI that stays silent past the idle limit and answers 504, long before the request timeout', async () => {
    const silent = await startStack({ timeoutSeconds: 600, idleTimeoutSeconds: 2 });
    try {
      silent.fake.reply({ kind: 'hang' });
      await assert.rejects(
        silent.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) => e instanceof OpenAI.APIError && e.status === 504 && /no output for 2 s/.test(e.message),
      );
      await silent.assertNoProcesses();
    } finally {
      await silent.stop();
    }
  });

  it('ends a stream with an error event when the CLI dies mid-answer', async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'abcdef', chunks: 'abcdef'.split('') }],
      deltaDelayMs: 300,
    });
    const stream = await stack.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    await assert.rejects(
      async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (text === 'a') for (const pid of processesWithMarker(stack.marker)) process.kill(pid, 'SIGKILL');
        }
      },
      (e: unknown) => e instanceof OpenAI.APIError && /killed by SIGKILL|exited/.test(e.message),
    );
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

  it('says to log in when the CLI is not logged in (401)', async () => {
    const loggedOut = await startStack({}, { ANTHROPIC_API_KEY: '' });
    try {
      await assert.rejects(
        loggedOut.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) => e instanceof OpenAI.AuthenticationError && /\/login/.test(e.message),
      );
      await loggedOut.assertNoProcesses();
    } finally {
      await loggedOut.stop();
    }
  });

  it('leaves no CLI process 2 s after the server stops mid-request', async () => {
    stack.fake.reply({
      kind: 'message',
      blocks: [{ type: 'text', text: 'slow', chunks: ['s', 'l', 'o', 'w'] }],
      deltaDelayMs: 1000,
    });
    const pending = stack.openai.chat.completions
      .create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 1200));
    await stack.server.stop();
    await stack.assertNoProcesses(2000);
    assert.ok((await pending) instanceof Error);
    await stack.server.start();
  });
});

describe('agent mode', function () {
  this.timeout(60_000);

  it('offers the allowed Claude Code tools only when configured, in the chosen folder', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-agent-'));
    const agent = await startStack({ agentTools: ['Read', 'Grep'], agentCwd: cwd });
    try {
      await agent.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'look around' }],
      });
      const names = (agent.fake.messageRequests[0]!.body.tools ?? []).map((t) => t.name).sort();
      assert.deepEqual(names, ['Grep', 'Read']);
      await agent.assertNoProcesses();
    } finally {
      await agent.stop();
    }
  });
});
