/**
 * Conversations with history take the cold path (pooling off here): CLI2API writes the
 * earlier turns as a transcript the real CLI resumes. What reaches the API must be exactly the
 * client's history plus the CLI's own fixed additions — on 2.1.332 a "Today's date is …"
 * system message after the first turn and its environment as a trailing system message; on
 * 2.1.197 a `<system-reminder>` block at the start of the first user message — with nothing
 * empty, missing or twice, and nothing the real API would refuse (useStack checks that).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { compareVersions } from '../../src/cli/process/cli-versions';
import { CLAUDE_BIN } from '../support/cli-env';
import { type AnthropicRequestBody, lastToolResults, resultText } from '../support/fake-anthropic';
import { useStack } from '../support/stack';

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const VERSION = execFileSync(CLAUDE_BIN, ['--version']).toString().split(' ')[0]!;
/** 2.1.330 and newer send the CLI's context as role:"system" messages (per-turn control). */
const SYSTEM_TURNS = compareVersions(VERSION, '2.1.330') >= 0;
const TODAY = new Date().toLocaleDateString('sv-SE'); // YYYY-MM-DD, local time: the CLI's "today"

type Shape = { role: string; content: string[] };

/** Each message as its role and one short string per block (the CLI's own context blocks named, not quoted). */
function shape(body: AnthropicRequestBody): Shape[] {
  return body.messages.map((m) => ({
    role: m.role,
    content: (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content).map((b) => {
      if (b.type === 'text') {
        const text = String(b.text);
        if (text.startsWith('<system-reminder>')) return '<system-reminder>';
        if (text.startsWith('# Environment\n')) return '<environment>';
        return text;
      }
      if (b.type === 'image') return `image ${JSON.stringify(b.source)}`;
      if (b.type === 'tool_use') return `tool_use ${String(b.id)} ${String(b.name)} ${JSON.stringify(b.input)}`;
      if (b.type === 'tool_result') return `tool_result ${String(b.tool_use_id)} ${JSON.stringify(b.content)}`;
      return String(b.type);
    }),
  }));
}

/** What the pinned CLI adds around the client's turns (see the file comment). */
function withCliAdditions(turns: Shape[]): Shape[] {
  if (!SYSTEM_TURNS) {
    const [first, ...rest] = turns;
    return [{ role: 'user', content: ['<system-reminder>', ...first!.content] }, ...rest];
  }
  const [first, ...rest] = turns;
  return [
    first!,
    { role: 'system', content: [`Today's date is ${TODAY}.`] },
    ...rest,
    { role: 'system', content: ['<environment>'] },
  ];
}

const resultIs = (body: AnthropicRequestBody, id: string, text: string) => {
  const results = lastToolResults(body);
  assert.deepEqual(
    results.map((r) => [r.tool_use_id, resultText(r.content).trim()]),
    [[id, text]],
  );
};

describe(`resumed conversations reach the API exactly (Claude Code ${VERSION})`, function () {
  this.timeout(90_000);
  const stack = useStack();

  it('a system prompt plus earlier turns (Chat Completions)', async () => {
    stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'Your name is Ada, matey.' }] });
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Talk like a pirate.' },
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Ahoy, Ada!' },
        { role: 'user', content: 'What is my name?' },
      ],
    });
    const [sent] = stack.fake.messageRequests;
    assert.equal(stack.fake.messageRequests.length, 1);
    assert.ok(
      (sent!.body.system as Array<{ text: string }>).some((b) => b.text === 'Talk like a pirate.'),
      'the system prompt, as given',
    );
    assert.deepEqual(
      shape(sent!.body),
      withCliAdditions([
        { role: 'user', content: ['My name is Ada.'] },
        { role: 'assistant', content: ['Ahoy, Ada!'] },
        { role: 'user', content: ['What is my name?'] },
      ]),
    );
  });

  it('a history that ends in tool results (Chat Completions, no process holding the call)', async () => {
    stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'Sunny in Paris.' }] });
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_w1', content: 'sunny' },
    ];
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
    ];
    const answer = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools });
    assert.equal(answer.choices[0]!.message.content, 'Sunny in Paris.');
    assert.equal(stack.fake.messageRequests.length, 1);
    const body = stack.fake.messageRequests[0]!.body;
    const sent = shape(body);
    const results = sent.at(SYSTEM_TURNS ? -2 : -1)!;
    assert.equal(results.role, 'user');
    assert.equal(results.content.length, 1);
    resultIs(body, 'call_w1', 'sunny');
    assert.deepEqual(
      sent,
      withCliAdditions([
        { role: 'user', content: ['Weather in Paris?'] },
        { role: 'assistant', content: ['Let me check.', 'tool_use call_w1 mcp__c__get_weather {"city":"Paris"}'] },
        results,
      ]),
    );
  });

  it('a history that ends in a function_call_output (Responses)', async () => {
    stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'Rain in Oslo.' }] });
    await stack.openai.responses.create({
      model: 'sonnet',
      store: false,
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }],
      input: [
        { role: 'user', content: 'Weather in Oslo?' },
        { type: 'function_call', call_id: 'call_o1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_o1', output: 'rain' },
      ],
    });
    assert.equal(stack.fake.messageRequests.length, 1);
    const body = stack.fake.messageRequests[0]!.body;
    const sent = shape(body);
    assert.equal(sent.at(SYSTEM_TURNS ? -2 : -1)!.content.length, 1, 'only the result');
    resultIs(body, 'call_o1', 'rain');
    assert.deepEqual(
      sent,
      withCliAdditions([
        { role: 'user', content: ['Weather in Oslo?'] },
        { role: 'assistant', content: ['tool_use call_o1 mcp__c__get_weather {"city":"Oslo"}'] },
        sent.at(SYSTEM_TURNS ? -2 : -1)!,
      ]),
    );
  });

  it('images in a user turn and in a tool result (Anthropic Messages)', async () => {
    stack.fake.reply({ kind: 'message', blocks: [{ type: 'text', text: 'Two white pixels.' }] });
    const image: Anthropic.ImageBlockParam = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: PNG },
    };
    const client = new Anthropic({ baseURL: stack.baseURL.replace(/\/v1$/, ''), apiKey: 'x', maxRetries: 0 });
    await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      tools: [{ name: 'screenshot', input_schema: { type: 'object', properties: {} } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_s1', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_s1', content: [{ type: 'text', text: 'shot:' }, image] },
          ],
        },
      ],
    });
    assert.equal(stack.fake.messageRequests.length, 1);
    const body = stack.fake.messageRequests[0]!.body;
    const imageShape = `image ${JSON.stringify(image.source)}`;
    const sent = shape(body);
    assert.deepEqual(
      sent,
      withCliAdditions([
        { role: 'user', content: ['What is this?', imageShape] },
        { role: 'assistant', content: ['tool_use toolu_s1 mcp__c__screenshot {}'] },
        sent.at(SYSTEM_TURNS ? -2 : -1)!,
      ]),
    );
    const [result] = lastToolResults(body);
    const inner = result!.content as Array<{ type: string; text?: string; source?: unknown }>;
    assert.equal(result!.tool_use_id, 'toolu_s1');
    assert.equal(sent.at(SYSTEM_TURNS ? -2 : -1)!.content.length, 1, 'only the result');
    assert.equal(inner.length, 2);
    assert.deepEqual(inner[0], { type: 'text', text: 'shot:' });
    assert.deepEqual(inner[1], image, 'the image in the tool result, unchanged');
  });
});
