/**
 * LangChain JS (`@langchain/openai` 0.6 ChatOpenAI, `@langchain/core` 0.3) against CLI2API,
 * through the real CLI and the fake Anthropic API: invoke, stream, a bindTools round trip
 * (AIMessage.tool_calls → ToolMessage → final answer) and withStructuredOutput(zod).
 */
import assert from 'node:assert/strict';
import {
  type AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import {
  type FakeReply,
  lastToolResults,
  lastUserText,
  offeredToolName,
  type RecordedRequest,
  resultText,
  systemText,
} from '../support/fake-anthropic';
import { type Stack, startStack } from '../support/stack';

describe('LangChain ChatOpenAI against CLI2API', function () {
  this.timeout(90_000);
  let stack: Stack;
  /** Chat Completions bodies LangChain sent, as CLI2API received them. */
  let sent: Array<Record<string, unknown>>;
  let model: ChatOpenAI;

  before(async () => {
    stack = await startStack();
    model = new ChatOpenAI({
      model: 'sonnet',
      apiKey: 'x',
      maxRetries: 0,
      configuration: {
        baseURL: stack.baseURL,
        fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
          if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
          return fetch(url, init);
        },
      },
    });
  });
  after(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    stack.fake.reset();
    sent = [];
  });
  afterEach(async () => {
    assert.equal(stack.server.cli.heldCalls, 0, 'no tool call is left waiting');
    await stack.assertNoProcesses();
  });

  it('invoke returns an AIMessage with the text and usage metadata', async () => {
    stack.fake.handle(() => ({
      kind: 'message',
      blocks: [{ type: 'text', text: 'Bonjour!' }],
      usage: { input_tokens: 30, output_tokens: 4 },
    }));
    const answer = await model.invoke([new SystemMessage('You translate to French.'), new HumanMessage('Hello!')]);
    assert.equal(answer.content, 'Bonjour!');
    assert.equal(answer.usage_metadata?.output_tokens, 4);
    assert.equal(answer.response_metadata.finish_reason, 'stop');
    const body = stack.fake.messageRequests[0]!.body;
    assert.match(systemText(body), /You translate to French\./);
    assert.equal(lastUserText(body), 'Hello!');
  });

  it('stream yields the deltas as AIMessageChunks', async () => {
    const chunks = ['Le ', 'chat ', 'noir.'];
    stack.fake.handle(() => ({ kind: 'message', blocks: [{ type: 'text', text: chunks.join(''), chunks }] }));
    const parts: string[] = [];
    let last: AIMessageChunk | undefined;
    for await (const chunk of await model.stream('The black cat, in French?')) {
      if (typeof chunk.content === 'string' && chunk.content) parts.push(chunk.content);
      last = last ? last.concat(chunk) : chunk;
    }
    assert.equal(parts.join(''), 'Le chat noir.');
    assert.ok(parts.length >= 2, `streamed in ${parts.length} part(s)`);
    assert.equal(last?.content, 'Le chat noir.');
    assert.deepEqual(sent[0]!.stream_options, { include_usage: true }, 'LangChain asks for usage when streaming');
    assert.ok((last?.usage_metadata?.output_tokens ?? 0) > 0, 'the usage chunk reached LangChain');
  });

  it('bindTools: tool_calls on the AIMessage, the ToolMessage reaches the model as a tool_result, then the final answer', async () => {
    stack.fake.handle((req: RecordedRequest): FakeReply => {
      const results = lastToolResults(req.body);
      if (results.length > 0)
        return { kind: 'message', blocks: [{ type: 'text', text: `It is ${resultText(results[0]!.content)}.` }] };
      return {
        kind: 'message',
        blocks: [{ type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Lima' } }],
      };
    });
    // (The input is typed by hand: @langchain/core 0.3's overloads do not infer it from this zod 4 schema.)
    const getWeather = tool(async (input: unknown) => `cloudy in ${(input as { city: string }).city}`, {
      name: 'get_weather',
      description: 'Current weather for a city',
      schema: z.object({ city: z.string().describe('City name') }),
    });
    const withTools = model.bindTools([getWeather]);
    const messages: BaseMessage[] = [new HumanMessage('Weather in Lima?')];
    const first = (await withTools.invoke(messages)) as AIMessage;
    assert.equal(first.tool_calls?.length, 1);
    const call = first.tool_calls![0]!;
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.args, { city: 'Lima' });
    assert.ok(call.id);
    assert.equal(first.response_metadata.finish_reason, 'tool_calls');
    const offered = stack.fake.messageRequests[0]!.body.tools!;
    assert.equal(offered.length, 1);
    assert.deepEqual((offered[0]!.input_schema as { required?: string[] }).required, ['city']);

    const output = (await getWeather.invoke(call)) as ToolMessage;
    assert.ok(output instanceof ToolMessage);
    messages.push(first, output);
    const second = (await withTools.invoke(messages)) as AIMessage;
    assert.equal(second.content, 'It is cloudy in Lima.');
    assert.equal(second.tool_calls?.length ?? 0, 0);
    const results = lastToolResults(stack.fake.messageRequests.at(-1)!.body);
    assert.deepEqual(
      results.map((r) => [r.tool_use_id, resultText(r.content)]),
      [[call.id, 'cloudy in Lima']],
    );
  });

  const Book = z.object({ title: z.string(), year: z.number().int(), tags: z.array(z.string()) });
  const dune = { title: 'Dune', year: 1965, tags: ['sf'] };

  it('withStructuredOutput(zod) default method: response_format json_schema (for a non-OpenAI model name), parsed', async () => {
    stack.fake.handle((req: RecordedRequest): FakeReply => {
      const structured = (req.body.tools ?? []).find((t) => t.name === 'StructuredOutput');
      if (!structured) return { kind: 'message', blocks: [{ type: 'text', text: 'no StructuredOutput tool' }] };
      return {
        kind: 'message',
        blocks: [
          { type: 'text', text: 'Sure.' },
          { type: 'tool_use', name: structured.name, input: dune },
        ],
      };
    });
    // LangChain (zod v4) sends "$schema": "https://json-schema.org/draft/2020-12/schema" in json_schema.schema;
    // with that dialect line the CLI would offer no StructuredOutput tool, so CLI2API drops it.
    const book = await model.withStructuredOutput(Book, { name: 'book' }).invoke('A classic SF novel?');
    assert.deepEqual(book, dune);
    const format = sent[0]!.response_format as {
      type: string;
      json_schema: { name: string; schema: Record<string, unknown> };
    };
    assert.equal(format.type, 'json_schema', 'the default method for "sonnet" is jsonSchema');
    assert.equal(format.json_schema.name, 'book');
    assert.equal(format.json_schema.schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(sent[0]!.tools, undefined, 'not function calling');
    const offered = stack.fake.messageRequests[0]!.body.tools!.find((t) => t.name === 'StructuredOutput');
    assert.deepEqual((offered?.input_schema as { required?: string[] }).required, ['title', 'year', 'tags']);
  });

  it("withStructuredOutput(zod, { method: 'functionCalling' }): a forced tool call, parsed from tool_calls", async () => {
    stack.fake.handle((req: RecordedRequest): FakeReply => {
      if (lastToolResults(req.body).length > 0) return { kind: 'message', blocks: [{ type: 'text', text: 'noted' }] };
      return { kind: 'message', blocks: [{ type: 'tool_use', name: offeredToolName(req, 'book'), input: dune }] };
    });
    const structured = model.withStructuredOutput(Book, { name: 'book', method: 'functionCalling', includeRaw: true });
    const { raw, parsed } = await structured.invoke('A classic SF novel?');
    assert.deepEqual(parsed, dune);
    assert.deepEqual(sent[0]!.tool_choice, { type: 'function', function: { name: 'book' } });
    assert.equal(sent[0]!.response_format, undefined);
    assert.match(systemText(stack.fake.messageRequests[0]!.body), /must call the tool mcp__c__book/);
    // LangChain never answers the call it forced, so CLI2API still holds the CLI process for it
    // (until the request timeout). Answer it, as a client continuing the conversation would.
    const call = (raw as AIMessage).tool_calls![0]!;
    assert.equal(stack.server.cli.heldCalls, 1);
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'user', content: 'A classic SF novel?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: call.id!, type: 'function', function: { name: 'book', arguments: JSON.stringify(call.args) } },
          ],
        },
        { role: 'tool', tool_call_id: call.id!, content: 'ok' },
      ],
      tools: sent[0]!.tools as never,
    });
    assert.deepEqual(
      lastToolResults(stack.fake.messageRequests.at(-1)!.body).map((r) => r.tool_use_id),
      [call.id],
    );
  });
});
