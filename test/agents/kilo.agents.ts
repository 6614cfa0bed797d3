/**
 * Kilo CLI (the engine of today's Kilo Code extension; `@kilocode/cli-linux-x64`, pinned in
 * test/agents/package.json) as a client of CLI2API's Chat Completions, through its
 * `@ai-sdk/openai-compatible` provider configured as the README says. Kilo needs ~15 s of CPU
 * and ~1 GB per run before its first request: generous timeouts.
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

const KEY = 'agents-kilo-key';
const TIMEOUT = 300_000;

/** ~/.config/kilo/kilo.jsonc: the README's provider block, only this provider enabled. */
function kiloConfig(home: string, baseUrl: string, apiKey: string): void {
  const dir = path.join(home, '.config', 'kilo');
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    model: 'cli2api/sonnet',
    small_model: 'cli2api/sonnet',
    enabled_providers: ['cli2api'],
    autoupdate: false,
    share: 'disabled',
    provider: {
      cli2api: {
        npm: '@ai-sdk/openai-compatible',
        name: 'CLI2API',
        options: { baseURL: `${baseUrl}/v1`, apiKey },
        models: { sonnet: { name: 'Claude Sonnet (CLI2API)' } },
      },
    },
  };
  fs.writeFileSync(path.join(dir, 'kilo.jsonc'), JSON.stringify(config, null, 2));
}

/** What keeps Kilo off the network: no model list download, telemetry, updates, sharing or daemon. */
const KILO_OFFLINE = {
  KILO_DISABLE_MODELS_FETCH: '1',
  KILO_DISABLE_AUTOUPDATE: '1',
  KILO_DISABLE_LSP_DOWNLOAD: '1',
  KILO_DISABLE_SHARE: '1',
  KILO_DISABLE_SESSION_INGEST: '1',
  KILO_DISABLE_PRESENCE: '1',
  KILO_TELEMETRY_LEVEL: 'off',
  KILO_NO_DAEMON: '1',
  KILO_DISABLE_DEFAULT_PLUGINS: '1',
  KILO_DISABLE_CLAUDE_CODE: '1',
  KILO_DISABLE_EXTERNAL_SKILLS: '1',
};

async function kilo(server: AgentsServer, prompt: string, opts: { tools?: boolean } = {}) {
  const { home, work } = throwaway('kilo');
  kiloConfig(home, server.url, server.apiKey ?? '');
  // --auto runs tools without asking: only here, in a throwaway folder.
  const args = ['run', ...(opts.tools ? ['--auto'] : []), prompt];
  const run = await runClient(BIN.kilo, args, { cwd: work, env: clientEnv(home, KILO_OFFLINE), timeoutMs: TIMEOUT });
  return { run, work };
}

describe('Kilo CLI as a client (Chat Completions)', function () {
  this.timeout(TIMEOUT + 60_000);
  let server: AgentsServer;
  before(async function () {
    requireClient(this, BIN.kilo, 'scripts/agents-setup.sh installs it on linux-x64 only');
    assert.equal(installedVersion('@kilocode/cli-linux-x64'), '7.7.9');
    server = await startServer({ apiKey: KEY });
  });
  after(async () => {
    await server?.stop();
  });

  it('answers a plain prompt on stdout', async () => {
    server.fake.handle(answerModel('capital of Norway', 'Oslo, says the fake model.'));
    const { run } = await kilo(server, 'What is the capital of Norway?');
    assertExitedCleanly(run);
    assert.equal(run.stdout, 'Oslo, says the fake model.\n');
    assert.equal(server.fake.messageRequests.length, 1);
    await server.assertClean();
  });

  it('runs its own shell tool (bash) in a throwaway folder and answers with what the tool produced', async () => {
    const model = shellRoundTrip('bash', { command: PROOF_COMMAND, description: 'Write the proof file' });
    server.fake.handle(model.handle);
    const { run, work } = await kilo(server, 'Run the proof command.', { tools: true });
    assertExitedCleanly(run);
    assert.equal(proofFile(work), '42', 'the shell tool ran the command');
    assert.deepEqual(model.seen, ['42\n'], 'the model received the tool output');
    assert.equal(run.stdout, 'The tool said: 42\n');
    await server.assertClean();
  });
});
