/**
 * A fake Anthropic Messages API on 127.0.0.1 for the real Claude Code CLI to talk to.
 *
 * Tests script replies with `fake.reply(...)`/`fake.handle(...)`; every request the CLI
 * sends is recorded in `fake.requests`. Replies are served as SSE when the CLI asks for a
 * stream and as plain JSON otherwise (the CLI retries without `stream` after a failed stream).
 *
 * It is as strict as the real API: a request the real API would refuse (see
 * src/doctor/messages-api-rules.ts) gets the same 400 `invalid_request_error` and is noted
 * in `fake.refusals` (useStack fails a test that caused one). CLI 2.1.332 sends a refused
 * request twice more with fewer `anthropic-beta` values, so it is recorded three times.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { betasOf, messagesApiViolations } from '../../src/doctor/messages-api-rules';

export type FakeBlock =
  | { type: 'text'; text: string; chunks?: string[] }
  | { type: 'thinking'; thinking: string }
  | { type: 'tool_use'; name: string; input: unknown; id?: string; chunks?: string[] };

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export type FakeReply =
  | {
      kind: 'message';
      blocks: FakeBlock[];
      stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';
      usage?: FakeUsage;
      /** Pause before each content delta (ms). */
      deltaDelayMs?: number;
      /** Extra response headers (e.g. Anthropic's unified rate-limit headers). */
      headers?: Record<string, string>;
      /**
       * Awaited before the n-th content delta of a streamed reply (0-based, across blocks):
       * lets a test hold the stream at a point until something has happened, without timing.
       */
      beforeDelta?: (n: number) => Promise<void> | void;
    }
  | { kind: 'error'; status: number; errorType: string; message: string; headers?: Record<string, string> }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Send the start of a streamed message, then cut the connection. */
  | { kind: 'truncate'; text: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: AnthropicRequestBody;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** Once the reply is over: whether the CLI took all of it, or hung up before its end. */
  replied?: 'whole' | 'cut';
}

export interface AnthropicRequestBody {
  model: string;
  messages: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
  system?: string | Array<{ type: string; text: string }>;
  tools?: Array<{ name: string; description?: string; input_schema?: unknown }>;
  stream?: boolean;
  max_tokens?: number;
  [key: string]: unknown;
}

type Handler = (req: RecordedRequest) => FakeReply;

const DEFAULT_USAGE: FakeUsage = { input_tokens: 12, output_tokens: 5 };
/** Streamed replies whose client hung up before their end. */
const cut = new WeakSet<http.ServerResponse>();

export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  /** Requests answered 400 because the real API would refuse them, with the reason it would give. */
  readonly refusals: Array<{ request: RecordedRequest; message: string }> = [];
  private server = http.createServer((req, res) => void this.serve(req, res));
  private queue: FakeReply[] = [];
  private handler: Handler | undefined;
  private readonly openSockets = new Set<Socket>();
  private counter = 0;

  constructor() {
    this.server.on('connection', (s) => {
      this.openSockets.add(s);
      s.on('close', () => this.openSockets.delete(s));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Replies served in order to the next model requests (after them, the handler or an echo). */
  reply(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** A function that decides every reply not taken from the queue. */
  handle(handler: Handler | undefined): this {
    this.handler = handler;
    return this;
  }

  /** The refusals so far, forgotten: for a test that causes some on purpose (useStack fails a test that leaves any). */
  takeRefusals(): string[] {
    return this.refusals.splice(0).map((r) => r.message);
  }

  reset(): void {
    this.requests.length = 0;
    this.refusals.length = 0;
    this.queue = [];
    this.handler = undefined;
  }

  /** Requests that asked the model for an answer (the CLI may also probe with HEAD). */
  get messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/messages'));
  }

  async stop(): Promise<void> {
    for (const s of this.openSockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    if (req.method !== 'POST' || !path.startsWith('/v1/messages')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const body = JSON.parse(raw) as AnthropicRequestBody;
    const recorded: RecordedRequest = { method: req.method, path, headers: req.headers, body, receivedAt: Date.now() };
    this.requests.push(recorded);
    if (path.startsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: 10 }));
      return;
    }
    const violation = messagesApiViolations(body, betasOf(req.headers['anthropic-beta']))[0];
    if (violation !== undefined) {
      this.refusals.push({ request: recorded, message: violation });
      await this.send(
        { kind: 'error', status: 400, errorType: 'invalid_request_error', message: violation },
        false,
        body.model,
        res,
      );
      return;
    }
    const reply = this.queue.shift() ?? this.handler?.(recorded) ?? echoReply(recorded);
    await this.send(reply, body.stream === true, body.model, res);
    recorded.replied = cut.has(res) ? 'cut' : 'whole';
  }

  private async send(reply: FakeReply, stream: boolean, model: string, res: http.ServerResponse): Promise<void> {
    if (reply.kind === 'hang') return; // the socket stays open until the client gives up
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify({ type: 'error', error: { type: reply.errorType, message: reply.message } }));
      return;
    }
    const id = `msg_fake_${++this.counter}`;
    if (reply.kind === 'truncate') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse('message_start', { type: 'message_start', message: messageShell(id, model, DEFAULT_USAGE) }));
      res.write(
        sse('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
      );
      res.write(
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: reply.text },
        }),
      );
      // Let the CLI read what was sent before the connection drops.
      await sleep(300);
      res.destroy();
      return;
    }
    const usage = reply.usage ?? DEFAULT_USAGE;
    const stopReason = reply.stopReason ?? (reply.blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    const blocks = reply.blocks.map((b, i) =>
      b.type === 'tool_use' ? { ...b, id: b.id ?? `toolu_fake_${this.counter}_${i}` } : b,
    );
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
      res.end(
        JSON.stringify({ ...messageShell(id, model, usage), content: blocks.map(finalBlock), stop_reason: stopReason }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
    res.flushHeaders();
    const write = (event: string, data: unknown) => {
      if (!res.destroyed) res.write(sse(event, data));
    };
    write('message_start', { type: 'message_start', message: messageShell(id, model, { ...usage, output_tokens: 1 }) });
    let sent = 0;
    for (const [index, block] of blocks.entries()) {
      write('content_block_start', { type: 'content_block_start', index, content_block: startBlock(block) });
      for (const delta of deltas(block)) {
        if (reply.deltaDelayMs) await sleep(reply.deltaDelayMs);
        await reply.beforeDelta?.(sent++);
        write('content_block_delta', { type: 'content_block_delta', index, delta });
      }
      write('content_block_stop', { type: 'content_block_stop', index });
    }
    write('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    if (stopReason === 'max_tokens' && !res.destroyed) {
      // The CLI starts its own continuation request once the cut message ends (20–45 ms later on an
      // idle machine); CLI2API stops the CLI at this message_delta, before that. The real API sends
      // message_stop at once, which makes the tests a race a loaded machine can lose; held here until
      // the CLI is gone (or 5 s, after which a CLI that was not stopped makes its second request and
      // the test that counts requests fails), the tests check the mechanism without timing.
      await Promise.race([new Promise((resolve) => res.once('close', resolve)), sleep(5_000)]);
    }
    write('message_stop', { type: 'message_stop' });
    if (res.destroyed) cut.add(res);
    res.end();
  }
}

/** The default answer: repeats the last user text, so tests can see what reached the model. */
export function echoReply(req: RecordedRequest): FakeReply {
  return { kind: 'message', blocks: [{ type: 'text', text: `echo: ${lastUserText(req.body)}` }] };
}

/** The plain text of the last user message, without the CLI's `<system-reminder>` blocks. */
export function lastUserText(body: AnthropicRequestBody): string {
  const users = body.messages.filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  return last ? textOf(last.content) : '';
}

export function textOf(content: AnthropicRequestBody['messages'][number]['content']): string {
  if (typeof content === 'string') return stripReminders(content);
  return content
    .filter((b) => b.type === 'text')
    .map((b) => stripReminders(String(b.text)))
    .filter((t) => t.length > 0)
    .join('\n');
}

/** The system prompt text the model received, with the CLI's billing/SDK preamble blocks. */
export function systemText(body: AnthropicRequestBody): string {
  if (typeof body.system === 'string') return body.system;
  return (body.system ?? []).map((b) => b.text).join('\n');
}

function stripReminders(text: string): string {
  return text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();
}

function messageShell(id: string, model: string, usage: FakeUsage) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...usage },
  };
}

function startBlock(block: FakeBlock & { id?: string }) {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: '' };
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: {} };
  }
}

function finalBlock(block: FakeBlock & { id?: string }) {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking, signature: 'sig_fake' };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
  }
}

function deltas(block: FakeBlock): Array<Record<string, string>> {
  switch (block.type) {
    case 'text':
      return (block.chunks ?? [block.text]).map((text) => ({ type: 'text_delta', text }));
    case 'thinking':
      return [
        { type: 'thinking_delta', thinking: block.thinking },
        { type: 'signature_delta', signature: 'sig_fake' },
      ];
    case 'tool_use':
      return (block.chunks ?? [JSON.stringify(block.input)]).map((partial_json) => ({
        type: 'input_json_delta',
        partial_json,
      }));
  }
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The name under which the CLI offered the client's tool `clientName` (it adds an MCP prefix). */
export function offeredToolName(req: RecordedRequest, clientName: string): string {
  const tool = (req.body.tools ?? []).find((t) => t.name === clientName || t.name.endsWith(`__${clientName}`));
  if (!tool)
    throw new Error(
      `tool ${clientName} was not offered; offered: ${(req.body.tools ?? []).map((t) => t.name).join(', ')}`,
    );
  return tool.name;
}

/**
 * The conversation's messages without the `role:"system"` messages CLI 2.1.332 adds by
 * itself (the date after the first turn, its environment at the end).
 */
export function conversation(body: AnthropicRequestBody): AnthropicRequestBody['messages'] {
  return body.messages.filter((m) => m.role !== 'system');
}

/** The last message of the conversation (not the CLI's trailing system message). */
export function lastMessage(body: AnthropicRequestBody): AnthropicRequestBody['messages'][number] | undefined {
  return conversation(body).at(-1);
}

/** Tool results in the last user message, as the model received them. */
export function lastToolResults(
  body: AnthropicRequestBody,
): Array<{ tool_use_id: string; content: unknown; is_error?: boolean }> {
  const last = lastMessage(body);
  if (!last || typeof last.content === 'string') return [];
  return last.content.filter((b) => b.type === 'tool_result') as Array<{
    tool_use_id: string;
    content: unknown;
    is_error?: boolean;
  }>;
}

/** A tool result's text, whether the CLI sent it as a string or as content blocks. */
export function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: { text?: string }) => b.text ?? '').join('');
  return JSON.stringify(content);
}
