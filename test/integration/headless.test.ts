/**
 * The headless entry as users run it (`node bin/cli2api.js`, what `npx cli2api` runs), configured
 * only by environment variables and a .env file, with the `openai` SDK as the client.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { CLAUDE_BIN, fakeCliEnv } from '../support/cli-env';
import { FakeAnthropic } from '../support/fake-anthropic';
import { startHeadless, stopHeadless } from '../support/headless';
import { waitForNoProcesses } from '../support/processes';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'cli2api.js');

describe('headless server (npx cli2api)', function () {
  this.timeout(60_000);
  let fake: FakeAnthropic;
  let cwd: string;

  before(async () => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    fake = new FakeAnthropic();
    await fake.start();
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-headless-'));
  });
  after(async () => {
    await fake?.stop();
  });

  it('serves the API on the port from the environment and chats through the real CLI, streaming and not', async () => {
    const marker = randomUUID();
    fs.writeFileSync(path.join(cwd, '.env'), 'CLI2API_DEFAULT_MODEL=haiku\n');
    const server = await startHeadless(
      { ...fakeCliEnv(fake.url), C2A_TEST_MARKER: marker, CLI2API_PORT: '0', CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN },
      cwd,
    );
    try {
      const health = (await (await fetch(`${server.url}/health`)).json()) as {
        status: string;
        cli: { ok: boolean; version: string };
      };
      assert.equal(health.status, 'ok');
      assert.equal(health.cli.ok, true);
      assert.match(health.cli.version, /^\d+\.\d+\.\d+/);

      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'anything', maxRetries: 0 });
      const models = await client.models.list();
      assert.deepEqual(
        models.data.map((m) => m.id),
        ['sonnet', 'opus', 'haiku'],
      );
      const completion = await client.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'ping' }],
      });
      assert.equal(completion.choices[0]?.message.content, 'echo: ping');

      fake.reset();
      // No model named: the default from .env applies, and the CLI resolves the alias.
      const stream = await client.chat.completions.create({
        stream: true,
        messages: [{ role: 'user', content: 'pong' }],
      } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, 'echo: pong');
      assert.match(fake.messageRequests[0]!.body.model, /haiku/);
      // The log line is written once the response has ended.
      for (let i = 0; i < 40 && !/model=haiku 200/.test(server.output()); i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(server.output(), /POST \/v1\/chat\/completions model=haiku 200/);
    } finally {
      assert.equal(await stopHeadless(server), 0);
    }
    assert.deepEqual(await waitForNoProcesses(marker), []);
  });

  it('answers 503 with install instructions when the CLI cannot be found, and keeps serving', async () => {
    const server = await startHeadless({ CLI2API_PORT: '0', CLI2API_CLAUDE_CLI_PATH: '/nonexistent/claude' }, cwd);
    try {
      const health = (await (await fetch(`${server.url}/health`)).json()) as {
        status: string;
        cli: { ok: boolean; error: string };
      };
      assert.equal(health.status, 'degraded');
      assert.equal(health.cli.ok, false);
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
      await assert.rejects(
        client.chat.completions.create({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        (e: unknown) =>
          e instanceof OpenAI.APIError &&
          e.status === 503 &&
          /Install Claude Code/.test(e.message) &&
          (e.error as { code?: string }).code === 'cli_not_found',
      );
      assert.equal((await fetch(`${server.url}/v1/models`)).status, 200);
    } finally {
      await stopHeadless(server);
    }
  });

  it('stops at startup with exit code 2 and a one-line error naming an invalid variable', () => {
    let status: number | null = null;
    let stderr = '';
    try {
      execFileSync(process.execPath, [BIN], {
        cwd,
        env: { PATH: process.env.PATH ?? '', CLI2API_PORT: 'eighty' },
        stdio: 'pipe',
      });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = err.stderr.toString();
    }
    assert.equal(status, 2);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /CLI2API_PORT/);
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const first = await startHeadless({ CLI2API_PORT: '0', CLI2API_CLAUDE_CLI_PATH: CLAUDE_BIN }, cwd);
    const port = new URL(first.url).port;
    try {
      let status: number | null = null;
      let stderr = '';
      try {
        execFileSync(process.execPath, [BIN], {
          cwd,
          env: { PATH: process.env.PATH ?? '', CLI2API_PORT: port },
          stdio: 'pipe',
          timeout: 15_000,
        });
      } catch (e) {
        const err = e as { status: number; stderr: Buffer };
        status = err.status;
        stderr = err.stderr.toString();
      }
      assert.equal(status, 1);
      assert.match(stderr, new RegExp(`Port ${port} .*already in use`));
    } finally {
      await stopHeadless(first);
    }
  });
});
