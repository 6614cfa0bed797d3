/**
 * Codex CLI (pinned in test/agents/package.json) as a client of CLI2API's Responses API, with
 * its default tools: the `multi_agent_v1` namespace tool, the goal tools, its shell tool
 * `exec_command` and the hosted `web_search` tool (left out by CLI2API). Configured as the
 * README says, with and without an API key (`env_key`).
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

const KEY = 'agents-codex-key';
const TIMEOUT = 120_000;

/** ~/.codex/config.toml as the README gives it, plus the switches that keep Codex off the network. */
function codexConfig(home: string, baseUrl: string, withKey: boolean): void {
  fs.mkdirSync(path.join(home, '.codex'));
  fs.writeFileSync(
    path.join(home, '.codex', 'config.toml'),
    [
      'model = "sonnet"',
      'model_provider = "cli2api"',
      'check_for_update_on_startup = false',
      '',
      '[model_providers.cli2api]',
      'name = "CLI2API"',
      `base_url = "${baseUrl}/v1"`,
      'wire_api = "responses"',
      ...(withKey ? ['env_key = "CLI2API_API_KEY"'] : []),
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[features]',
      'plugins = false',
      '',
    ].join('\n'),
  );
}

async function codex(
  server: AgentsServer,
  prompt: string,
  opts: { tools?: boolean } = {},
): Promise<{ run: Awaited<ReturnType<typeof runClient>>; work: string }> {
  const { home, work } = throwaway('codex');
  codexConfig(home, server.url, server.apiKey !== undefined);
  const args = ['exec', '--skip-git-repo-check', '-C', work];
  // Approvals and sandbox off only here: a throwaway folder the test deletes.
  if (opts.tools) args.push('--dangerously-bypass-approvals-and-sandbox');
  args.push(prompt);
  const env = clientEnv(home, server.apiKey ? { CLI2API_API_KEY: server.apiKey } : {});
  const run = await runClient(BIN.codex, args, { cwd: work, env, timeoutMs: TIMEOUT });
  return { run, work };
}

describe('Codex CLI as a client (Responses API)', function () {
  this.timeout(TIMEOUT + 60_000);
  before(function () {
    requireClient(this, BIN.codex, 'run scripts/agents-setup.sh');
    assert.equal(installedVersion('@openai/codex'), '0.169.0');
  });

  describe('without an API key (no env_key)', () => {
    let server: AgentsServer;
    before(async () => {
      server = await startServer();
    });
    after(async () => {
      await server?.stop();
    });

    it('answers a plain prompt on stdout; namespaced tools reach the model, hosted web_search is left out', async () => {
      server.fake.handle(answerModel('capital of Norway', 'Oslo, says the fake model.'));
      const { run } = await codex(server, 'What is the capital of Norway?');
      assertExitedCleanly(run);
      assert.equal(run.stdout, 'Oslo, says the fake model.\n');
      const sent = server.fake.messageRequests[0]!;
      assert.equal(sent.headers.authorization, undefined);
      const tools = (sent.body.tools ?? []).map((t) => t.name.replace(/^mcp__c__/, ''));
      for (const name of ['exec_command', 'spawn_agent', 'wait_agent', 'close_agent', 'get_goal'])
        assert.ok(tools.includes(name), `${name} reaches the model (offered: ${tools.join(', ')})`);
      assert.ok(!tools.some((t) => /web_search/.test(t)));
      assert.match(server.server.output(), /left out hosted tools the CLI cannot run: web_search \(tools\[\d+\]\)/);
      await server.assertClean();
    });
  });

  describe('with an API key (env_key)', () => {
    let server: AgentsServer;
    before(async () => {
      server = await startServer({ apiKey: KEY });
    });
    after(async () => {
      await server?.stop();
    });

    it('runs its own shell tool (exec_command) in a throwaway folder and answers with what the tool produced', async () => {
      const model = shellRoundTrip('exec_command', { cmd: PROOF_COMMAND });
      server.fake.handle(model.handle);
      const { run, work } = await codex(server, 'Run the proof command.', { tools: true });
      assertExitedCleanly(run);
      assert.equal(proofFile(work), '42', 'the shell tool ran the command');
      assert.equal(model.seen.length, 1);
      assert.match(model.seen[0]!, /Process exited with code 0[\s\S]*\n42\n?$/, 'the model received the tool output');
      assert.equal(run.stdout, 'The tool said: 42\n');
      await server.assertClean();
    });

    it("calls a namespaced tool (multi_agent_v1's wait_agent): Codex finds it by namespace and name", async () => {
      const model = shellRoundTrip('wait_agent', { targets: [] });
      server.fake.handle(model.handle);
      const { run } = await codex(server, 'Wait for your agents.');
      assertExitedCleanly(run);
      assert.equal(model.seen.length, 1);
      assert.doesNotMatch(model.seen[0]!, /unsupported call/, 'Codex ran its own handler');
      assert.match(model.seen[0]!, /agent/i);
      assert.equal(run.stdout, `The tool said: ${model.seen[0]!.trim().split('\n').at(-1)}\n`);
      await server.assertClean();
    });
  });
});
