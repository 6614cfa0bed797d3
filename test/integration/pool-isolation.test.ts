/**
 * What a kept CLI process may serve: only the tenant it began with (with API keys, each key
 * is a tenant), and only while the settings it was started under still hold.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { lastToolResults, offeredToolName, resultText } from '../support/fake-anthropic';
import { CONTINUED, CONTINUED_HELD, logged, REUSED, until, untilWarmReady, USED_WARM } from '../support/pool-helpers';
import { cliSessionsWithMarker, commandLine } from '../support/processes';
import { type Stack, startStack } from '../support/stack';

const KEY_A = 'key-aaaaaaaa';
const KEY_B = 'key-bbbbbbbb';
const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('kept CLI processes and who may use them', function () {
  this.timeout(180_000);

  describe('with two API keys', () => {
    let stack: Stack;
    let a: OpenAI;
    let b: OpenAI;
    before(async () => {
      stack = await startStack({ apiKeys: [KEY_A, KEY_B], poolSize: 0, poolMaxIdle: 2, poolMaxHeld: 2 });
      a = new OpenAI({ baseURL: stack.baseURL, apiKey: KEY_A, maxRetries: 0 });
      b = new OpenAI({ baseURL: stack.baseURL, apiKey: KEY_B, maxRetries: 0 });
    });
    after(async () => {
      await stack?.stop();
      await stack.assertNoProcesses();
    });
    beforeEach(() => stack.fake.reset());

    it('never continues a conversation started under key A for key B', async () => {
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'A says: my secret is 42' }];
      const first = await a.chat.completions.create({ model: 'sonnet', messages });
      messages.push(first.choices[0]!.message, { role: 'user', content: 'what is my secret?' });
      const continued = logged(stack, CONTINUED);
      const asB = await b.chat.completions.create({ model: 'sonnet', messages });
      assert.equal(asB.choices[0]!.message.content, 'echo: what is my secret?');
      assert.equal(logged(stack, CONTINUED), continued, "B's request started its own process");
      const asA = await a.chat.completions.create({ model: 'sonnet', messages });
      assert.equal(asA.choices[0]!.message.content, 'echo: what is my secret?');
      assert.equal(logged(stack, CONTINUED), continued + 1, "A's own process continued A's conversation");
    });

    it("never gives key A's used process to a new conversation of key B", async () => {
      const convo = (text: string): ChatCompletionMessageParam[] => [
        { role: 'system', content: 'Shared prompt' },
        { role: 'user', content: text },
      ];
      await a.chat.completions.create({ model: 'sonnet', messages: convo('A one') });
      const reused = logged(stack, REUSED);
      await b.chat.completions.create({ model: 'sonnet', messages: convo('B one') });
      assert.equal(logged(stack, REUSED), reused, 'B got a process of its own');
      await a.chat.completions.create({ model: 'sonnet', messages: convo('A two') });
      assert.equal(logged(stack, REUSED), reused + 1, "A's next conversation reused A's process");
    });

    it("never lets key B's tool results reach a process that holds key A's calls", async () => {
      stack.fake.handle((req) =>
        lastToolResults(req.body).length > 0
          ? {
              kind: 'message',
              blocks: [{ type: 'text', text: `got ${lastToolResults(req.body).map((r) => resultText(r.content))}` }],
            }
          : {
              kind: 'message',
              blocks: [{ type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Rome' } }],
            },
      );
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather?' }];
      const call = await a.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
      const id = call.choices[0]!.message.tool_calls![0]!.id;
      assert.equal(stack.server.cli.heldCalls, 1);
      const held = logged(stack, CONTINUED_HELD);
      const fromB = await b.chat.completions.create({
        model: 'sonnet',
        tools: [weatherTool],
        messages: [...messages, call.choices[0]!.message, { role: 'tool', tool_call_id: id, content: 'B-result' }],
      });
      assert.equal(fromB.choices[0]!.message.content, 'got B-result');
      assert.equal(logged(stack, CONTINUED_HELD), held, "B's results went to a process of B's own");
      assert.equal(stack.server.cli.heldCalls, 1, "A's call still waits for A");
      const fromA = await a.chat.completions.create({
        model: 'sonnet',
        tools: [weatherTool],
        messages: [...messages, call.choices[0]!.message, { role: 'tool', tool_call_id: id, content: 'A-result' }],
      });
      assert.equal(fromA.choices[0]!.message.content, 'got A-result');
      assert.equal(logged(stack, CONTINUED_HELD), held + 1);
      assert.equal(stack.server.cli.heldCalls, 0);
    });
  });

  describe('when the settings change', () => {
    let stack: Stack;
    let folder: string;
    before(async () => {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-agent-'));
      stack = await startStack({ poolSize: 1, poolMaxIdle: 1, agentTools: ['Read'], agentCwd: folder });
    });
    after(async () => {
      await stack?.stop();
      await stack.assertNoProcesses();
      fs.rmSync(folder, { recursive: true, force: true });
    });

    const withAgentTools = () =>
      cliSessionsWithMarker(stack.marker).filter((pid) => {
        const args = commandLine(pid) ?? [];
        return args[args.indexOf('--tools') + 1] !== '';
      });

    it('turning agent mode off leaves no process with agent tools', async () => {
      await untilWarmReady(stack);
      const warm = logged(stack, USED_WARM);
      await stack.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'agent' }] });
      assert.equal(logged(stack, USED_WARM), warm + 1);
      await until('a warm and an idle process, both with agent tools', () => {
        const p = stack.server.cli.pooled;
        return p.idle === 1 && p.warm === 1 && withAgentTools().length === 2;
      });

      stack.settings.agentTools = [];
      stack.settings.agentCwd = '';
      await stack.server.settingsChanged();
      await until('no process with agent tools', () => withAgentTools().length === 0);
      await untilWarmReady(stack);
      assert.equal(stack.server.cli.pooled.idle, 0);
      stack.fake.reset();
      const res = await stack.openai.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'plain' }],
      });
      assert.equal(res.choices[0]!.message.content, 'echo: plain');
      assert.deepEqual(stack.fake.messageRequests[0]!.body.tools, [], 'the model is offered no agent tool');
      assert.equal(withAgentTools().length, 0);
    });
  });
});
