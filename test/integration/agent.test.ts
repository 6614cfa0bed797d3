/**
 * Agent mode through the real CLI: the CLI runs its own tools (here `Read`) in the chosen
 * folder and goes on answering; those calls are the CLI's business, never client tool calls.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type OpenAI from 'openai';
import { type FakeReply, lastToolResults, type RecordedRequest, resultText } from '../support/fake-anthropic';
import { type Stack, startStack } from '../support/stack';

const SECRET = 'The secret word is PERSIMMON.';

describe('agent mode through the real CLI', function () {
  this.timeout(120_000);
  let cwd: string;
  let notes: string;
  let agent: Stack;

  before(async () => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-agent-'));
    notes = path.join(cwd, 'notes.txt');
    fs.writeFileSync(notes, `${SECRET}\n`);
    agent = await startStack({ agentTools: ['Read', 'Grep'], agentCwd: cwd, timeoutSeconds: 60 });
  });
  after(async () => {
    await agent?.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  beforeEach(() => {
    agent.fake.reset();
    // The model reads the file with the CLI's own Read tool, then answers with what it got back.
    agent.fake.handle((req: RecordedRequest): FakeReply => {
      const results = lastToolResults(req.body);
      if (results.length > 0)
        return {
          kind: 'message',
          blocks: [{ type: 'text', text: `It says: ${results.map((r) => resultText(r.content)).join(' ')}` }],
        };
      return {
        kind: 'message',
        blocks: [
          { type: 'text', text: 'Let me read it. ' },
          { type: 'tool_use', name: 'Read', input: { file_path: notes } },
        ],
      };
    });
  });
  afterEach(async () => {
    assert.equal(agent.server.cli.heldCalls, 0, 'nothing waits for a client');
    await agent.assertNoProcesses();
  });

  /** The model's second request carries the CLI's own tool_result with the file's content. */
  function assertTheCliReadTheFile(): string {
    const requests = agent.fake.messageRequests;
    assert.equal(requests.length, 2, 'one request for the tool call, one with its result');
    const offered = (requests[0]!.body.tools ?? []).map((t) => t.name).sort();
    assert.deepEqual(offered, ['Grep', 'Read']);
    const results = lastToolResults(requests[1]!.body);
    assert.equal(results.length, 1);
    assert.ok(resultText(results[0]!.content).includes(SECRET), resultText(results[0]!.content));
    return results[0]!.tool_use_id;
  }

  it('answers a chat completion after the CLI ran Read itself: 200, finish_reason stop, no tool_calls', async () => {
    const res = await agent.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'What does notes.txt say?' }],
    });
    assertTheCliReadTheFile();
    const choice = res.choices[0]!;
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.message.tool_calls, undefined);
    assert.match(choice.message.content ?? '', /^Let me read it\. It says: .*PERSIMMON/s);
  });

  it('streams it the same way: text only, no tool_calls deltas', async () => {
    const stream = await agent.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'What does notes.txt say?' }],
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assertTheCliReadTheFile();
    assert.ok(!chunks.some((c) => c.choices[0]?.delta.tool_calls), 'no tool_calls delta');
    assert.deepEqual(
      chunks.flatMap((c) => (c.choices[0]?.finish_reason ? [c.choices[0].finish_reason] : [])),
      ['stop'],
    );
    assert.match(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), /PERSIMMON/);
  });

  it('answers the Responses API with a message and no function_call', async () => {
    const res = await agent.openai.responses.create({ model: 'sonnet', input: 'What does notes.txt say?' });
    assertTheCliReadTheFile();
    assert.equal(res.status, 'completed');
    assert.ok(
      res.output.every((o) => o.type === 'message'),
      `only messages: ${res.output.map((o) => o.type).join(', ')}`,
    );
    assert.match(res.output_text, /PERSIMMON/);
  });

  it('answers /v1/messages with text and stop_reason end_turn', async () => {
    const res = await fetch(`${agent.baseURL}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'x', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'sonnet',
        max_tokens: 200,
        messages: [{ role: 'user', content: 'What does notes.txt say?' }],
      }),
    });
    assert.equal(res.status, 200);
    const message = (await res.json()) as { stop_reason: string; content: Array<{ type: string; text?: string }> };
    assertTheCliReadTheFile();
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(
      message.content.every((b) => b.type === 'text'),
      `only text: ${message.content.map((b) => b.type).join(', ')}`,
    );
    assert.match(message.content.map((b) => b.text).join(''), /PERSIMMON/);
  });
});

describe('agent mode off', function () {
  this.timeout(60_000);

  it('offers no Claude Code tool at all', async () => {
    const plain = await startStack();
    try {
      await plain.openai.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] });
      assert.deepEqual(plain.fake.messageRequests[0]!.body.tools, []);
      await plain.assertNoProcesses();
    } finally {
      await plain.stop();
    }
  });
});
