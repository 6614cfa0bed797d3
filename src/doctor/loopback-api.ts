/**
 * The doctor's own Anthropic Messages API on 127.0.0.1: the user's CLI talks to it (with a
 * fake key and its own HOME), so no prompt, key or usage leaves the machine. It records
 * every request, refuses with the real API's 400 whatever the real API refuses (the shared
 * rules), and answers the rest with a scripted reply, streamed as the real API streams.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { betasOf, messagesApiViolations } from './messages-api-rules';

export type ReplyBlock =
  | { type: 'text'; text: string; chunks?: string[] }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface Reply {
  blocks: ReplyBlock[];
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
}

export interface ApiRequest {
  body: {
    model?: string;
    max_tokens?: number;
    stream?: boolean;
    system?: unknown;
    tools?: Array<{ name: string }>;
    messages: Array<{ role: string; content: unknown }>;
    [key: string]: unknown;
  };
  headers: http.IncomingHttpHeaders;
  /** The real API's reason to refuse it, when it would. */
  refusal?: string;
}

export class LoopbackApi {
  readonly requests: ApiRequest[] = [];
  private handler: (req: ApiRequest) => Reply = () => ({ blocks: [{ type: 'text', text: 'OK' }] });
  private readonly server = http.createServer((req, res) => void this.serve(req, res));
  private readonly sockets = new Set<Socket>();
  private counter = 0;

  constructor() {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forgets the requests so far and answers the next ones with `handler`. */
  script(handler: (req: ApiRequest) => Reply): void {
    this.requests.length = 0;
    this.handler = handler;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/messages')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    let body: ApiRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ApiRequest['body'];
    } catch {
      sendError(res, 'invalid_request_error', 'The request body is not valid JSON.');
      return;
    }
    if ((req.url ?? '').startsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens":10}');
      return;
    }
    const refusal = messagesApiViolations(body, betasOf(req.headers['anthropic-beta']))[0];
    const recorded: ApiRequest = { body, headers: req.headers, refusal };
    this.requests.push(recorded);
    if (refusal !== undefined) {
      sendError(res, 'invalid_request_error', refusal);
      return;
    }
    let reply: Reply;
    try {
      reply = this.handler(recorded);
    } catch (e) {
      sendError(res, 'api_error', `doctor: ${e instanceof Error ? e.message : String(e)}`, 500);
      return;
    }
    this.send(reply, body, res);
  }

  private send(reply: Reply, body: ApiRequest['body'], res: http.ServerResponse): void {
    const id = `msg_doctor_${++this.counter}`;
    const stopReason = reply.stopReason ?? (reply.blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    const usage = { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    const shell = { id, type: 'message', role: 'assistant', model: body.model ?? 'doctor', stop_sequence: null };
    if (body.stream !== true) {
      const content = reply.blocks.map((b) =>
        b.type === 'text'
          ? { type: 'text', text: b.text }
          : { type: 'tool_use', id: b.id, name: b.name, input: b.input },
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...shell, content, stop_reason: stopReason, usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    write('message_start', {
      type: 'message_start',
      message: { ...shell, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    });
    reply.blocks.forEach((block, index) => {
      const start =
        block.type === 'text'
          ? { type: 'text', text: '' }
          : { type: 'tool_use', id: block.id, name: block.name, input: {} };
      write('content_block_start', { type: 'content_block_start', index, content_block: start });
      const deltas =
        block.type === 'text'
          ? (block.chunks ?? [block.text]).map((text) => ({ type: 'text_delta', text }))
          : [{ type: 'input_json_delta', partial_json: JSON.stringify(block.input) }];
      for (const delta of deltas) write('content_block_delta', { type: 'content_block_delta', index, delta });
      write('content_block_stop', { type: 'content_block_stop', index });
    });
    write('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    write('message_stop', { type: 'message_stop' });
    res.end();
  }
}

function sendError(res: http.ServerResponse, type: string, message: string, status = 400): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}
