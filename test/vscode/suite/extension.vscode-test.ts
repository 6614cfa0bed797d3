/**
 * CLI2API inside a real VS Code extension host, driven through the `vscode` API
 * (@vscode/test-electron; runner: test/vscode/run.ts). The server answers through the repo's
 * own Claude Code CLI (node_modules/@anthropic-ai/claude-code), which talks to a fake Anthropic
 * API started here, in the extension host, on 127.0.0.1.
 *
 * Settings are changed with the configuration API (ConfigurationTarget.Global: the runner gives
 * VS Code a throwaway --user-data-dir). The tests run in order and build on each other.
 *
 * Env (from the runner): CLI2API_VSCODE_INITIAL_PORT, the port the runner's settings.json
 * gives the server at activation; CLI2API_VSCODE_CLI_HOME, a throwaway HOME for the CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { loopbackApiEnv } from '../../../src/cli/process/loopback-env';
import { FakeAnthropic } from '../../support/fake-anthropic';
import { freePort, getJson, isPortOpen, waitFor } from './helpers';

const EXTENSION_ID = 'cli2api.cli2api';

interface Health {
  status: string;
  cli: { ok: boolean; path?: string; version?: string; error?: string };
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration();
}

async function setGlobal(key: string, value: unknown): Promise<void> {
  await config().update(key, value, vscode.ConfigurationTarget.Global);
}

/** Waits until /health answers 200 on `port` (the server started or moved there). */
async function waitForServer(port: number, timeoutMs = 20_000): Promise<Health> {
  return waitFor(
    `CLI2API to answer GET /health on port ${port}`,
    async () => {
      const res = await getJson(port, '/health');
      return res.status === 200 ? (res.body as Health) : undefined;
    },
    timeoutMs,
  );
}

async function waitForPortClosed(port: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(`port ${port} to close`, async () => !(await isPortOpen(port)), timeoutMs);
}

describe('CLI2API in a VS Code extension host (@vscode/test-electron)', function () {
  this.timeout(60_000);
  let ext: vscode.Extension<unknown>;
  let fake: FakeAnthropic;
  let cliHome: string;
  let ownCliHome = false;
  let port: number;

  before(async function () {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath wrong?)`);
    ext = found;
    fake = new FakeAnthropic(); // answers every model request with `echo: <last user text>`
    await fake.start();
    cliHome = process.env.CLI2API_VSCODE_CLI_HOME ?? '';
    if (!cliHome) {
      cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-vscode-home-'));
      ownCliHome = true;
    }
  });

  after(async function () {
    // Stop the server (and its CLI children) before VS Code exits; deactivate would do it too.
    await Promise.resolve(vscode.commands.executeCommand('cli2api.stop')).catch(() => undefined);
    await fake?.stop().catch(() => undefined);
    if (ownCliHome) fs.rmSync(cliHome, { recursive: true, force: true });
  });

  it(`has ${EXTENSION_ID} and activates it`, async function () {
    await ext.activate();
    assert.equal(ext.isActive, true);
    // The runner's settings.json has autoStart on and a free port: activation started the server.
    const initial = Number(process.env.CLI2API_VSCODE_INITIAL_PORT);
    if (initial > 0) await waitForServer(initial, 10_000);
  });

  it('registers every command package.json contributes', async function () {
    const contributed = (
      (ext.packageJSON as { contributes?: { commands?: Array<{ command: string }> } }).contributes?.commands ?? []
    ).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('serves on a port set through the configuration API, with the repo CLI and a fake Anthropic API', async function () {
    const claudePath = path.join(
      ext.extensionPath,
      'node_modules',
      '@anthropic-ai',
      'claude-code',
      'bin',
      'claude.exe',
    );
    assert.ok(fs.existsSync(claudePath), `no Claude CLI at ${claudePath} (npm install in the repo)`);
    await setGlobal('cli2api.claudePath', claudePath);
    await setGlobal('cli2api.env', {
      HOME: cliHome,
      USERPROFILE: cliHome,
      CLAUDE_CONFIG_DIR: path.join(cliHome, '.claude'),
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      ...loopbackApiEnv(fake.url, 'sk-ant-fake'),
    });
    const before = config().get<number>('cli2api.port');
    port = await freePort();
    await setGlobal('cli2api.port', port);
    assert.equal(config().get<number>('cli2api.port'), port);
    await waitForServer(port);
    if (before && before !== port) await waitForPortClosed(before);
  });

  it('cli2api.stop closes the port and cli2api.start opens it again', async function () {
    assert.equal(await isPortOpen(port), true, 'running before Stop');
    await vscode.commands.executeCommand('cli2api.stop');
    assert.equal(await isPortOpen(port), false, 'port closed once cli2api.stop resolved');
    await vscode.commands.executeCommand('cli2api.start');
    assert.equal(await isPortOpen(port), true, 'port open once cli2api.start resolved');
  });

  it('answers GET /health, with the CLI found', async function () {
    const res = await getJson(port, '/health');
    assert.equal(res.status, 200);
    const health = res.body as Health;
    assert.equal(health.cli.ok, true, `the extension found no usable CLI: ${JSON.stringify(health)}`);
    assert.equal(health.status, 'ok');
    assert.match(health.cli.version ?? '', /\d+\.\d+/);
  });

  it("returns the fake Anthropic API's echo for a chat completion sent with fetch", async function () {
    const before = fake.messageRequests.length;
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer unused' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hello from the extension host' }] }),
      signal: AbortSignal.timeout(50_000),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const body = JSON.parse(text) as {
      object: string;
      choices: Array<{ message: { content: string }; finish_reason: string }>;
    };
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices[0]?.message.content, 'echo: hello from the extension host');
    assert.equal(body.choices[0]?.finish_reason, 'stop');
    assert.ok(fake.messageRequests.length > before, 'the CLI called the fake Anthropic API');
  });

  it('moves the server when cli2api.port changes', async function () {
    const old = port;
    const next = await freePort();
    await setGlobal('cli2api.port', next);
    port = next;
    await waitForServer(next);
    await waitForPortClosed(old);
    assert.equal((await getJson(next, '/v1/models')).status, 200);
  });
});
