/** The MCP server CLI2API plays over a CLI's control channel (the MCP SDK's Server): its replies, the calls it holds, the order it answers them in. */
import assert from 'node:assert/strict';
import { type ControlRequestLine, parseCliLine } from '../../../../src/cli/events';
import { mcpContent, type ToolChannel, ToolBridge } from '../../../../src/cli/tools/tool-bridge';
import { ToolSet } from '../../../../src/cli/tools/tool-set';

class FakeChannel implements ToolChannel {
  alive = true;
  onControlRequest: ((req: ControlRequestLine) => void) | undefined;
  onToolResults: ((toolUseIds: string[]) => void) | undefined;
  readonly sent: unknown[] = [];
  readonly rejected: Array<[string, string]> = [];
  readonly exited: Promise<void>;
  private resolveExit!: () => void;

  constructor() {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  exit(): void {
    this.alive = false;
    this.resolveExit();
  }

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

/** Lets the MCP server's promise chains run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('tool bridge', () => {
  let channel: FakeChannel;
  let bridge: ToolBridge;
  beforeEach(() => {
    channel = new FakeChannel();
    bridge = new ToolBridge(channel);
  });

  it('answers initialize with the protocol version asked for, a tools capability and its name', async () => {
    channel.mcp('req-1', {
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'claude-code', version: '2' } },
    });
    await settle();
    assert.equal(channel.sent.length, 1);
    const result = (channel.sent[0] as ReturnType<typeof reply>).response.response.mcp_response.result as {
      protocolVersion: string;
      capabilities: Record<string, unknown>;
      serverInfo: { name: string };
    };
    assert.equal(result.protocolVersion, '2025-03-26');
    assert.ok(result.capabilities.tools);
    assert.equal(result.serverInfo.name, 'cli2api');
  });

  it('lists the tools it was given', async () => {
    channel.mcp('req-1', { id: 1, method: 'tools/list' });
    await settle();
    const tools = new ToolSet({ tools: [{ name: 'get_weather', parameters: { type: 'object', properties: {} } }] });
    bridge.setTools(tools.mcpTools);
    channel.mcp('req-2', { id: 2, method: 'tools/list' });
    await settle();
    assert.deepEqual(channel.sent, [reply('req-1', 1, { tools: [] }), reply('req-2', 2, { tools: tools.mcpTools })]);
  });

  it("holds a tools/call, by the CLI's tool_use id, until it is answered", async () => {
    channel.call('req-3', 7, 'toolu_1');
    await settle();
    assert.deepEqual(channel.sent, [], 'no reply before the client sends the result');
    assert.deepEqual(bridge.pendingCalls, ['toolu_1']);
    assert.equal(bridge.answer('toolu_1', 'Sunny, 21 °C', false), true);
    await settle();
    assert.deepEqual(channel.sent, [
      reply('req-3', 7, { content: [{ type: 'text', text: 'Sunny, 21 °C' }], isError: false }),
    ]);
    assert.deepEqual(bridge.pendingCalls, []);
    assert.equal(bridge.answer('toolu_1', 'again', false), false, 'answered once only');
    assert.equal(bridge.answer('toolu_never', 'x', false), false);
    await settle();
    assert.equal(channel.sent.length, 1);
  });

  it('passes an error result on, and keys a call without a tool_use id by its JSON-RPC id', async () => {
    channel.call('req-4', 12);
    await settle();
    assert.equal(bridge.answer('12', 'No such city.', true), true);
    await settle();
    assert.deepEqual(channel.sent, [
      reply('req-4', 12, { content: [{ type: 'text', text: 'No such city.' }], isError: true }),
    ]);
  });

  it('answers an image result with MCP image content, so the model gets the image on the live path too', async () => {
    channel.call('req-5', 5, 'toolu_img');
    await settle();
    const png = 'iVBORw0KGgo=';
    bridge.answer(
      'toolu_img',
      [
        { type: 'text', text: 'The chart:' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
      ],
      false,
    );
    await settle();
    assert.deepEqual(channel.sent, [
      reply('req-5', 5, {
        content: [
          { type: 'text', text: 'The chart:' },
          { type: 'image', data: png, mimeType: 'image/png' },
        ],
        isError: false,
      }),
    ]);
    assert.deepEqual(mcpContent([]), [{ type: 'text', text: '' }], 'an empty result is an empty text');
  });

  it('acknowledges notifications with an empty result', async () => {
    channel.mcp('req-5', { method: 'notifications/initialized' });
    await settle();
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
    await settle();
    assert.equal(done, false, 'one call is not enough');
    channel.call('req-2', 2, 'toolu_2');
    await waiting;
    assert.deepEqual(bridge.pendingCalls.sort(), ['toolu_1', 'toolu_2']);
    await bridge.waitForCalls(['toolu_1'], new AbortController().signal);
  });

  it('waits without polling: one waiter and no timer however long, none after an abort or the process end', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await new Promise((r) => setTimeout(r, 10)); // the runner's own timer is there from now on
    const before = timers();
    const controller = new AbortController();
    const aborted = bridge.waitForCalls(['toolu_1'], controller.signal);
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(bridge.waiting, 1, 'one waiter, not one per round');
    assert.equal(timers(), before, 'no timer of its own');
    controller.abort();
    await aborted;
    assert.equal(bridge.waiting, 0);
    const dead = bridge.waitForCalls(['toolu_1'], new AbortController().signal);
    channel.exit();
    await dead;
    assert.equal(bridge.waiting, 0);
    assert.deepEqual(bridge.pendingCalls, []);
  });

  it('answers results one at a time, in the given order, each after the CLI printed the one before', async () => {
    for (const [i, id] of ['t0', 't1', 't2'].entries()) channel.call(`req-${i}`, i, id);
    await settle();
    const ordered = [
      { type: 'tool_result' as const, tool_use_id: 't2', content: 'two' },
      { type: 'tool_result' as const, tool_use_id: 't0', content: 'zero' },
      { type: 'tool_result' as const, tool_use_id: 't1', content: 'one', is_error: true },
    ];
    const answering = bridge.answerInOrder(ordered);
    const answered = () => channel.sent.map((m) => (m as ReturnType<typeof reply>).response.request_id).join(',');
    await settle();
    assert.equal(answered(), 'req-2', 'only the first result, until the CLI has taken it');
    channel.onToolResults?.(['t2']);
    await settle();
    assert.equal(answered(), 'req-2,req-0');
    channel.onToolResults?.(['t0']);
    await settle();
    assert.equal(answered(), 'req-2,req-0,req-1');
    channel.onToolResults?.(['t1']);
    await answering;
    assert.deepEqual((channel.sent.at(-1) as ReturnType<typeof reply>).response.response.mcp_response.result, {
      content: [{ type: 'text', text: 'one' }],
      isError: true,
    });
  });

  it('keeps a result for a call the CLI has not made yet until the call comes, instead of dropping it', async () => {
    const answering = bridge.answerInOrder([{ type: 'tool_result', tool_use_id: 'late', content: 'here' }]);
    await settle();
    assert.deepEqual(channel.sent, []);
    channel.call('req-9', 9, 'late');
    await settle();
    assert.deepEqual(channel.sent, [reply('req-9', 9, { content: [{ type: 'text', text: 'here' }], isError: false })]);
    channel.onToolResults?.(['late']);
    await answering;
    assert.equal(bridge.waiting, 0);
  });

  it('stops answering when the process ends', async () => {
    const answering = bridge.answerInOrder([{ type: 'tool_result', tool_use_id: 'never', content: 'x' }]);
    channel.exit();
    await answering;
    assert.deepEqual(channel.sent, []);
    assert.equal(bridge.waiting, 0);
  });
});
