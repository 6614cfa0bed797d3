/**
 * A used CLI process taking a brand-new conversation, proven against the requests the real
 * CLI sends: what reaches the model from the reused process equals, field by field, what a
 * fresh process sends for the same conversation — only the CLI's session id (a header and
 * `metadata.user_id`) differs — and nothing of the earlier conversation is in it.
 */
import assert from 'node:assert/strict';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import {
  type FakeReply,
  lastToolResults,
  offeredToolName,
  type RecordedRequest,
  resultText,
  textOf,
} from '../support/fake-anthropic';
import { CONTINUED, CONTINUED_HELD, logged, REUSED, until } from '../support/pool-helpers';
import { cliSessionsWithMarker } from '../support/processes';
import { type Stack, startStack } from '../support/stack';

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const SYSTEM = 'You are a weather assistant.';

/** Calls get_weather when the user asks about the weather; otherwise echoes, results included. */
function backend(req: RecordedRequest): FakeReply {
  const results = lastToolResults(req.body);
  if (results.length > 0)
    return {
      kind: 'message',
      blocks: [{ type: 'text', text: `results: ${results.map((r) => resultText(r.content))}` }],
    };
  const last = req.body.messages.filter((m) => m.role === 'user').at(-1)!;
  if (/weather/i.test(textOf(last.content)))
    return {
      kind: 'message',
      blocks: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', name: offeredToolName(req, 'get_weather'), input: { city: 'Oslo' } },
      ],
    };
  return { kind: 'message', blocks: [{ type: 'text', text: `echo: ${textOf(last.content)}` }] };
}

/** The body without the CLI's session id (in `metadata.user_id`), the one thing a reused process may not share. */
function withoutSession(body: RecordedRequest['body']): Record<string, unknown> {
  const { metadata, ...rest } = body;
  const userId = (metadata as { user_id?: string } | undefined)?.user_id;
  const parsed = userId ? (JSON.parse(userId) as Record<string, unknown>) : {};
  delete parsed.session_id;
  return { ...rest, metadata: { ...(metadata as object), user_id: parsed } };
}

function assertSameRequest(reused: RecordedRequest, fresh: RecordedRequest): void {
  const a = withoutSession(reused.body);
  const b = withoutSession(fresh.body);
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  for (const key of Object.keys(b)) assert.deepEqual(a[key], b[key], `request field ${key}`);
  const headers = (r: RecordedRequest) =>
    Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'x-claude-code-session-id'));
  assert.deepEqual(headers(reused), headers(fresh), 'headers, but for the session id');
  assert.ok(reused.headers['x-claude-code-session-id'], 'the CLI sends a session id');
}

describe('a used CLI process taking a new conversation', function () {
  this.timeout(180_000);
  let stack: Stack;
  before(async () => {
    // No warm processes: a new conversation gets a used process, or a cold start.
    stack = await startStack({ poolSize: 0, poolMaxIdle: 1 });
  });
  after(async () => {
    await stack?.stop();
    await stack.assertNoProcesses();
  });

  /** The second conversation: two turns, with an output limit; returns what the model received. */
  async function secondConversation(): Promise<RecordedRequest[]> {
    stack.fake.reset();
    stack.fake.handle(backend);
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: 'What do you know about me?' },
    ];
    const first = await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages,
      tools: [weatherTool],
      max_tokens: 2000,
    });
    messages.push(first.choices[0]!.message, { role: 'user', content: 'And now?' });
    const continued = logged(stack, CONTINUED);
    await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool], max_tokens: 2000 });
    assert.equal(logged(stack, CONTINUED), continued + 1);
    return [...stack.fake.messageRequests];
  }

  it('sends the model exactly what a fresh process sends, and nothing of the conversation before', async () => {
    // Conversation 1: secrets, a tool call and its result, two turns.
    stack.fake.handle(backend);
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: 'My password is secret-alpha. What is the weather in Oslo?' },
    ];
    const call = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    const id = call.choices[0]!.message.tool_calls![0]!.id;
    messages.push(call.choices[0]!.message, { role: 'tool', tool_call_id: id, content: 'secret-sunny' });
    const held = logged(stack, CONTINUED_HELD);
    const answered = await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    assert.equal(logged(stack, CONTINUED_HELD), held + 1);
    messages.push(answered.choices[0]!.message, { role: 'user', content: 'Remember secret-beta too.' });
    await stack.openai.chat.completions.create({ model: 'sonnet', messages, tools: [weatherTool] });
    assert.equal(stack.server.cli.pooled.idle, 1);

    // Conversation 2 on that process.
    const reused = logged(stack, REUSED);
    const fromReused = await secondConversation();
    assert.equal(logged(stack, REUSED), reused + 1, 'the used process took the new conversation');
    for (const r of fromReused)
      for (const secret of ['secret-alpha', 'secret-beta', 'secret-sunny', 'Oslo', 'Checking.'])
        assert.ok(!JSON.stringify(r.body).includes(secret), `${secret} of the earlier conversation reached the model`);

    // The same conversation on a fresh process.
    stack.settings.poolMaxIdle = 0;
    await stack.server.settingsChanged();
    await until('the used process stopped', () => cliSessionsWithMarker(stack.marker).length === 0);
    stack.settings.poolMaxIdle = 1;
    const fromFresh = await secondConversation();
    assert.equal(logged(stack, REUSED), reused + 1, 'a cold start this time');

    assert.equal(fromReused.length, 2);
    assert.equal(fromFresh.length, 2);
    assert.equal(fromReused[0]!.body.max_tokens, 2000, "the request's output limit");
    assertSameRequest(fromReused[0]!, fromFresh[0]!);
    assertSameRequest(fromReused[1]!, fromFresh[1]!);
  });

  it('never gives a used process a conversation with another system prompt or other tools', async () => {
    stack.fake.reset();
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'first' },
      ],
      tools: [weatherTool],
    });
    const reused = logged(stack, REUSED);
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Another prompt.' },
        { role: 'user', content: 'second' },
      ],
      tools: [weatherTool],
    });
    await stack.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Another prompt.' },
        { role: 'user', content: 'third' },
      ],
    });
    assert.equal(logged(stack, REUSED), reused, 'each of them started its own process');
    const systems = stack.fake.messageRequests.map((r) => JSON.stringify(r.body.system));
    assert.ok(systems[1]!.includes('Another prompt.') && !systems[1]!.includes(SYSTEM));
    assert.deepEqual(stack.fake.messageRequests[2]!.body.tools, []);
  });
});
