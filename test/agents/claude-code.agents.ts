/**
 * Claude Code itself (the pinned claude binary) as a client of CLI2API's Messages API:
 * `ANTHROPIC_BASE_URL=http://127.0.0.1:<port>` (no /v1; it posts to /v1/messages?beta=true
 * with its beta headers), the key as `ANTHROPIC_API_KEY` (sent as x-api-key).
 */
import assert from 'node:assert/strict';
import {
  assertExitedCleanly,
  type AgentsServer,
  answerModel,
  BIN,
  clientEnv,
  PROOF_COMMAND,
  proofFile,
  requireClient,
  runClient,
  shellRoundTrip,
  startServer,
  throwaway,
} from './harness';

const KEY = 'agents-claude-key';
const TIMEOUT = 120_000;

async function claude(server: AgentsServer, prompt: string, opts: { tools?: boolean } = {}) {
  const { home, work } = throwaway('claude');
  const env = clientEnv(home, {
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: server.apiKey ?? 'any',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    // A failed request would otherwise be retried with backoff for minutes.
    CLAUDE_CODE_MAX_RETRIES: '0',
  });
  // --allowedTools Bash runs its Bash tool without asking: only here, in a throwaway folder.
  const args = ['-p', '--model', 'sonnet', ...(opts.tools ? ['--allowedTools', 'Bash'] : []), '--', prompt];
  const run = await runClient(BIN.claude, args, { cwd: work, env, timeoutMs: TIMEOUT });
  return { run, work };
}

describe('Claude Code as a client (Messages API)', function () {
  this.timeout(TIMEOUT + 60_000);
  let server: AgentsServer;
  before(async function () {
    requireClient(this, BIN.claude, 'run npm ci');
    server = await startServer({ apiKey: KEY });
  });
  after(async () => {
    await server?.stop();
  });

  it('answers a plain prompt on stdout', async () => {
    server.fake.handle(answerModel('capital of Norway', 'Oslo, says the fake model.'));
    const { run } = await claude(server, 'What is the capital of Norway?');
    assertExitedCleanly(run);
    assert.equal(run.stdout, 'Oslo, says the fake model.\n');
    await server.assertClean();
  });

  it('runs its own Bash tool in a throwaway folder and answers with what the tool produced', async () => {
    const model = shellRoundTrip('Bash', { command: PROOF_COMMAND, description: 'Write the proof file' });
    server.fake.handle(model.handle);
    const { run, work } = await claude(server, 'Run the proof command.', { tools: true });
    assertExitedCleanly(run);
    assert.equal(proofFile(work), '42', 'the shell tool ran the command');
    assert.deepEqual(model.seen, ['42'], 'the model received the tool output');
    assert.equal(run.stdout, 'The tool said: 42\n');
    await server.assertClean();
  });
});
