/**
 * Records what the real Claude Code CLI prints (stream-json) for a few scripted backend
 * replies, into test/fixtures/cli/*.jsonl. The unit tests of the pure translators replay
 * them. Run again after moving the pinned CLI version: `npx tsx scripts/record-cli-fixtures.ts`
 * (or name scenarios to record only those: `npx tsx scripts/record-cli-fixtures.ts tool-use`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCliLine } from '../src/cli/events';
import { buildArgs } from '../src/cli/process/args';
import { CLAUDE_BIN, fakeCliEnv, OAUTH_LOGIN } from '../test/support/cli-env';
import { FakeAnthropic, type FakeReply } from '../test/support/fake-anthropic';
import { secondsFromNow, unifiedHeaders } from '../test/support/rate-limit-headers';

/** One reply for every model request of the run, or replies in order (the last one repeats). */
const scenarios: Record<string, FakeReply | FakeReply[]> = {
  'text-stream': {
    kind: 'message',
    blocks: [{ type: 'text', text: 'Hello there, friend.', chunks: ['Hello', ' there,', ' friend.'] }],
    usage: { input_tokens: 21, output_tokens: 6, cache_read_input_tokens: 40 },
  },
  'thinking-then-text': {
    kind: 'message',
    blocks: [
      { type: 'thinking', thinking: 'The user greets me.' },
      { type: 'text', text: 'Hi!' },
    ],
  },
  'max-tokens': { kind: 'message', blocks: [{ type: 'text', text: 'This answer was cut' }], stopReason: 'max_tokens' },
  'rate-limited': {
    kind: 'error',
    status: 429,
    errorType: 'rate_limit_error',
    message: 'Number of requests has exceeded your rate limit',
  },
  // The CLI offers no tool here, so it answers the call itself with an error and asks again:
  // the replay uses the first message only (up to its message_stop), as the process manager does.
  'tool-use': [
    {
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'I should look it up.' },
        { type: 'text', text: 'Let me check.' },
        {
          type: 'tool_use',
          name: 'get_weather',
          input: { city: 'Paris' },
          id: 'toolu_rec_1',
          chunks: ['{"city":', ' "Paris"}'],
        },
      ],
      usage: { input_tokens: 50, output_tokens: 20 },
    },
    { kind: 'message', blocks: [{ type: 'text', text: 'Done.' }] },
  ],
};

/** Usage windows: the CLI reports them only to a subscription (OAuth) login. */
const subscriptionScenarios: Record<string, FakeReply | FakeReply[]> = {
  'usage-warning': {
    kind: 'message',
    blocks: [{ type: 'text', text: 'Hello.' }],
    headers: unifiedHeaders({
      status: 'allowed_warning',
      claim: 'five_hour',
      fiveHour: { utilization: 0.91, reset: secondsFromNow(3 * 3600), status: 'allowed_warning' },
      sevenDay: { utilization: 0.4, reset: secondsFromNow(4 * 86400) },
    }),
  },
  'usage-rejected': {
    kind: 'error',
    status: 429,
    errorType: 'rate_limit_error',
    message: 'usage limit reached',
    headers: unifiedHeaders({
      status: 'rejected',
      claim: 'five_hour',
      fiveHour: { utilization: 1, reset: secondsFromNow(3 * 3600), status: 'rejected' },
      sevenDay: { utilization: 0.4, reset: secondsFromNow(4 * 86400) },
      overage: { status: 'rejected', disabledReason: 'org_level_disabled' },
    }),
  },
};

/** Agent mode: the CLI runs one of its own tools (Read, on a file in its folder) and goes on answering. */
const agentScenarios: Record<string, { tools: string[]; replies: (cwd: string) => FakeReply[] }> = {
  'agent-read': {
    tools: ['Read'],
    replies: (cwd) => [
      {
        kind: 'message',
        blocks: [
          { type: 'text', text: 'Let me read it. ' },
          { type: 'tool_use', name: 'Read', input: { file_path: path.join(cwd, 'notes.txt') }, id: 'toolu_rec_read' },
        ],
        usage: { input_tokens: 40, output_tokens: 12 },
      },
      {
        kind: 'message',
        blocks: [{ type: 'text', text: 'It says hello.' }],
        usage: { input_tokens: 60, output_tokens: 5 },
      },
    ],
  },
};

async function record(
  name: string,
  replies: FakeReply | FakeReply[] | ((cwd: string) => FakeReply[]),
  opts: { login?: Record<string, string>; agentTools?: string[] } = {},
): Promise<void> {
  const fake = new FakeAnthropic();
  const url = await fake.start();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-rec-'));
  fs.writeFileSync(path.join(cwd, 'notes.txt'), 'hello\n');
  const list = typeof replies === 'function' ? replies(cwd) : Array.isArray(replies) ? replies : [replies];
  fake.reply(...list.slice(0, -1)).handle(() => list[list.length - 1]!);
  const child = spawn(CLAUDE_BIN, buildArgs({ model: 'sonnet', agentTools: opts.agentTools ?? [] }), {
    cwd,
    env: { PATH: process.env.PATH, ...fakeCliEnv(url, opts.login) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.write(
    JSON.stringify({
      type: 'control_request',
      request_id: 'init',
      request: { subtype: 'initialize', systemPrompt: ['Be brief.'] },
    }) + '\n',
  );
  child.stdin.write(
    JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ type: 'text', text: 'Say hello' }] },
      parent_tool_use_id: null,
      session_id: '',
    }) + '\n',
  );
  child.stdin.end();
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  await fake.stop();
  // The initialize answer lists the user's skills and commands: not needed, and machine-specific.
  const lines = out.split('\n').filter((l) => {
    if (!l.trim()) return false;
    const parsed = parseCliLine(l);
    return !(parsed.ok && parsed.line.type === 'control_response' && parsed.line.response.request_id === 'init');
  });
  fs.writeFileSync(path.join(__dirname, '../test/fixtures/cli', `${name}.jsonl`), lines.join('\n') + '\n');
  console.log(`${name}: ${lines.length} lines`);
}

void (async () => {
  const only = process.argv.slice(2);
  for (const [name, reply] of Object.entries(scenarios))
    if (only.length === 0 || only.includes(name)) await record(name, reply);
  for (const [name, reply] of Object.entries(subscriptionScenarios))
    if (only.length === 0 || only.includes(name)) await record(name, reply, { login: OAUTH_LOGIN });
  for (const [name, { tools, replies }] of Object.entries(agentScenarios))
    if (only.length === 0 || only.includes(name)) await record(name, replies, { agentTools: tools });
})();
