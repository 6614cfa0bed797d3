/**
 * The capabilities CLI2API relies on, each checked by doing what CLI2API does: a model
 * request through the product's own CLI process manager, with the user's CLI, against the
 * doctor's loopback API. Each check names the rows it reports; a row passes only when the
 * CLI did the right thing AND sent nothing the real Messages API would refuse.
 */
import type { CliManager } from '../cli/cli-manager';
import type { CliLine, ResultLine } from '../cli/events';
import type { ContentBlock, ModelRequest, Turn } from '../core/model-request';
import type { ApiRequest, LoopbackApi } from './loopback-api';
import { conversationDifference } from './sent-conversation';

export interface Harness {
  api: LoopbackApi;
  cli: CliManager;
  /** Resolves once every CLI process the doctor started has exited. */
  noProcesses(): Promise<void>;
}

export interface Check {
  rows: string[];
  /** One failure detail per row (undefined: the row passes). */
  run(h: Harness): Promise<Array<string | undefined>>;
}

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const SYSTEM = 'You are the CLI2API doctor. Answer in one short line.';
const MODEL = 'sonnet';
const text = (t: string): ContentBlock => ({ type: 'text', text: t });
const user = (...content: ContentBlock[]): Turn => ({ role: 'user', content });
const assistant = (...content: ContentBlock[]): Turn => ({ role: 'assistant', content });
const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const request = (turns: Turn[], extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: MODEL,
  system: SYSTEM,
  turns,
  ...extra,
});

export const CHECKS: Check[] = [
  {
    rows: ['stream-json input and output', 'partial messages (streamed deltas)', 'system prompt through initialize'],
    async run(h) {
      const chunks = ['The doctor ', 'hears ', 'you.'];
      h.api.script(() => ({ blocks: [{ type: 'text', text: chunks.join(''), chunks }] }));
      const { lines, result } = await runOnce(h, request([user(text('Say something.'))]));
      const sent = onlyRequest(h.api);
      const deltas = lines.flatMap((l) =>
        l.type === 'stream_event' && l.event.type === 'content_block_delta' && l.event.delta.type === 'text_delta'
          ? [l.event.delta.text ?? '']
          : [],
      );
      return [
        refused(h.api) ??
          (result.is_error === false && result.result === chunks.join('')
            ? undefined
            : `the result line was ${JSON.stringify(result).slice(0, 200)}`),
        deltas.join('') === chunks.join('') && deltas.length >= chunks.length
          ? undefined
          : `text deltas ${JSON.stringify(deltas)}, expected ${JSON.stringify(chunks)}`,
        systemBlocks(sent).includes(SYSTEM)
          ? undefined
          : `the system prompt sent was ${JSON.stringify(systemBlocks(sent)).slice(0, 200)}`,
      ];
    },
  },
  {
    rows: ['client tools over MCP (call held, then answered)'],
    async run(h) {
      const call = { type: 'tool_use' as const, id: 'toolu_doctor_1', name: 'get_weather', input: { city: 'Paris' } };
      h.api.script((req) =>
        lastResults(req).length > 0
          ? { blocks: [{ type: 'text', text: 'It is sunny in Paris.' }] }
          : { blocks: [{ ...call, name: offered(req, 'get_weather') }] },
      );
      const first = request([user(text('Weather in Paris?'))], { tools: [weatherTool] });
      const held = await runOnce(h, first);
      if (held.result.stop_reason !== 'tool_use')
        return [`the model's tool call ended with ${held.result.stop_reason}`];
      if (h.cli.heldCalls !== 1) return [`${h.cli.heldCalls} tool calls held, expected 1`];
      const followUp = { ...first, turns: [...first.turns, assistant(call), user(toolResult(call.id, 'sunny'))] };
      const answered = await runOnce(h, followUp);
      const [ask, answer] = h.api.requests;
      const results = answer ? lastResults(answer) : [];
      return [
        refused(h.api) ??
          (h.api.requests.length !== 2
            ? `${h.api.requests.length} API requests, expected 2`
            : answered.result.result !== 'It is sunny in Paris.'
              ? `the answer was ${JSON.stringify(answered.result.result)}`
              : results.length !== 1 || results[0]!.tool_use_id !== call.id || !resultHas(results[0]!, 'sunny')
                ? `the tool result reached the model as ${JSON.stringify(results).slice(0, 200)}`
                : ask!.headers['x-claude-code-session-id'] !== answer!.headers['x-claude-code-session-id']
                  ? 'the result went to a new CLI process, not to the one holding the call'
                  : undefined),
      ];
    },
  },
  {
    rows: ['resume a conversation (transcript, exact messages)'],
    async run(h) {
      const turns = [
        user(text('My name is Ada.')),
        assistant(text('Nice to meet you, Ada.')),
        user(text('What is my name?')),
      ];
      h.api.script(() => ({ blocks: [{ type: 'text', text: 'Your name is Ada.' }] }));
      await runOnce(h, request(turns));
      return [refused(h.api) ?? conversationDifference(onlyRequest(h.api).body.messages, turns)];
    },
  },
  {
    rows: ['resume a conversation ending in tool results'],
    async run(h) {
      const call: ContentBlock = {
        type: 'tool_use',
        id: 'call_doctor_w',
        name: 'get_weather',
        input: { city: 'Paris' },
      };
      const turns = [
        user(text('Weather in Paris?')),
        assistant(text('Let me check.'), call),
        user(toolResult('call_doctor_w', 'sunny')),
      ];
      h.api.script(() => ({ blocks: [{ type: 'text', text: 'Sunny.' }] }));
      await runOnce(h, request(turns, { tools: [weatherTool] }));
      return [refused(h.api) ?? conversationDifference(onlyRequest(h.api).body.messages, turns)];
    },
  },
  {
    rows: ['images in a user turn and in a tool result'],
    async run(h) {
      const image: ContentBlock = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } };
      const call: ContentBlock = { type: 'tool_use', id: 'call_doctor_s', name: 'screenshot', input: {} };
      const turns = [
        user(text('What is in this picture?'), image),
        assistant(call),
        user({ type: 'tool_result', tool_use_id: 'call_doctor_s', content: [text('The screen:'), image] }),
      ];
      const tools = [{ name: 'screenshot', description: 'Takes a screenshot.', parameters: { type: 'object' } }];
      h.api.script(() => ({ blocks: [{ type: 'text', text: 'One white pixel.' }] }));
      await runOnce(h, request(turns, { tools }));
      return [refused(h.api) ?? conversationDifference(onlyRequest(h.api).body.messages, turns)];
    },
  },
  {
    rows: ['structured output (--json-schema)'],
    async run(h) {
      const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
      h.api.script((req) =>
        lastResults(req).length > 0
          ? { blocks: [{ type: 'text', text: 'Done.' }] }
          : {
              blocks: [{ type: 'tool_use', id: 'toolu_doctor_so', name: 'StructuredOutput', input: { answer: '42' } }],
            },
      );
      const { lines } = await runOnce(h, request([user(text('The answer?'))], { jsonSchema: schema }));
      const answer = lines
        .flatMap((l) =>
          l.type === 'stream_event' && l.event.type === 'content_block_delta' ? [l.event.delta.text] : [],
        )
        .join('');
      return [
        refused(h.api) ?? (answer === '{"answer":"42"}' ? undefined : `the answer was ${JSON.stringify(answer)}`),
      ];
    },
  },
  {
    rows: ['output limit (CLAUDE_CODE_MAX_OUTPUT_TOKENS)', 'one API call for an answer cut at the limit'],
    async run(h) {
      h.api.script(() => ({ blocks: [{ type: 'text', text: 'This answer is cut' }], stopReason: 'max_tokens' }));
      const { result } = await runOnce(h, request([user(text('Write a long essay.'))], { maxOutputTokens: 300 }));
      // The cut process is gone once the run returned; let a request it had already sent arrive.
      await h.noProcesses();
      await new Promise((r) => setTimeout(r, 500));
      const first = h.api.requests[0];
      return [
        refused(h.api) ??
          (first?.body.max_tokens !== 300
            ? `max_tokens ${String(first?.body.max_tokens)} reached the API, expected 300`
            : result.stop_reason !== 'max_tokens'
              ? `the answer ended with ${result.stop_reason}, expected max_tokens`
              : undefined),
        h.api.requests.length === 1
          ? undefined
          : `${h.api.requests.length} API requests for one cut answer (the CLI continued after max_tokens)`,
      ];
    },
  },
];

async function runOnce(h: Harness, req: ModelRequest): Promise<{ lines: CliLine[]; result: ResultLine }> {
  const lines: CliLine[] = [];
  const run = h.cli.run(req, AbortSignal.timeout(90_000));
  for (;;) {
    const next = await run.next();
    if (next.done) return { lines, result: next.value };
    lines.push(next.value);
  }
}

function onlyRequest(api: LoopbackApi): ApiRequest {
  if (api.requests.length !== 1) throw new Error(`${api.requests.length} API requests, expected 1`);
  return api.requests[0]!;
}

/** The real API's reason to refuse a request the CLI sent, if it sent one. */
function refused(api: LoopbackApi): string | undefined {
  const r = api.requests.find((q) => q.refusal !== undefined);
  return r && `the CLI sent a request the real API refuses: ${r.refusal}`;
}

function systemBlocks(req: ApiRequest): string[] {
  const system = req.body.system;
  if (typeof system === 'string') return [system];
  return Array.isArray(system) ? system.map((b: { text?: string }) => b.text ?? '') : [];
}

function offered(req: ApiRequest, name: string): string {
  const tool = (req.body.tools ?? []).find((t) => t.name === name || t.name.endsWith(`__${name}`));
  if (!tool) throw new Error(`the tool ${name} was not offered to the model`);
  return tool.name;
}

type ResultBlock = { tool_use_id: string; content: unknown };

function lastResults(req: ApiRequest): ResultBlock[] {
  const last = req.body.messages.filter((m) => m.role !== 'system').at(-1);
  return Array.isArray(last?.content)
    ? (last.content as Array<ResultBlock & { type: string }>).filter((b) => b.type === 'tool_result')
    : [];
}

function resultHas(result: ResultBlock, expected: string): boolean {
  const content = result.content;
  const texts =
    typeof content === 'string'
      ? [content]
      : Array.isArray(content)
        ? content.map((b: { text?: string }) => b.text)
        : [];
  return texts.some((t) => t?.trim() === expected);
}

function toolResult(id: string, content: string): ContentBlock {
  return { type: 'tool_result', tool_use_id: id, content };
}
