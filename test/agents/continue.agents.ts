/**
 * Continue CLI (`cn`, pinned in test/agents/package.json) as a client of CLI2API's Chat
 * Completions, with the model entry the README gives (`provider: openai`, `apiBase`, `apiKey`).
 * Its start-up version check (api.continue.dev) cannot be turned off; it fails at once offline.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertExitedCleanly,
  type AgentsServer,
  answerModel,
  BIN,
  clientEnv,
  installedVersion,
  PROOF_COMMAND,
  proofFile,
  requireClient,
  runClient,
  shellRoundTrip,
  startServer,
  throwaway,
} from './harness';

const KEY = 'agents-continue-key';
const TIMEOUT = 120_000;

async function cn(server: AgentsServer, prompt: string, opts: { tools?: boolean } = {}) {
  const { home, work } = throwaway('continue');
  const config = path.join(home, 'config.yaml');
  fs.writeFileSync(
    config,
    [
      'name: cli2api',
      'version: 0.0.1',
      'schema: v1',
      'models:',
      '  - name: Claude via CLI2API',
      '    provider: openai',
      '    model: sonnet',
      `    apiBase: ${server.url}/v1`,
      `    apiKey: ${server.apiKey}`,
      '',
    ].join('\n'),
  );
  const env = clientEnv(home, {
    CONTINUE_GLOBAL_DIR: path.join(home, '.continue'),
    CONTINUE_CLI_ENABLE_TELEMETRY: '0',
    CONTINUE_METRICS_ENABLED: '0',
  });
  // --auto allows every tool without asking: only here, in a throwaway folder.
  const args = ['--config', config, ...(opts.tools ? ['--auto'] : []), '-p', prompt];
  const run = await runClient(BIN.continue, args, { cwd: work, env, timeoutMs: TIMEOUT });
  return { run, work };
}

describe('Continue CLI as a client (Chat Completions)', function () {
  this.timeout(TIMEOUT + 60_000);
  let server: AgentsServer;
  before(async function () {
    requireClient(this, BIN.continue, 'run scripts/agents-setup.sh');
    assert.equal(installedVersion('@continuedev/cli'), '1.5.47');
    server = await startServer({ apiKey: KEY });
  });
  after(async () => {
    await server?.stop();
  });

  it('answers a plain prompt on stdout', async () => {
    server.fake.handle(answerModel('capital of Norway', 'Oslo, says the fake model.'));
    const { run } = await cn(server, 'What is the capital of Norway?');
    assertExitedCleanly(run);
    assert.equal(run.stdout, 'Oslo, says the fake model.\n');
    await server.assertClean();
  });

  it('runs its own shell tool (Bash) in a throwaway folder and answers with what the tool produced', async () => {
    const model = shellRoundTrip('Bash', { command: PROOF_COMMAND });
    server.fake.handle(model.handle);
    const { run, work } = await cn(server, 'Run the proof command.', { tools: true });
    assertExitedCleanly(run);
    assert.equal(proofFile(work), '42', 'the shell tool ran the command');
    assert.equal(model.seen.length, 1);
    assert.match(model.seen[0]!, /^42\n?$/, 'the model received the tool output');
    assert.equal(run.stdout, 'The tool said: 42\n');
    await server.assertClean();
  });
});
