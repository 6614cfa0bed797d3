/**
 * The MCP server CLI2API plays for one CLI process, over the CLI's control channel
 * (`sdkMcpServers`): it lists the request's tools and HOLDS every `tools/call` until the
 * client sends the result in a later HTTP request (or the call is abandoned).
 */
import type { ControlRequestLine } from '../events';
import type { McpTool } from './tool-set';

interface JsonRpc {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: { protocolVersion?: string; name?: string; arguments?: unknown; _meta?: Record<string, unknown> };
}

/** What the bridge needs of a CLI process: its control channel (a ClaudeProcess is one). */
export interface ControlChannel {
  readonly alive: boolean;
  onControlRequest: ((req: ControlRequestLine) => void) | undefined;
  send(message: unknown): void;
  rejectControl(requestId: string, error: string): void;
}

/** A `tools/call` the CLI made and nobody has answered yet. */
export interface PendingCall {
  toolUseId: string;
  answer(text: string, isError: boolean): void;
}

export class ToolBridge {
  private tools: McpTool[] = [];
  private readonly pendingCalls = new Map<string, PendingCall>();
  private waiters: Array<() => void> = [];

  constructor(private readonly channel: ControlChannel) {
    channel.onControlRequest = (req) => this.onControlRequest(req);
  }

  setTools(tools: McpTool[]): void {
    this.tools = tools;
  }

  /** Calls the CLI has made and nobody has answered yet, by tool_use id. */
  get pending(): ReadonlyMap<string, PendingCall> {
    return this.pendingCalls;
  }

  /** Resolves once a call for every id has arrived (they follow the tool_use blocks by a few ms). */
  async waitForCalls(ids: string[], signal: AbortSignal): Promise<void> {
    while (!ids.every((id) => this.pendingCalls.has(id))) {
      if (signal.aborted || !this.channel.alive) return;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Answers the call for `toolUseId`; false when the CLI has made no such call (yet). */
  answer(toolUseId: string, text: string, isError: boolean): boolean {
    const call = this.pendingCalls.get(toolUseId);
    if (!call) return false;
    this.pendingCalls.delete(toolUseId);
    call.answer(text, isError);
    return true;
  }

  private onControlRequest(req: ControlRequestLine): void {
    if (req.request.subtype !== 'mcp_message') {
      this.channel.rejectControl(req.request_id, `CLI2API does not handle ${req.request.subtype}`);
      return;
    }
    const message = (req.request as { message?: JsonRpc }).message ?? ({ jsonrpc: '2.0' } as JsonRpc);
    const reply = (result: unknown) =>
      this.channel.send({
        type: 'control_response',
        response: {
          subtype: 'success',
          request_id: req.request_id,
          response: { mcp_response: { jsonrpc: '2.0', id: message.id ?? 0, result } },
        },
      });
    switch (message.method) {
      case 'initialize':
        reply({
          protocolVersion: message.params?.protocolVersion ?? '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'cli2api', version: '1' },
        });
        return;
      case 'tools/list':
        reply({ tools: this.tools });
        return;
      case 'tools/call': {
        const toolUseId = String(message.params?._meta?.['claudecode/toolUseId'] ?? message.id);
        this.pendingCalls.set(toolUseId, {
          toolUseId,
          answer: (text, isError) => reply({ content: [{ type: 'text', text }], isError }),
        });
        for (const w of this.waiters.splice(0)) w();
        return;
      }
      default:
        // Notifications and pings: acknowledge.
        reply({});
    }
  }
}
