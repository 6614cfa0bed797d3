/** The MCP server CLI2API plays over a CLI's control channel: its JSON-RPC replies and the calls it holds. */
import assert from 'node:assert/strict';
import { type ControlRequestLine, parseCliLine } from '../../../../src/cli/events';
import { type ControlChannel, ToolBridge } from '../../../../src/cli/tools/tool-bridge';
import { ToolSet } from '../../../../src/cli/tools/tool-set';

class FakeChannel implements ControlChannel {
  alive = true;
  onControlRequest: ((req: ControlRequestLine) => void) | undefined;
  readonly sent: unknown[] = [];
  readonly rejected: Array<[string, string]> = [];

  send(message: unknown): void {
    this.sent.push(message);
  }

  rejectControl(requestId: string, error: string): void {
    this.rejected.push([requestId, error]);
  }

  /** A control_request line as the CLI prints it, parsed as CLI2API parses it. */
  deliver(requestId: string, request: Record<string, unknown>): void {
    const parsed = parseCliLine(JSON.stringify({ type: 'control_request', request_id: requestId, request }));
    assert.ok(parsed.ok && parsed.line.type === 'control_request');
    assert.ok(this.onControlRequest, 'the bridge listens on the channel');
    this.onControlRequest(parsed.line);
  }

  mcp(requestId: string, message: Record<string, unknown>): void {
    this.deliver(requestId, { subtype: 'mcp_message', server_name: 'c', message: { jsonrpc: '2.0', ...message } });
  }

  call(requestId: string, id: number, toolUseId?: string): void {
    const _meta = toolUseId ? { 'claudecode/toolUseId': toolUseId } : undefined;
    this.mcp(requestId, {
      id,
      method: 'tools/call',
      params: { name: 'get_weather', arguments: { city: 'Oslo' }, _meta },
    });
  }
}

const reply = (requestId: string, id: number, result: unknown) => ({
  type: 'control_response',
  response: { subtype: 'success', request_id: requestId, response: { mcp_response: { jsonrpc: '2.0', id, result } } },
});

describe('tool bridge', () => {
  let channel: FakeChannel;
  let bridge: ToolBridge;
  beforeEach(() => {
    channel = new FakeChannel();
    bridge = new ToolBridge(channel);
  });

  it('answers initialize with the protocol version asked for and a tools capability', () => {
    channel.mcp('req-1', { id: 0, method: 'initialize', params: { protocolVersion: '2025-03-26' } });
    assert.deepEqual(channel.sent, [
      reply('req-1', 0, {
        protocolVersion: '2025-03-26',
        capabilities: { tools: {} },
        serverInfo: { name: 'cli2api', version: '1' },
      }),
    ]);
  });

  it('lists the tools it was given', () => {
    channel.mcp('req-1', { id: 1, method: 'tools/list' });
    const tools = new ToolSet({ tools: [{ name: 'get_weather', parameters: { type: 'object', properties: {} } }] });
    bridge.setTools(tools.mcpTools);
    channel.mcp('req-2', { id: 2, method: 'tools/list' });
    assert.deepEqual(channel.sent, [reply('req-1', 1, { tools: [] }), reply('req-2', 2, { tools: tools.mcpTools })]);
  });

  it("holds a tools/call, by the CLI's tool_use id, until it is answered", () => {
    channel.call('req-3', 7, 'toolu_1');
    assert.deepEqual(channel.sent, [], 'no reply before the client sends the result');
    assert.deepEqual([...bridge.pending.keys()], ['toolu_1']);
    assert.equal(bridge.pending.get('toolu_1')?.toolUseId, 'toolu_1');
    assert.equal(bridge.answer('toolu_1', 'Sunny, 21 °C', false), true);
    assert.deepEqual(channel.sent, [
      reply('req-3', 7, { content: [{ type: 'text', text: 'Sunny, 21 °C' }], isError: false }),
    ]);
    assert.equal(bridge.pending.size, 0);
    assert.equal(bridge.answer('toolu_1', 'again', false), false, 'answered once only');
    assert.equal(bridge.answer('toolu_never', 'x', false), false);
    assert.equal(channel.sent.length, 1);
  });

  it('passes an error result on, and keys a call without a tool_use id by its JSON-RPC id', () => {
    channel.call('req-4', 12);
    assert.equal(bridge.answer('12', 'No such city.', true), true);
    assert.deepEqual(channel.sent, [
      reply('req-4', 12, { content: [{ type: 'text', text: 'No such city.' }], isError: true }),
    ]);
  });

  it('acknowledges notifications with an empty result', () => {
    channel.mcp('req-5', { method: 'notifications/initialized' });
    assert.deepEqual(channel.sent, [reply('req-5', 0, {})]);
  });

  it('rejects control requests that are not MCP messages', () => {
    channel.deliver('req-6', { subtype: 'can_use_tool', tool_name: 'Bash' });
    assert.deepEqual(channel.rejected, [['req-6', 'CLI2API does not handle can_use_tool']]);
    assert.deepEqual(channel.sent, []);
  });

  it('waits until a call for every id has arrived', async () => {
    let done = false;
    const waiting = bridge.waitForCalls(['toolu_1', 'toolu_2'], new AbortController().signal).then(() => (done = true));
    channel.call('req-1', 1, 'toolu_1');
    await new Promise(setImmediate);
    assert.equal(done, false, 'one call is not enough');
    channel.call('req-2', 2, 'toolu_2');
    await waiting;
    assert.deepEqual([...bridge.pending.keys()].sort(), ['toolu_1', 'toolu_2']);
    await bridge.waitForCalls(['toolu_1'], new AbortController().signal);
  });

  it('stops waiting when the request is aborted or the process dies', async () => {
    const controller = new AbortController();
    const aborted = bridge.waitForCalls(['toolu_1'], controller.signal);
    controller.abort();
    await aborted;
    const dead = bridge.waitForCalls(['toolu_1'], new AbortController().signal);
    channel.alive = false;
    await dead;
    assert.equal(bridge.pending.size, 0);
  });
});
