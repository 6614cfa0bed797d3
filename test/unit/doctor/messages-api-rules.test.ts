import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { betasOf, messagesApiViolations } from '../../../src/doctor/messages-api-rules';

type Body = Record<string, unknown> & { messages: Array<Record<string, unknown>> };

/** Request bodies the real CLIs sent for a resumed conversation (recorded against a fake API). */
function recorded(name: string): { betas: string[]; body: Body } {
  const file = path.resolve(__dirname, '../../fixtures/api-requests', name);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { 'anthropic-beta': string; body: Body };
  return { betas: betasOf(raw['anthropic-beta']), body: raw.body };
}

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString('base64');

function body(messages: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'claude-sonnet-5-5', max_tokens: 1000, messages, ...extra };
}
const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });
const toolUse = (id: string) => ({ type: 'tool_use', id, name: 'mcp__c__get_weather', input: { city: 'Paris' } });
const toolResult = (id: string, content: unknown = 'sunny') => ({ type: 'tool_result', tool_use_id: id, content });
const image = (media_type: string, data: string) => ({ type: 'image', source: { type: 'base64', media_type, data } });

describe('messagesApiViolations (what the real Messages API refuses)', () => {
  it('accepts the requests both pinned CLIs sent for resumed conversations', () => {
    for (const name of [
      '2.1.332-resumed-tool-result.json',
      '2.1.332-resumed-images.json',
      '2.1.197-resumed-tool-result.json',
      '2.1.197-resumed-images.json',
    ]) {
      const { betas, body: b } = recorded(name);
      assert.deepEqual(messagesApiViolations(b, betas), [], name);
    }
  });

  it("refuses 2.1.332's empty per-turn system message in a resumed conversation", () => {
    const { betas, body: b } = recorded('2.1.332-resumed-tool-result.json');
    b.messages[1] = { role: 'system', content: [], output_config: { effort: 'medium' } };
    assert.deepEqual(messagesApiViolations(b, betas), [
      'messages.1: all messages must have non-empty content except for the optional final assistant message',
    ]);
  });

  it('takes role "system" messages only under a beta that allows them, never first, text only', () => {
    const midway = [user('hi'), { role: 'system', content: 'Today is Monday.' }];
    assert.deepEqual(messagesApiViolations(body(midway)), ["messages.1.role: Input should be 'user' or 'assistant'"]);
    assert.deepEqual(messagesApiViolations(body(midway), ['per-turn-control-2026-07-01']), []);
    assert.deepEqual(messagesApiViolations(body(midway), ['mid-conversation-system-2026-04-07']), []);
    const first = messagesApiViolations(body([{ role: 'system', content: 'x' }, user('hi')]), [
      'per-turn-control-2026-07-01',
    ]);
    assert.match(first[0]!, /^messages\.0: role 'system' must follow a .*top-level 'system' parameter/);
    const withImage = messagesApiViolations(
      body([user('hi'), { role: 'system', content: [image('image/png', PNG)] }]),
      ['per-turn-control-2026-07-01'],
    );
    assert.match(withImage[0]!, /^messages\.1\.content\.0: text-only role 'system' messages require/);
    assert.deepEqual(messagesApiViolations(body([{ role: 'tool', content: 'x' }])), [
      "messages.0.role: Input should be 'user' or 'assistant'",
    ]);
  });

  it('needs non-empty content everywhere except an optional final assistant message', () => {
    assert.deepEqual(messagesApiViolations(body([user([]), assistant('a'), user('b')])), [
      'messages.0: all messages must have non-empty content except for the optional final assistant message',
    ]);
    assert.deepEqual(messagesApiViolations(body([user('a'), assistant(''), user('b')])), [
      'messages.1: all messages must have non-empty content except for the optional final assistant message',
    ]);
    assert.deepEqual(messagesApiViolations(body([user('a'), assistant([])])), []);
    assert.deepEqual(messagesApiViolations(body([])), ['messages: at least one message is required']);
  });

  it('needs text blocks with non-whitespace text, and no trailing whitespace in a final assistant message', () => {
    assert.deepEqual(messagesApiViolations(body([user([{ type: 'text', text: '' }])])), [
      'messages: text content blocks must be non-empty',
    ]);
    assert.deepEqual(messagesApiViolations(body([user([{ type: 'text', text: ' \n' }])])), [
      'messages: text content blocks must contain non-whitespace text',
    ]);
    assert.deepEqual(messagesApiViolations(body([user('hi'), assistant('Sure: ')])), [
      'messages: final assistant content cannot end with trailing whitespace',
    ]);
  });

  it('starts with the user', () => {
    assert.deepEqual(messagesApiViolations(body([assistant('hello'), user('hi')])), [
      'messages: first message must use the "user" role',
    ]);
  });

  it('pairs every tool_use with a tool_result in the very next message, results first', () => {
    const call = assistant([{ type: 'text', text: 'Let me check.' }, toolUse('call_1')]);
    assert.deepEqual(messagesApiViolations(body([user('weather?'), call, user([toolResult('call_1')])])), []);

    const unanswered = messagesApiViolations(body([user('weather?'), call, user('never mind')]));
    assert.deepEqual(unanswered, [
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: call_1. ' +
        'Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
    ]);

    const stray = messagesApiViolations(body([user('weather?'), assistant('no tools'), user([toolResult('call_9')])]));
    assert.deepEqual(stray, [
      'messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: call_9. ' +
        'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    ]);

    const late = messagesApiViolations(
      body([user('weather?'), call, user([{ type: 'text', text: 'here:' }, toolResult('call_1')])]),
    );
    assert.match(late[0]!, /^messages\.2: Did not find 1 `tool_result` block\(s\) at the beginning of this message/);

    const systemBetween = messagesApiViolations(
      body([user('weather?'), call, { role: 'system', content: 'date' }, user([toolResult('call_1')])]),
      ['per-turn-control-2026-07-01'],
    );
    assert.equal(systemBetween.length, 2, 'the results must come right after the call');

    const dup = assistant([toolUse('c'), toolUse('c')]);
    assert.ok(
      messagesApiViolations(body([user('x'), dup, user([toolResult('c')])])).includes(
        'messages.1: `tool_use` ids must be unique',
      ),
    );
    assert.match(
      messagesApiViolations(body([user([toolUse('x')])]))[0]!,
      /^messages\.0\.content\.0: `tool_use` blocks can only be in `assistant` messages/,
    );
  });

  it('needs images with a supported media type and valid base64 matching it, in messages and tool results', () => {
    assert.deepEqual(messagesApiViolations(body([user([image('image/png', PNG)])])), []);
    assert.deepEqual(messagesApiViolations(body([user([image('image/jpeg', JPEG_START)])])), []);
    assert.deepEqual(messagesApiViolations(body([user([image('image/bmp', PNG)])])), [
      "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
    ]);
    assert.deepEqual(messagesApiViolations(body([user([image('image/png', 'not base64!')])])), [
      'messages.0.content.0.image.source.base64: invalid base64 data',
    ]);
    assert.deepEqual(messagesApiViolations(body([user([image('image/png', '')])])), [
      'messages.0.content.0.image.source.base64: image cannot be empty',
    ]);
    assert.deepEqual(messagesApiViolations(body([user([image('image/jpeg', PNG)])])), [
      'messages.0.content.0.image.source.base64.data: Image does not match the provided media type image/jpeg',
    ]);
    const call = assistant([toolUse('s1')]);
    const nested = messagesApiViolations(
      body([user('shot'), call, user([toolResult('s1', [image('image/gif', PNG)])])]),
    );
    assert.deepEqual(nested, [
      'messages.2.content.0.tool_result.content.0.image.source.base64.data: Image does not match the provided media type image/gif',
    ]);
  });

  it('checks max_tokens, the system prompt, tool names and the thinking budget', () => {
    assert.deepEqual(messagesApiViolations({ model: 'm', messages: [user('hi')] }), ['max_tokens: Field required']);
    assert.deepEqual(messagesApiViolations(body([user('hi')], { system: [{ type: 'text', text: '' }] })), [
      'system: text content blocks must be non-empty',
    ]);
    const tools = [{ name: 'fs.read', input_schema: { type: 'object' } }];
    assert.deepEqual(messagesApiViolations(body([user('hi')], { tools })), [
      "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
    ]);
    const lowBudget = body([user('hi')], { max_tokens: 123, thinking: { type: 'enabled', budget_tokens: 122 } });
    assert.deepEqual(messagesApiViolations(lowBudget), [
      'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
    ]);
    const overMax = body([user('hi')], { max_tokens: 123, thinking: { type: 'enabled', budget_tokens: 1024 } });
    assert.match(messagesApiViolations(overMax)[0]!, /^`max_tokens` must be greater than `thinking.budget_tokens`/);
    assert.deepEqual(messagesApiViolations(body([user('hi')], { thinking: { type: 'adaptive' } })), []);
  });

  it('reads the anthropic-beta header', () => {
    assert.deepEqual(betasOf('a-1, b-2,,c-3'), ['a-1', 'b-2', 'c-3']);
    assert.deepEqual(betasOf(undefined), []);
  });
});
