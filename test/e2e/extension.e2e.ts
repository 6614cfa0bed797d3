/**
 * CLI2API in a real VS Code extension host (code-server + headless Chromium, see harness.ts):
 * the packaged VSIX activates by itself, serves the API on the configured port and answers
 * through the REAL Claude Code CLI, which talks to a fake Anthropic API on 127.0.0.1. Every
 * command the extension offers in the palette is run from the palette here, and checked.
 *
 * The VSIX is packaged fresh from the working tree (or CLI2API_E2E_VSIX). Needs scripts/e2e-setup.sh.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as TOML from '@decimalturn/toml-patch';
import {
  CLAUDE_BIN,
  claudeProcesses,
  CLI_MARK_ENV,
  createFixture,
  destroyFixture,
  type Fixture,
  getJson,
  LOG_FILE,
  openai,
  paletteCommands,
} from './fixture';
import {
  CodeServerSession,
  describeProcs,
  freePort,
  isPortOpen,
  processesWithEnv,
  sleep,
  stillAlive,
  waitFor,
} from './harness';

interface Health {
  name: string;
  cli: { ok: boolean };
  processes: { alive: number; warm: number; idle: number };
}

describe('CLI2API in a real VS Code extension host', function () {
  this.timeout(180_000);
  let f: Fixture;
  let session: CodeServerSession;
  let port: number;
  const ran = new Set<string>();
  const running = () => new RegExp(`^CLI2API :${port}$`);
  /** This suite's claude sessions (a short `claude --version` probe is not one). */
  const cliSessions = () => claudeProcesses(session, f.cliMark).filter((p) => p.cmdline.includes('--input-format'));
  /** Runs a command from the palette, and notes that it was. */
  const run = async (title: string, then: 'closes' | 'asks' = 'closes') => {
    await session.runCommand(title, 15_000, then);
    ran.add(title);
  };

  before(async function () {
    f = await createFixture();
    port = await freePort();
    session = await CodeServerSession.launch({ vsix: f.vsix, name: 'extension', settings: f.settings(port) });
    console.log(`      (code-server + workbench up in ${session.launchMs} ms)`);
  });

  after(async function () {
    await session?.dispose();
    await destroyFixture(f);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session && !session.isDisposed)
      await session.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  it('activates by itself: the status bar shows the port, with a plain screen reader label', async function () {
    const item = await session.waitForStatusBarItem(running(), 45_000);
    assert.equal(item.ariaLabel, `CLI2API running on port ${port}`);
    const health = (await getJson(port, '/health')).body as Health;
    assert.equal(health.name, 'CLI2API');
    assert.equal(health.cli.ok, true, `CLI not found by the extension: ${JSON.stringify(health)}`);
    // The CLI is known (with prewarm "startup" its warm process would start now), yet with the
    // default "first-request" nothing runs until the API is used: no memory for an unused extension.
    assert.deepEqual(
      { alive: health.processes.alive, warm: health.processes.warm },
      { alive: 0, warm: 0 },
      'no CLI process before the first request',
    );
    assert.deepEqual(cliSessions(), [], 'no claude process started');
    const tooltip = await session.statusBarTooltip(running());
    assert.match(tooltip, new RegExp(`http://127\\.0\\.0\\.1:${port}/v1`));
    await session.screenshot('extension-statusbar', '.part.statusbar');
  });

  it('offers every command of package.json in the command palette', async function () {
    const expected = paletteCommands();
    assert.ok(expected.length >= 10, JSON.stringify(expected));
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
          return expected.every((c) => rows.includes(c));
        },
        10_000,
      ).catch(() => undefined);
      await session.screenshot('extension-palette');
    } finally {
      await session.closeQuickInput();
    }
    assert.deepEqual(
      expected.filter((c) => !rows.includes(c)),
      [],
      `missing from the palette (it shows ${JSON.stringify(rows)})`,
    );
    assert.ok(!rows.includes('CLI2API: Show Menu'), 'the menu command is for the status bar only');
  });

  it('the status bar menu pre-selects nothing destructive, and Open Settings shows only CLI2API, grouped', async function () {
    await session.clickStatusBarItem(running());
    const items = await session.quickPickItems();
    assert.deepEqual(items, [
      'Copy Base URL',
      'Connect a Client…',
      'Show Log',
      'Restart Server',
      'Stop Server',
      'Check Claude CLI',
      'Open Settings',
    ]);
    const focused = await session.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name')
      .first()
      .innerText();
    assert.equal(focused.trim(), 'Copy Base URL');
    await session.screenshot('extension-statusbar-menu');
    await session.pickQuickPickItem('Open Settings');
    const search = session.page.locator('.settings-editor .settings-header .suggest-input-container .view-lines');
    await waitFor('the settings search', async () => /@ext:cli2api\.cli2api/.test(await search.innerText()), 15_000);
    const toc = session.page.locator('.settings-editor .settings-toc-container');
    const tocText = await waitFor(
      'the CLI2API groups in the settings table of contents',
      async () => {
        const t = (await toc.innerText()).replace(/\s+/g, ' ');
        return /Server/.test(t) && /Agent mode/.test(t) ? t : undefined;
      },
      15_000,
    );
    for (const group of [
      'Server',
      'Claude CLI',
      'Limits',
      'Usage limits',
      'Warm processes',
      'Responses store',
      'Security',
      'Agent mode',
    ])
      assert.match(tocText, new RegExp(group));
    const first = await session.page
      .locator('.settings-editor .setting-item-contents .setting-item-label')
      .first()
      .innerText();
    assert.match(first, /Port/, 'the port comes first');
    const effort = session.page.locator('.settings-editor [data-key="cli2api.defaultEffort"] select');
    await session.openSettingsUi('@ext:cli2api.cli2api effort');
    await effort.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(
      await effort.first().evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent ?? ''),
      /CLI default/,
    );
    await session.openSettingsUi('@ext:cli2api.cli2api');
    await session.screenshot('extension-settings');
    await session.runCommand('View: Close Editor');
  });

  it('chats through the openai SDK with the real Claude CLI (not streaming)', async function () {
    const before = f.fake.messageRequests.length;
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hello from the e2e suite' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: hello from the e2e suite');
    assert.ok(f.fake.messageRequests.length > before, 'the CLI called the fake Anthropic API');
    // After the first request of the session the next one finds a warm process (pool.prewarm first-request).
    await waitFor(
      'a warm CLI process after the first request',
      async () => ((await getJson(port, '/health')).body as Health).processes.warm === 1,
      30_000,
    );
    assert.ok(cliSessions().length >= 1, 'the warm process is a real claude process');
  });

  it('turning warm processes off (cli2api.pool.prewarm) stops the warm one at once; on again, it is back', async function () {
    const health = async () => ((await getJson(port, '/health')).body as Health).processes;
    assert.equal((await health()).warm, 1);
    const before = cliSessions().length;
    await session.editUserSettings({ 'cli2api.pool.prewarm': 'off' });
    await waitFor('the warm process to stop', async () => (await health()).warm === 0, 20_000);
    await waitFor('its claude process to exit', () => cliSessions().length === before - 1, 10_000);
    assert.equal((await health()).idle, 1, 'the idle process keeps its conversation');
    await session.editUserSettings({ 'cli2api.pool.prewarm': undefined });
    await waitFor(
      'a warm process again (a request came this session)',
      async () => (await health()).warm === 1,
      30_000,
    );
  });

  it('streams, and the status bar says "· 1 running" (the label too) while it does', async function () {
    const inFlight = new RegExp(`^CLI2API :${port} · 1 running$`);
    let label = '';
    const stream = await openai(port).chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'slow stream please' }],
    });
    const deltas: string[] = [];
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
      if (!label) label = (await session.statusBarItem(inFlight))?.ariaLabel ?? '';
    }
    assert.equal(deltas.join(''), 'one two three four five');
    assert.equal(label, `CLI2API running on port ${port}, 1 request running`);
    await session.waitForStatusBarItem(running(), 10_000);
  });

  it('Copy Base URL puts the base URL on the clipboard', async function () {
    await run('CLI2API: Copy Base URL');
    await waitFor('the clipboard', async () => (await session.clipboard()) === `http://127.0.0.1:${port}/v1`, 10_000);
  });

  it('Stop while a request runs asks first and says how many; the stream ends with server_stopping', async function () {
    // A request the fake never answers: it runs until the server stops.
    const consumed = (async () => {
      try {
        const stream = await openai(port).chat.completions.create({
          model: 'sonnet',
          stream: true,
          messages: [{ role: 'user', content: 'never answer, until stopped' }],
        });
        for await (const _ of stream) {
          // the stream is cut by the stop
        }
        return 'ended without error';
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    })();
    await session.waitForStatusBarItem(new RegExp(`^CLI2API :${port} · 1 running$`), 15_000);
    await run('CLI2API: Stop Server');
    assert.match(await session.dialog(), /1 request is running\. Stop anyway\?.*503 "server is stopping"/);
    await session.clickDialogButton('Stop Server');
    await session.waitForStatusBarItem(/^CLI2API: stopped$/, 15_000);
    assert.match(await consumed, /stopping/i);
    assert.equal(await isPortOpen(port), false, 'port closed after Stop');
    await session.screenshot('extension-statusbar-stopped', '.part.statusbar');
  });

  it('Start serves again; Restart keeps the port', async function () {
    await run('CLI2API: Start Server');
    await session.waitForStatusBarItem(running(), 15_000);
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'after start' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: after start');
    const listening = () => (session.readLogs(LOG_FILE).match(/CLI2API listening on /g) ?? []).length;
    const before = listening();
    await run('CLI2API: Restart Server');
    await waitFor('the server to listen again', () => listening() === before + 1, 15_000);
    const res2 = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'after restart' }],
    });
    assert.equal(res2.choices[0]?.message.content, 'echo: after restart');
    await session.waitForStatusBarItem(running(), 15_000);
  });

  it("Show Log reveals the channel; a failed request's line says why", async function () {
    await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'for the log' }],
    });
    const bad = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    assert.equal(bad.status, 400);
    await session.clearNotifications();
    await run('CLI2API: Show Log');
    const ok = /POST \/v1\/chat\/completions model=\S+ 200 \d+ms/;
    const failed = /POST \/v1\/chat\/completions 400 invalid_json \d+ms/;
    const panel = await waitFor(
      'the request lines in the CLI2API output channel',
      async () => {
        const p = await session.outputPanel();
        return p.visible && ok.test(p.text) && failed.test(p.text) ? p : undefined;
      },
      15_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; the panel shows: ${JSON.stringify(await session.outputPanel())}`);
    });
    assert.equal(panel.channel, 'CLI2API');
    assert.match(session.readLogs(LOG_FILE), failed);
    await session.screenshot('extension-output');
  });

  it("Connect a Client… shows the live URL, copies a field, and writes Codex's config.toml after a diff", async function () {
    const codexFile = path.join(session.homeDir, '.codex', 'config.toml');
    fs.mkdirSync(path.dirname(codexFile), { recursive: true });
    fs.writeFileSync(codexFile, '# my own settings\nmodel = "gpt-5" # keep me\n\n[features]\nplugins = false\n');
    await run('CLI2API: Connect a Client…');
    const web = session.webview();
    await waitFor(
      'the panel with the base URL',
      async () =>
        (
          await web
            .locator('#server')
            .innerText()
            .catch(() => '')
        ).includes(`http://127.0.0.1:${port}/v1`),
      20_000,
    );
    assert.match(await web.locator('#server').innerText(), /The server runs in this window\..*any key is accepted/s);
    await web.locator('#zoo button.copy').first().click();
    await waitFor(
      'the copied Base URL',
      async () => (await session.clipboard()) === `http://127.0.0.1:${port}/v1`,
      10_000,
    );
    // For the README: the panel without the Output panel below it.
    if (await session.page.locator('.part.panel').isVisible())
      await session.runCommand('View: Toggle Panel Visibility');
    await session.screenshot('extension-connect-panel', '.part.editor');

    await web.locator('#codex button.write').click();
    const dialog = await session.dialog(20_000);
    assert.match(dialog, /Write this change to ~\/\.codex\/config\.toml\?/);
    assert.match(dialog, /codex --profile cli2api/);
    const diffTab = await session.page.locator('.tab.active').first().innerText();
    assert.match(diffTab, /config\.toml/);
    await session.screenshot('extension-connect-diff');
    await session.clickDialogButton('Write');
    await waitFor('the written config.toml', () => /cli2api/.test(fs.readFileSync(codexFile, 'utf8')), 10_000);
    const text = fs.readFileSync(codexFile, 'utf8');
    assert.ok(text.startsWith('# my own settings\nmodel = "gpt-5" # keep me\n'), text);
    const cfg = TOML.parse(text) as { model_providers: Record<string, { base_url: string; wire_api: string }> };
    assert.deepEqual(
      [cfg.model_providers.cli2api?.base_url, cfg.model_providers.cli2api?.wire_api],
      [`http://127.0.0.1:${port}/v1`, 'responses'],
    );
  });

  it('keys: Generate / Set / Clear API Keys protect /v1, and the open panel follows with the real key', async function () {
    const web = session.webview();
    await run('CLI2API: Generate API Key', 'asks');
    await session.page.keyboard.press('Enter'); // no member name
    const key = await waitFor(
      'a generated key on the clipboard',
      async () => {
        const c = await session.clipboard();
        return /^c2a-/.test(c) ? c : undefined;
      },
      10_000,
    );
    await waitFor('the 401 without a key', async () => (await getJson(port, '/v1/models')).status === 401, 10_000);
    assert.equal((await getJson(port, '/v1/models', { authorization: `Bearer ${key}` })).status, 200);
    await run('CLI2API: Connect a Client…');
    await waitFor(
      'the panel to show the key in the curl snippet',
      async () =>
        (
          await web
            .locator('#curl pre')
            .innerText()
            .catch(() => '')
        ).includes(`Authorization: Bearer ${key}`),
      15_000,
    );
    assert.match(await web.locator('#server').innerText(), /API keys are set/);

    await run('CLI2API: Set API Key', 'asks');
    const input = session.page.locator('.quick-input-widget input');
    await session.page.keyboard.press('Enter'); // no member name
    await waitFor(
      'the key box (a password field)',
      async () => (await input.getAttribute('type')) === 'password',
      10_000,
    );
    await input.fill('my-own-key-123');
    await session.page.keyboard.press('Enter');
    await waitFor(
      'the second key to work',
      async () => (await getJson(port, '/v1/models', { authorization: 'Bearer my-own-key-123' })).status === 200,
      10_000,
    );

    await run('CLI2API: Clear API Keys');
    await waitFor('no key needed again', async () => (await getJson(port, '/v1/models')).status === 200, 10_000);
    await waitFor(
      'the panel to drop the key',
      async () =>
        /any key is accepted/.test(
          await web
            .locator('#server')
            .innerText()
            .catch(() => ''),
        ),
      15_000,
    );
  });

  it('the open panel follows a port change made in the settings', async function () {
    const next = await freePort();
    await session.editUserSettings({ 'cli2api.port': next });
    port = next;
    await session.waitForStatusBarItem(running(), 20_000);
    await run('CLI2API: Connect a Client…');
    await waitFor(
      'the panel to show the new port',
      async () =>
        (
          await session
            .webview()
            .locator('#server')
            .innerText()
            .catch(() => '')
        ).includes(`:${next}/v1`),
      15_000,
    );
    await session.runCommand('View: Close All Editors');
  });

  it('Use Another Port… moves this workspace only, leaving the shared user setting alone', async function () {
    const userPort = session.readUserSettings()['cli2api.port'];
    await run('CLI2API: Use Another Port…', 'asks');
    const items = await session.quickPickItems();
    const here = items.find((i) => /in this workspace only$/.test(i));
    assert.ok(here, JSON.stringify(items));
    assert.ok(items.some((i) => /in every window$/.test(i)));
    const next = Number(/:(\d+)/.exec(here)![1]);
    await session.pickQuickPickItem(here);
    port = next;
    await session.waitForStatusBarItem(running(), 20_000);
    assert.equal((await getJson(next, '/v1/models')).status, 200);
    assert.equal(session.readUserSettings()['cli2api.port'], userPort, 'the user setting is unchanged');
    const ws = JSON.parse(
      fs.readFileSync(path.join(session.workspaceDir, '.vscode', 'settings.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(ws['cli2api.port'], next);
  });

  it('Set Claude CLI Path… takes the executable from a file dialog', async function () {
    const real = fs.realpathSync(CLAUDE_BIN);
    await run('CLI2API: Set Claude CLI Path…', 'asks');
    await session.pickFile(real, 'Use This CLI');
    await session.waitForNotification(/CLI2API uses Claude Code CLI \d+\.\d+\.\d+ at/, 20_000);
    assert.equal(session.readUserSettings()['cli2api.claudePath'], real);
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'new path' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: new path');
  });

  it('"Check Claude CLI" runs the doctor: the report in the CLI2API output channel, the summary as a notification', async function () {
    this.timeout(300_000);
    await session.clearNotifications();
    await run('CLI2API: Check Claude CLI');
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
      const client = openai(port, key);
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

  it('every palette command was run from the palette in this suite', function () {
    assert.deepEqual(
      paletteCommands().filter((c) => !ran.has(c)),
      [],
    );
  });

  it('stopping code-server leaves no claude process behind', async function () {
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
    await Promise.race([pending, sleep(5_000)]);
  });
});
