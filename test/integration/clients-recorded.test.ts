/**
 * Request shapes of real coding clients, replayed with plain fetch through the real CLI and
 * the fake Anthropic API: each must stream (200, SSE chunks, a usage chunk, `data: [DONE]`),
 * offer the client's tools to the model, and deliver its pasted image as an image block.
 *
 * The fixtures are modelled on the clients' sources (request shape only; prompt texts and tool
 * descriptions are abridged stand-ins padded to a realistic size):
 * - test/fixtures/requests/cline-chat.json — cline/cline src/core/api/providers/openai.ts
 *   (OpenAiHandler.createMessage: system message first, temperature 0 from openAiModelInfoSaneDefaults,
 *   stream: true, stream_options.include_usage, native `tools`), src/core/api/transform/openai-format.ts
 *   (image blocks → image_url parts with a data: URI) and the cache_control: ephemeral marks Cline's
 *   OpenRouter-format stream (src/core/api/transform/openrouter-stream.ts) puts on the system prompt
 *   and the last user text part for Claude models.
 * - test/fixtures/requests/continue-chat.json — continuedev/continue core/llm/llms/OpenAI.ts
 *   (_convertMessage: image parts as image_url with detail "low"; modifyChatBody: parallel_tool_calls
 *   false whenever tools are sent; tools with function.strict) and
 *   packages/openai-adapters/src/apis/OpenAI.ts (modifyChatBody: stream_options.include_usage when streaming).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lastMessage, systemText, textOf } from '../support/fake-anthropic';
import { type Stack, useStack } from '../support/stack';

interface ChatRequest {
  model: string;
  messages: Array<{
    role: string;
    content: string | Array<{ type: string; text?: string; image_url?: { url: string } }>;
  }>;
  tools: Array<{ type: 'function'; function: { name: string; parameters: unknown } }>;
  [key: string]: unknown;
}

function fixture(name: string): ChatRequest {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/requests', name), 'utf8')) as ChatRequest;
}

interface Replayed {
  status: number;
  contentType: string;
  events: string[];
  chunks: Array<{
    choices: Array<{ delta?: { content?: string }; finish_reason?: string | null }>;
    usage?: { prompt_tokens: number; completion_tokens: number };
  }>;
}

async function replay(stack: Stack, body: ChatRequest): Promise<Replayed> {
  const res = await fetch(`${stack.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer cli2api' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      assert.ok(e.startsWith('data: '), `an SSE data event: ${e.slice(0, 80)}`);
      return e.slice('data: '.length);
    });
  const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e) as Replayed['chunks'][number]);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', events, chunks };
}

/** Checks what every replay must show: a complete stream, the tools and the image at the model. */
function checkReplay(stack: Stack, req: ChatRequest, out: Replayed, answer: string) {
  assert.equal(out.status, 200);
  assert.match(out.contentType, /^text\/event-stream/);
  assert.equal(out.events.at(-1), '[DONE]');
  assert.equal(out.events.filter((e) => e === '[DONE]').length, 1);
  assert.equal(out.chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), answer);
  assert.deepEqual(
    out.chunks.flatMap((c) => (c.choices[0]?.finish_reason ? [c.choices[0].finish_reason] : [])),
    ['stop'],
  );
  const usage = out.chunks.at(-1)!;
  assert.deepEqual(usage.choices, [], 'include_usage: a final usage chunk with no choices');
  assert.ok(usage.usage && usage.usage.completion_tokens > 0);

  assert.equal(stack.fake.messageRequests.length, 1);
  const body = stack.fake.messageRequests[0]!.body;
  const offered = (body.tools ?? []).map((t) => t.name);
  assert.deepEqual(
    offered.map((n) => n.replace(/^mcp__c__/, '')).sort(),
    req.tools.map((t) => t.function.name).sort(),
    `every client tool is offered, and nothing else: ${offered.join(', ')}`,
  );
  for (const t of req.tools) {
    const tool = body.tools!.find((o) => o.name.endsWith(`__${t.function.name}`))!;
    assert.deepEqual(tool.input_schema, t.function.parameters, `${t.function.name}: schema unchanged`);
  }

  const system = req.messages[0]!;
  const systemPrompt =
    typeof system.content === 'string' ? system.content : system.content.map((p) => p.text ?? '').join('');
  assert.ok(systemText(body).includes(systemPrompt), 'the whole system prompt reached the model');

  const last = lastMessage(body)!;
  assert.equal(last.role, 'user');
  const blocks = last.content as Array<Record<string, unknown>>;
  const image = blocks.find((b) => b.type === 'image');
  const url = (req.messages[1]!.content as Array<{ type: string; image_url?: { url: string } }>).find(
    (p) => p.type === 'image_url',
  )!.image_url!.url;
  assert.deepEqual(image?.source, { type: 'base64', media_type: 'image/png', data: url.slice(url.indexOf(',') + 1) });
  const userTexts = (req.messages[1]!.content as Array<{ type: string; text?: string }>)
    .filter((p) => p.type === 'text')
    .map((p) => p.text!);
  for (const t of userTexts)
    assert.ok(textOf(last.content).includes(t), `user text reached the model: ${t.slice(0, 40)}`);
}

describe('recorded client requests (Cline, Continue) replayed with fetch', function () {
  this.timeout(90_000);
  const stack = useStack();

  it('serves a Cline request (cache_control parts, 8 tools, image, include_usage) as a complete stream', async () => {
    const req = fixture('cline-chat.json');
    const answer = 'The test expects add(2, 3) to be 5; the function subtracts.';
    stack.fake.handle(() => ({
      kind: 'message',
      blocks: [
        { type: 'text', text: answer, chunks: ['The test expects ', 'add(2, 3) to be 5; ', 'the function subtracts.'] },
      ],
    }));
    const out = await replay(stack, req);
    checkReplay(stack, req, out, answer);
  });

  it('serves a Continue request (parallel_tool_calls false, detail low image, max_tokens, include_usage) as a complete stream', async () => {
    const req = fixture('continue-chat.json');
    const answer = 'A single pixel; it is drawn nowhere in the code.';
    stack.fake.handle(() => ({
      kind: 'message',
      blocks: [{ type: 'text', text: answer, chunks: ['A single pixel; ', 'it is drawn nowhere in the code.'] }],
    }));
    const out = await replay(stack, req);
    checkReplay(stack, req, out, answer);
    assert.match(
      systemText(stack.fake.messageRequests[0]!.body),
      /at most one tool per response/,
      'parallel_tool_calls false is stated to the model',
    );
    assert.equal(stack.fake.messageRequests[0]!.body.max_tokens, 4096, 'max_tokens reached the model');
  });
});
