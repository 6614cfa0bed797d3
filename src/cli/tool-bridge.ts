/**
 * The MCP server CLI2API plays for one CLI process, over the CLI's control channel
 * (`sdkMcpServers`): it lists the request's tools and HOLDS every `tools/call` until the
 * client sends the result in a later HTTP request (or the call is abandoned).
 */
import type { ControlRequestLine } from './events';
import type { ClaudeProcess } from './claude-process';
import type { McpTool } from './tools';

interface JsonRpc {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: { protocolVersion?: string; name?: string; arguments?: unknown; _meta?: Record<string, unknown> };
}

export interface HeldCall {
  toolUseId: string;
  answer(text: string, isError: boolean): void;
}

export class ToolBridge {
  private tools: McpTool[] = [];
  private readonly held = new Map<string, HeldCall>();
  private waiters: Array<() => void> = [];

  constructor(private readonly child: ClaudeProcess) {
    child.onControlRequest = (req) => this.onControlRequest(req);
  }

  setTools(tools: McpTool[]): void {
    this.tools = tools;
  }

  /** Calls the CLI has made and nobody has answered yet, by tool_use id. */
  get pending(): ReadonlyMap<string, HeldCall> {
    return this.held;
  }

  /** Resolves once a call for every id has arrived (they follow the tool_use blocks by a few ms). */
  async waitForCalls(ids: string[], signal: AbortSignal): Promise<void> {
    while (!ids.every((id) => this.held.has(id))) {
      if (signal.aborted || !this.child.alive) return;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  answer(toolUseId: string, text: string, isError: boolean): boolean {
    const call = this.held.get(toolUseId);
    if (!call) return false;
    this.held.delete(toolUseId);
    call.answer(text, isError);
    return true;
  }

  private onControlRequest(req: ControlRequestLine): void {
    if (req.request.subtype !== 'mcp_message') {
      this.child.rejectControl(req.request_id, `CLI2API does not handle ${req.request.subtype}`);
      return;
    }
    const message = (req.request as { message?: JsonRpc }).message ?? ({ jsonrpc: '2.0' } as JsonRpc);
    const reply = (result: unknown) =>
      this.child.send({
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
        this.held.set(toolUseId, {
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
