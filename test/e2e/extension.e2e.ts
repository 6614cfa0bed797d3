/**
 * CLI2API in a real VS Code extension host (code-server + headless Chromium, see harness.ts):
 * the packaged VSIX activates by itself, serves the OpenAI API on the configured port and
 * answers through the REAL Claude Code CLI, which talks to a fake Anthropic API on 127.0.0.1.
 *
 * The VSIX is packaged fresh from the working tree into a temp folder (vsce runs the
 * production build), unless CLI2API_E2E_VSIX names one. Needs scripts/e2e-setup.sh first.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { CLAUDE_BIN, fakeCliEnv } from '../support/cli-env';
import { FakeAnthropic, lastUserText } from '../support/fake-anthropic';
import {
  CodeServerSession,
  describeProcs,
  freePort,
  isPortOpen,
  listProcesses,
  occupyPort,
  packageVsix,
  processesWithEnv,
  sleep,
  stillAlive,
  waitFor,
} from './harness';

const COMMANDS = [
  'CLI2API: Start Server',
  'CLI2API: Stop Server',
  'CLI2API: Restart Server',
  'CLI2API: Show Log',
  'CLI2API: Check Claude CLI',
  'CLI2API: Copy Base URL',
  'CLI2API: Connect a Client…',
];
/** The CLI2API LogOutputChannel's file under the user data logs folder. */
const LOG_FILE = /[\\/]CLI2API\.log$/;
/** Marks every CLI child this suite starts (through cli2api.env), to find them after shutdown. */
const CLI_MARK_ENV = 'CLI2API_E2E_CLI_MARK';

interface Fixture {
  tmp: string;
  vsix: string;
  fake: FakeAnthropic;
  cliMark: string;
  settings(port: number): Record<string, unknown>;
}

async function createFixture(): Promise<Fixture> {
  assert.ok(fs.existsSync(CLAUDE_BIN), `no Claude CLI at ${CLAUDE_BIN} (npm install)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli2api-e2e-suite-'));
  const vsix = packageVsix(tmp);
  const fake = new FakeAnthropic();
  const fakeUrl = await fake.start();
  const cliMark = randomBytes(6).toString('hex');
  const cliEnv = fakeCliEnv(fakeUrl, { [CLI_MARK_ENV]: cliMark });
  return {
    tmp,
    vsix,
    fake,
    cliMark,
    settings: (port) => ({
      'cli2api.port': port,
      'cli2api.host': '127.0.0.1',
      'cli2api.autoStart': true,
      'cli2api.claudePath': CLAUDE_BIN,
      'cli2api.env': cliEnv,
    }),
  };
}

async function destroyFixture(f: Fixture | undefined): Promise<void> {
  if (!f) return;
  await f.fake.stop().catch(() => undefined);
  fs.rmSync(f.tmp, { recursive: true, force: true });
}

function openai(port: number): OpenAI {
  return new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
}

async function getJson(port: number, p: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** `claude` processes started by this suite: below code-server, or marked through cli2api.env. */
function claudeProcesses(session: CodeServerSession, mark: string) {
  const isClaude = (p: { cmdline: string; exe: string; comm: string }) =>
    /claude/i.test(`${p.exe} ${p.cmdline.split(' ')[0]} ${p.comm}`);
  const all = listProcesses();
  const byPid = new Map<number, ReturnType<typeof listProcesses>[number]>();
  for (const p of [...session.processes(), ...processesWithEnv(CLI_MARK_ENV, mark, all)])
    if (isClaude(p)) byPid.set(p.pid, p);
  return [...byPid.values()];
}

describe('CLI2API in a real VS Code extension host', function () {
  this.timeout(180_000);
  let f: Fixture;
  let session: CodeServerSession;
  let port: number;
  const running = () => new RegExp(`^CLI2API :${port}$`);

  before(async function () {
    const t0 = Date.now();
    f = await createFixture();
    console.log(`      (VSIX ready in ${Date.now() - t0} ms)`);
    f.fake.handle((req) => {
      const text = lastUserText(req.body);
      if (/slow stream/.test(text)) {
        return {
          kind: 'message',
          blocks: [
            { type: 'text', text: 'one two three four five', chunks: ['one ', 'two ', 'three ', 'four ', 'five'] },
          ],
          deltaDelayMs: 400,
        };
      }
      if (/never answer/.test(text)) return { kind: 'hang' };
      return { kind: 'message', blocks: [{ type: 'text', text: `echo: ${text}` }] };
    });
    port = await freePort();
    session = await CodeServerSession.launch({ vsix: f.vsix, name: 'extension', settings: f.settings(port) });
    console.log(`      (code-server + workbench up in ${session.launchMs} ms)`);
  });

  after(async function () {
    await session?.dispose();
    await destroyFixture(f);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session && !session.isDisposed) {
      await session.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
    }
  });

  it('activates by itself and the status bar shows it running on the configured port', async function () {
    const item = await session.waitForStatusBarItem(running(), 45_000);
    assert.match(item.ariaLabel, /CLI2API/);
    const models = await getJson(port, '/v1/models');
    assert.equal(models.status, 200);
    const health = (await getJson(port, '/health')).body as { status: string; cli: { ok: boolean; version?: string } };
    assert.equal(health.cli.ok, true, `CLI not found by the extension: ${JSON.stringify(health)}`);
    const tooltip = await session.statusBarTooltip(running());
    assert.match(tooltip, new RegExp(`http://127\\.0\\.0\\.1:${port}/v1`));
    await session.screenshot('extension-statusbar', '.part.statusbar');
  });

  it('contributes its commands to the command palette', async function () {
    const input = session.page.locator('.quick-input-widget input');
    await session.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>CLI2API:');
    let rows: string[] = [];
    try {
      await waitFor(
        'the CLI2API commands in the palette',
        async () => {
          rows = await session.quickPickItems();
          return COMMANDS.every((c) => rows.includes(c));
        },
        10_000,
      ).catch(() => undefined);
      await session.screenshot('extension-palette');
    } finally {
      await session.closeQuickInput();
    }
    const missing = COMMANDS.filter((c) => !rows.includes(c));
    assert.deepEqual(missing, [], `missing from the palette (it shows ${JSON.stringify(rows)})`);
  });

  it('clicking the status bar item opens the quick pick menu of commands', async function () {
    await session.clickStatusBarItem(running());
    try {
      const items = await session.quickPickItems();
      for (const expected of ['Stop Server', 'Restart Server', 'Copy Base URL', 'Show Log']) {
        assert.ok(items.includes(expected), `menu ${JSON.stringify(items)} lacks ${expected}`);
      }
      await session.screenshot('extension-statusbar-menu');
    } finally {
      await session.closeQuickInput();
    }
  });

  it('chats through the openai SDK with the real Claude CLI (not streaming)', async function () {
    const before = f.fake.messageRequests.length;
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hello from the e2e suite' }],
    });
    assert.equal(res.object, 'chat.completion');
    assert.equal(res.choices[0]?.message.content, 'echo: hello from the e2e suite');
    assert.equal(res.choices[0]?.finish_reason, 'stop');
    assert.ok(f.fake.messageRequests.length > before, 'the CLI called the fake Anthropic API');
  });

  it('streams through the openai SDK, and the status bar counts the request in flight', async function () {
    const inFlight = new RegExp(`^CLI2API :${port} · 1$`);
    let sawInFlight = false;
    const stream = await openai(port).chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'slow stream please' }],
    });
    const deltas: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (!sawInFlight && (await session.statusBarItem(inFlight))) sawInFlight = true;
    }
    assert.equal(deltas.join(''), 'one two three four five');
    assert.ok(deltas.length >= 3, `expected several deltas, got ${JSON.stringify(deltas)}`);
    assert.equal(finish, 'stop');
    assert.ok(sawInFlight, 'the status bar showed " · 1" while the stream ran');
    await session.waitForStatusBarItem(running(), 10_000);
  });

  it('Stop from the palette closes the port and says stopped; Start serves again', async function () {
    await session.runCommand('CLI2API: Stop Server');
    await session.waitForStatusBarItem(/^CLI2API: stopped$/, 15_000);
    assert.equal(await isPortOpen(port), false, 'port closed after Stop');
    await session.screenshot('extension-statusbar-stopped', '.part.statusbar');

    await session.runCommand('CLI2API: Start Server');
    await session.waitForStatusBarItem(running(), 15_000);
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'after restart' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: after restart');
  });

  it('editing cli2api.port in settings.json moves the server without a reload', async function () {
    const hostsBefore = session.extensionHosts().map((p) => p.pid);
    assert.equal(hostsBefore.length, 1, `one extension host expected:\n${describeProcs(session.extensionHosts())}`);
    const old = port;
    const next = await freePort();
    await session.editUserSettings({ 'cli2api.port': next });
    port = next;
    await session.waitForStatusBarItem(running(), 15_000);
    assert.equal((await getJson(next, '/v1/models')).status, 200);
    await waitFor(`the old port ${old} to close`, async () => !(await isPortOpen(old)), 10_000);
    assert.deepEqual(
      session.extensionHosts().map((p) => p.pid),
      hostsBefore,
      'the same extension host process (no reload)',
    );
  });

  it('Show Log reveals the CLI2API output channel with the request lines', async function () {
    await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'for the log' }],
    });
    await session.clearNotifications();
    await session.runCommand('CLI2API: Show Log');
    const requestLine = /POST \/v1\/chat\/completions model=\S+ 200 \d+ms/;
    const panel = await waitFor(
      'a request line in the CLI2API output channel',
      async () => {
        const p = await session.outputPanel();
        return p.visible && requestLine.test(p.text) ? p : undefined;
      },
      15_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; the panel shows: ${JSON.stringify(await session.outputPanel())}`);
    });
    assert.equal(panel.channel, 'CLI2API');
    assert.match(session.readLogs(LOG_FILE), requestLine, 'the channel log file holds the request line too');
    await session.screenshot('extension-output');
  });

  it('"Check Claude CLI" runs the doctor: the report in the CLI2API output channel, the summary as a notification', async function () {
    this.timeout(300_000);
    await session.clearNotifications();
    await session.runCommand('CLI2API: Check Claude CLI');
    const note = await session.waitForNotification(/checks passed with Claude Code/, 240_000);
    assert.match(note, /Result: 10 of 10 checks passed with Claude Code [\d.]+: CLI2API can use this CLI\./);
    const log = session.readLogs(LOG_FILE);
    assert.match(log, /one API call for an answer cut at the limit +PASS/, 'the report in the channel');
    assert.match(log, /Logged in: +yes \(api_key\)/);
    await session.screenshot('extension-doctor');
  });

  it('Set API Key asks for a member name, then the key; /v1 then needs it and the log names the member', async function () {
    const key = `e2e-key-${randomBytes(8).toString('hex')}`;
    const widget = session.page.locator('.quick-input-widget');
    const input = widget.locator('input');
    await session.closeQuickInput();
    await session.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>CLI2API: Set API Key');
    await waitFor(
      'the command row',
      async () => (await session.quickPickItems())[0] === 'CLI2API: Set API Key',
      10_000,
    );
    await session.page.keyboard.press('Enter');
    await waitFor('the member name box', async () => /Member name/.test(await widget.innerText()), 10_000);
    await input.fill('not a name!');
    await waitFor('the name rule', async () => /letters, digits/.test(await widget.innerText()), 10_000);
    await input.fill('alice');
    await session.page.keyboard.press('Enter');
    await waitFor(
      'the key box (a password field)',
      async () => (await input.getAttribute('type')) === 'password',
      10_000,
    );
    await input.fill(key);
    await session.page.keyboard.press('Enter');
    await session.waitForNotification(/API key for alice saved/);
    try {
      await waitFor('/v1 to need the key', async () => (await getJson(port, '/v1/models')).status === 401, 10_000);
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: key, maxRetries: 0 });
      const res = await client.chat.completions.create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'as alice' }],
      });
      assert.equal(res.choices[0]?.message.content, 'echo: as alice');
      await waitFor(
        'the member in the log',
        async () => /member=alice model=\S+ 200/.test(session.readLogs(LOG_FILE)),
        10_000,
      );
      assert.ok(!session.readLogs(LOG_FILE).includes(key), 'the key itself is never logged');
    } finally {
      await session.runCommand('CLI2API: Clear API Keys');
      await waitFor('/v1 open again', async () => (await getJson(port, '/v1/models')).status === 200, 10_000);
    }
  });

  it('stopping code-server leaves no claude process behind', async function () {
    // A request the fake never answers keeps a CLI child alive while code-server stops.
    const pending = openai(port)
      .chat.completions.create({
        model: 'sonnet',
        stream: true,
        messages: [{ role: 'user', content: 'never answer this' }],
      })
      .then(async (s) => {
        for await (const _ of s) {
          // drain
        }
      })
      .catch(() => undefined);
    const alive = await waitFor(
      'a claude process serving the pending request',
      () => {
        const procs = claudeProcesses(session, f.cliMark);
        return procs.length > 0 ? procs : undefined;
      },
      20_000,
    );

    // SIGTERM to code-server's main process only: the extension must stop its own children.
    const report = await session.dispose({ signal: 'main', graceMs: 10_000 });
    const leftovers = report.survivorsAfterGrace.filter((p) => /claude/i.test(`${p.exe} ${p.cmdline}`));
    assert.equal(report.exitedOnSigterm, true, 'code-server exited on SIGTERM');
    assert.deepEqual(leftovers, [], `claude processes alive after the grace period:\n${describeProcs(leftovers)}`);
    assert.deepEqual(stillAlive(alive), []);
    assert.deepEqual(processesWithEnv(CLI_MARK_ENV, f.cliMark), [], 'no marked CLI process anywhere');
    assert.equal(await isPortOpen(port), false, 'the API port is closed');
    console.log(`      (code-server stopped in ${report.durationMs} ms)`);
    await Promise.race([pending, sleep(5_000)]);
  });
});

describe('CLI2API when its port is taken before it starts', function () {
  this.timeout(180_000);
  let f: Fixture;
  let session: CodeServerSession | undefined;
  let holder: { close(): Promise<void> } | undefined;

  before(async function () {
    f = await createFixture();
  });

  after(async function () {
    await holder?.close();
    await session?.dispose();
    await destroyFixture(f);
  });

  it('shows the error state, says why in the log and a notification, and starts once the port is free', async function () {
    const busy = await freePort();
    holder = await occupyPort(busy);
    session = await CodeServerSession.launch({ vsix: f.vsix, name: 'port-in-use', settings: f.settings(busy) });
    await session.waitForStatusBarItem(/^CLI2API: error$/, 45_000);
    await session.screenshot('extension-statusbar-error', '.part.statusbar');
    await waitFor(
      'the reason in the CLI2API log',
      () => /EADDRINUSE|in use/i.test(session!.readLogs(LOG_FILE)),
      10_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; log:\n${session!.readLogs(LOG_FILE)}`);
    });
    const note = await session.waitForNotification(/could not start/i, 10_000);
    assert.match(note, new RegExp(`${busy}.*in use|EADDRINUSE`, 'i'));
    const tooltip = await session.statusBarTooltip(/^CLI2API: error$/);
    assert.match(tooltip, /in use|EADDRINUSE/i);
    await session.screenshot('extension-port-in-use');

    await holder.close();
    holder = undefined;
    await session.clearNotifications();
    await session.runCommand('CLI2API: Start Server');
    await session.waitForStatusBarItem(new RegExp(`^CLI2API :${busy}$`), 15_000);
    assert.equal((await getJson(busy, '/v1/models')).status, 200);
  });
});
