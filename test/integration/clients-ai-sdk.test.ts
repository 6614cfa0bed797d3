/**
 * The Vercel AI SDK (`ai` v6 with `@ai-sdk/openai-compatible` v2) against CLI2API, through the
 * real CLI and the fake Anthropic API: text, streamed text, a multi-step tool loop whose tool
 * runs in the SDK (two requests through CLI2API), and generateObject with a zod schema.
 */
import assert from 'node:assert/strict';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import {
  type FakeReply,
  lastToolResults,
  lastUserText,
  offeredToolName,
  type RecordedRequest,
  resultText,
} from '../support/fake-anthropic';
import { useStack } from '../support/stack';

/** A model that answers through the CLI's StructuredOutput tool (offered for --json-schema), after some prose. */
function structuredModel(input: unknown) {
  return (req: RecordedRequest): FakeReply => {
    const tool = (req.body.tools ?? []).find((t) => t.name === 'StructuredOutput');
    if (!tool) return { kind: 'message', blocks: [{ type: 'text', text: 'no tool offered' }] };
    return {
      kind: 'message',
      blocks: [
        { type: 'text', text: 'Here it is:' },
        { type: 'tool_use', name: tool.name, input },
      ],
    };
  };
}

describe('Vercel AI SDK (openai-compatible provider) against CLI2API', function () {
  this.timeout(90_000);
  const stack = useStack();
  let provider: ReturnType<typeof createOpenAICompatible>;
  before(() => {
    // The default-provider generateObject test checks the SDK's warning itself; keep the output quiet.
    (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
    provider = createOpenAICompatible({ name: 'cli2api', baseURL: stack.baseURL, apiKey: 'x' });
  });

  it('generateText returns the model text, finish reason and usage', async () => {
    stack.fake.handle(() => ({
      kind: 'message',
      blocks: [{ type: 'text', text: 'Hello from the fake model.' }],
      usage: { input_tokens: 20, output_tokens: 7 },
    }));
    const result = await generateText({
      model: provider('sonnet'),
      system: 'Be terse.',
      prompt: 'Say hello',
      maxRetries: 0,
    });
    assert.equal(result.text, 'Hello from the fake model.');
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.usage.outputTokens, 7);
    assert.ok((result.usage.inputTokens ?? 0) >= 20);
    assert.equal(lastUserText(stack.fake.messageRequests[0]!.body), 'Say hello');
  });

  it('streamText delivers the deltas through textStream', async () => {
    const chunks = ['One, ', 'two, ', 'three.'];
    stack.fake.handle(() => ({ kind: 'message', blocks: [{ type: 'text', text: chunks.join(''), chunks }] }));
    const result = streamText({ model: provider('sonnet'), prompt: 'Count to three', maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    assert.equal(parts.join(''), 'One, two, three.');
    assert.ok(parts.length >= 2, `streamed in ${parts.length} part(s)`);
    assert.equal(await result.finishReason, 'stop');
  });

  it('runs a multi-step tool loop: the SDK executes the tool and sends the result back through CLI2API', async () => {
    stack.fake.handle((req) => {
      const results = lastToolResults(req.body);
      if (results.length > 0)
        return { kind: 'message', blocks: [{ type: 'text', text: `The weather: ${resultText(results[0]!.content)}` }] };
      return {
        kind: 'message',
        blocks: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Paris' } },
        ],
      };
    });
    const executed: string[] = [];
    const result = await generateText({
      model: provider('sonnet'),
      prompt: 'Weather in Paris?',
      maxRetries: 0,
      tools: {
        get_weather: tool({
          description: 'Current weather for a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            executed.push(city);
            return `18C and sunny in ${city}`;
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    assert.deepEqual(executed, ['Paris']);
    assert.equal(result.steps.length, 2);
    assert.equal(result.steps[0]!.finishReason, 'tool-calls');
    assert.deepEqual(
      result.steps[0]!.toolCalls.map((c) => [c.toolName, c.input]),
      [['get_weather', { city: 'Paris' }]],
    );
    assert.match(result.text, /^The weather: .*18C and sunny in Paris/);
    const requests = stack.fake.messageRequests;
    assert.equal(requests.length, 2, 'one model request per step');
    assert.deepEqual(
      (requests[0]!.body.tools ?? []).map((t) => t.name),
      [offeredToolName(requests[0]!, 'get_weather')],
    );
    const results = lastToolResults(requests[1]!.body);
    assert.equal(results.length, 1);
    assert.equal(results[0]!.tool_use_id, result.steps[0]!.toolCalls[0]!.toolCallId);
    assert.match(resultText(results[0]!.content), /18C and sunny in Paris/);
    assert.ok(
      stack.logLines.some((l) => /continued claude pid=\d+ with 1 tool result/.test(l)),
      'the held process was continued',
    );
  });

  const Weather = z.object({ city: z.string(), celsius: z.number() });

  it('generateObject with supportsStructuredOutputs: response_format json_schema with the zod schema', async () => {
    stack.fake.handle(structuredModel({ city: 'Oslo', celsius: -3 }));
    const requests: Array<Record<string, unknown>> = [];
    const recording = createOpenAICompatible({
      name: 'cli2api',
      baseURL: stack.baseURL,
      apiKey: 'x',
      supportsStructuredOutputs: true,
      fetch: async (url, init) => {
        requests.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
        return fetch(url, init);
      },
    });
    const result = await generateObject({
      model: recording('sonnet'),
      schema: Weather,
      prompt: 'Weather in Oslo?',
      maxRetries: 0,
    });
    assert.deepEqual(result.object, { city: 'Oslo', celsius: -3 });
    const format = requests[0]!.response_format as {
      type: string;
      json_schema: { schema: { required: string[] }; strict: boolean };
    };
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.strict, true);
    const offered = stack.fake.messageRequests[0]!.body.tools!.find((t) => t.name === 'StructuredOutput');
    assert.deepEqual((offered?.input_schema as { required?: string[] }).required, ['city', 'celsius']);
  });

  it('generateObject with the default provider: response_format json_object (schema dropped by the SDK), still parsed', async () => {
    stack.fake.handle(structuredModel({ city: 'Rome', celsius: 25 }));
    const result = await generateObject({
      model: provider('sonnet'),
      schema: Weather,
      prompt: 'Weather in Rome?',
      maxRetries: 0,
    });
    assert.deepEqual(result.object, { city: 'Rome', celsius: 25 });
    assert.ok(
      result.warnings?.some((w) => w.type === 'unsupported' && 'feature' in w && w.feature === 'responseFormat'),
      `the SDK warns that the schema is not sent: ${JSON.stringify(result.warnings)}`,
    );
  });
});
