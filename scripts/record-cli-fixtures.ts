/**
 * Records what the real Claude Code CLI prints (stream-json) for a few scripted backend
 * replies, into test/fixtures/cli/*.jsonl. The unit tests of the pure translators replay
 * them. Run again after moving the pinned CLI version: `npx tsx scripts/record-cli-fixtures.ts`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildArgs } from '../src/cli/args';
import { CLAUDE_BIN, fakeCliEnv } from '../test/support/cli-env';
import { FakeAnthropic, type FakeReply } from '../test/support/fake-anthropic';

const scenarios: Record<string, FakeReply> = {
  'text-stream': { kind: 'message', blocks: [{ type: 'text', text: 'Hello there, friend.', chunks: ['Hello', ' there,', ' friend.'] }], usage: { input_tokens: 21, output_tokens: 6, cache_read_input_tokens: 40 } },
  'thinking-then-text': { kind: 'message', blocks: [{ type: 'thinking', thinking: 'The user greets me.' }, { type: 'text', text: 'Hi!' }] },
  'max-tokens': { kind: 'message', blocks: [{ type: 'text', text: 'This answer was cut' }], stopReason: 'max_tokens' },
  'rate-limited': { kind: 'error', status: 429, errorType: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' },
};

async function record(name: string, reply: FakeReply): Promise<void> {
  const fake = new FakeAnthropic();
  const url = await fake.start();
  fake.handle(() => reply);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-rec-'));
  const child = spawn(CLAUDE_BIN, buildArgs({ model: 'sonnet' }), { cwd, env: { PATH: process.env.PATH, ...fakeCliEnv(url) }, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write(JSON.stringify({ type: 'control_request', request_id: 'init', request: { subtype: 'initialize', systemPrompt: ['Be brief.'] } }) + '\n');
  child.stdin.write(JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'Say hello' }] }, parent_tool_use_id: null, session_id: '' }) + '\n');
  child.stdin.end();
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  await fake.stop();
  // The initialize answer lists the user's skills and commands: not needed, and machine-specific.
  const lines = out.split('\n').filter((l) => l.trim() && !l.includes('"request_id":"init"'));
  fs.writeFileSync(path.join(__dirname, '../test/fixtures/cli', `${name}.jsonl`), lines.join('\n') + '\n');
  console.log(`${name}: ${lines.length} lines`);
}

void (async () => {
  for (const [name, reply] of Object.entries(scenarios)) await record(name, reply);
})();
