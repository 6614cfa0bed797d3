/** Faults with the real CLI: silence, crashes, shutdown — each answered clearly, with no process left. */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { type Stack, startStack } from '../support/stack';

describe('faults', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ timeoutSeconds: 60, idleTimeoutSeconds: 2 });
  });
  after(async () => {
    await stack?.stop();
  });
  beforeEach(() => stack.fake.reset());
  afterEach(async () => {
    await stack.assertNoProcesses();
  });

  it('kills a CLI that stays silent past the idle limit and answers 504', async () => {
    stack.fake.reply({ kind: 'hang' });
    const started = Date.now();
    await assert.rejects(
      stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 504 && /no output for 2 s/.test(e.message),
    );
    assert.ok(Date.now() - started < 20_000, 'long before the 60 s request timeout');
  });

  it('leaves no CLI process 2 s after the server stops mid-request', async () => {
    stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'slow', chunks: ['s', 'l', 'o', 'w'] }], deltaDelayMs: 1000 });
    const pending = stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 1200));
    await stack.server.stop();
    await stack.assertNoProcesses(2000);
    assert.ok((await pending) instanceof Error);
    await stack.server.start();
  });
});
