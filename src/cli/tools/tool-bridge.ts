/**
 * The MCP server CLI2API plays for one CLI process: the MCP SDK's `Server` on a transport
 * over the CLI's control channel (control-transport.ts). It lists the request's tools and
 * HOLDS every `tools/call` — its handler's promise stays open — until the client sends the
 * result in a later HTTP request, or the process ends.
 *
 * The CLI passes tool results to the model in the order it finishes the calls, and answers
 * written at once come out shuffled (measured with 12 parallel calls). So the results of one
 * follow-up go back one at a time, in the client's order, each once the CLI has printed the
 * tool_result of the one before; a result for a call the CLI has not made yet waits for it.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ContentBlock } from '../../core/model-request';
import { VERSION } from '../../version';
import { type ControlChannel, ControlTransport } from './control-transport';
import type { McpTool } from './tool-set';

export type { ControlChannel } from './control-transport';

/** A CLI process seen as the bridge needs it: its control channel and the tool results it prints. */
export interface ToolChannel extends ControlChannel {
  /** Called with the tool_use ids of every `user` line of tool results the CLI prints. */
  onToolResults: ((toolUseIds: string[]) => void) | undefined;
}

export type ToolResultBlock = Extract<ContentBlock, { type: 'tool_result' }>;

/** How long to wait for the CLI to print a result before sending the next anyway (a guard, not the rule). */
const RESULT_ECHO_MS = 5000;

export class ToolBridge {
  private tools: McpTool[] = [];
  /** Calls the CLI has made and nobody has answered yet: tool_use id → the held handler's resolve. */
  private readonly calls = new Map<string, (result: CallToolResult) => void>();
  /** Re-checked whenever a call arrives, a result is printed or the process ends; each removes itself. */
  private readonly waiters = new Set<() => void>();
  private readonly printed = new Set<string>();

  constructor(private readonly channel: ToolChannel) {
    const server = new Server({ name: 'cli2api', version: VERSION }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.tools }));
    server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      const toolUseId = String(request.params._meta?.['claudecode/toolUseId'] ?? extra.requestId);
      return new Promise<CallToolResult>((resolve) => {
        this.calls.set(toolUseId, resolve);
        // The CLI gave up on the call (notifications/cancelled): nothing to answer any more.
        extra.signal.addEventListener('abort', () => this.calls.delete(toolUseId), { once: true });
        this.wake();
      });
    });
    channel.onToolResults = (ids) => {
      for (const id of ids) this.printed.add(id);
      this.wake();
    };
    void channel.exited.then(() => {
      this.calls.clear();
      this.wake();
    });
    void server.connect(new ControlTransport(channel));
  }

  setTools(tools: McpTool[]): void {
    this.tools = tools;
  }

  /** Tool_use ids of the calls the CLI has made and nobody has answered yet. */
  get pendingCalls(): string[] {
    return [...this.calls.keys()];
  }

  /** Waits registered now (each wait holds one at most, however long it lasts). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Resolves once a call for every id has arrived (they follow the tool_use blocks by a few ms), the request is aborted or the process ends. */
  waitForCalls(ids: string[], signal: AbortSignal): Promise<void> {
    return this.until(() => ids.every((id) => this.calls.has(id)), signal);
  }

  /** Answers the call `toolUseId`; false when the CLI has made no such call (yet). */
  answer(toolUseId: string, content: ToolResultBlock['content'], isError: boolean): boolean {
    const resolve = this.calls.get(toolUseId);
    if (!resolve) return false;
    this.calls.delete(toolUseId);
    resolve({ content: mcpContent(content), isError });
    return true;
  }

  /**
   * Sends the results in the given order, each after the CLI has printed the one before, and
   * each once its call has arrived. Stops when the process ends; a result the CLI does not
   * print in time does not hold up the rest.
   */
  async answerInOrder(results: ToolResultBlock[]): Promise<void> {
    for (const r of results) {
      await this.until(() => this.calls.has(r.tool_use_id));
      if (!this.answer(r.tool_use_id, r.content, r.is_error === true)) return; // the process ended
      await this.until(() => this.printed.has(r.tool_use_id), AbortSignal.timeout(RESULT_ECHO_MS));
    }
  }

  /** Resolves once `condition` holds, `signal` aborts or the process ends; re-checked on every change. */
  private until(condition: () => boolean, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = () => {
        if (!condition() && this.channel.alive && !signal?.aborted) return;
        this.waiters.delete(check);
        signal?.removeEventListener('abort', check);
        resolve();
      };
      this.waiters.add(check);
      signal?.addEventListener('abort', check, { once: true });
      check();
    });
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** A client's tool result → MCP content: text as text, images as MCP images (base64 and MIME type). */
export function mcpContent(content: ToolResultBlock['content']): CallToolResult['content'] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: CallToolResult['content'] = [];
  for (const block of content) {
    if (block.type === 'text') out.push({ type: 'text', text: block.text });
    else if (block.type === 'image')
      out.push({ type: 'image', data: block.source.data, mimeType: block.source.media_type });
  }
  return out.length > 0 ? out : [{ type: 'text', text: '' }];
}
