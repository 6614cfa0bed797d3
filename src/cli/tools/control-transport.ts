/**
 * An MCP SDK transport over the CLI's control channel: the CLI wraps each JSON-RPC message
 * for CLI2API's in-process MCP server (`sdkMcpServers`) in an `mcp_message` control request
 * on stdout, and takes the JSON-RPC answer back in a `control_response` on stdin with the
 * same request id. Every control request gets a control response: a notification's is an
 * empty acknowledgement. The server sends nothing of its own (no requests, no notifications).
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { ControlRequestLine } from '../events';

/** What the transport needs of a CLI process: its control channel (a ClaudeProcess is one). */
export interface ControlChannel {
  readonly alive: boolean;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
  onControlRequest: ((req: ControlRequestLine) => void) | undefined;
  send(message: unknown): void;
  rejectControl(requestId: string, error: string): void;
}

export class ControlTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** JSON-RPC request id → the control request that carried it (the answer goes back under it). */
  private readonly controlIds = new Map<RequestId, string>();

  constructor(private readonly channel: ControlChannel) {
    channel.onControlRequest = (req) => this.receive(req);
    void channel.exited.then(() => this.onclose?.());
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.controlIds.clear();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return;
    const id = message.id ?? null;
    const requestId = id === null ? undefined : this.controlIds.get(id);
    if (requestId === undefined || id === null) return;
    this.controlIds.delete(id);
    this.reply(requestId, message);
  }

  private receive(req: ControlRequestLine): void {
    if (req.request.subtype !== 'mcp_message') {
      this.channel.rejectControl(req.request_id, `CLI2API does not handle ${req.request.subtype}`);
      return;
    }
    const message = (req.request as { message?: JSONRPCMessage }).message;
    if (message && isJSONRPCRequest(message)) {
      this.controlIds.set(message.id, req.request_id);
    } else {
      // A notification (or anything else): the CLI still waits for its control request to be answered.
      this.reply(req.request_id, { jsonrpc: '2.0', id: 0, result: {} });
      if (!message || !isJSONRPCNotification(message)) return;
    }
    this.onmessage?.(message);
  }

  private reply(requestId: string, mcpResponse: unknown): void {
    this.channel.send({
      type: 'control_response',
      response: { subtype: 'success', request_id: requestId, response: { mcp_response: mcpResponse } },
    });
  }
}
