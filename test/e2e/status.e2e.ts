/**
 * A status that is always true, in a real extension host: no `claude` at start is said once
 * (with what to do) and taken back when the CLI appears; a port typed in the Settings UI moves
 * the server once, after typing stops, and a port that cannot be used is refused; a port held
 * by another program is an error whose fix changes this workspace only, and whose notice goes
 * once the server runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CLAUDE_BIN, createFixture, destroyFixture, type Fixture, getJson, LOG_FILE, openai } from './fixture';
import { CodeServerSession, freePort, occupyPort, sleep, waitFor } from './harness';

describe('CLI2API status: the CLI and the port', function () {
  this.timeout(240_000);
  let f: Fixture;
  let session: CodeServerSession;
  let port: number;
  let cliLink: string;
  const item = () => new RegExp(`^CLI2API :${port}$`);
  const NOTICE = /no Claude Code CLI was found/;

  before(async function () {
    f = await createFixture();
    port = await freePort();
    // The configured CLI path does not exist yet: the test creates it later, as an install would.
    session = await CodeServerSession.launch({
      vsix: f.vsix,
      name: 'status',
      settings: f.settings(port, '/nonexistent'),
    });
    cliLink = path.join(session.homeDir, 'bin', 'claude');
  });

  after(async function () {
    await session?.dispose();
    await destroyFixture(f);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session && !session.isDisposed)
      await session.screenshot(`failed-status-${this.currentTest.title.slice(0, 60)}`).catch(() => undefined);
  });

  it('no claude at start: a warning status and one notice with what to do', async function () {
    const status = await session.waitForStatusBarItem(item(), 45_000);
    await waitFor(
      'the status to say the CLI is missing',
      async () => /Claude Code CLI not found/.test((await session.statusBarItem(item()))?.ariaLabel ?? ''),
      15_000,
    ).catch(() => assert.fail(`aria label: ${status.ariaLabel}`));
    const note = await session.waitForNotification(NOTICE, 20_000);
    assert.match(note, /How to install.*Set Path.*Show Log/);
    const links = await session.page.locator('.notifications-toasts .notification-list-item-message a').allInnerTexts();
    assert.deepEqual(links, ['How to install', 'Set Path', 'Show Log']);
    await session.screenshot('status-no-cli');
    await sleep(3000);
    assert.equal((await session.notifications()).filter((n) => NOTICE.test(n)).length, 1, 'shown once');
  });

  it('a request fails with 503 cli_not_found, and the log line says so', async function () {
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 503);
    await waitFor(
      'the log line',
      () => /POST \/v1\/chat\/completions model=sonnet 503 cli_not_found \d+ms/.test(session.readLogs(LOG_FILE)),
      10_000,
    );
  });

  it('Set Path (from the notice) takes the CLI; the notice and the warning go, without a reload', async function () {
    fs.mkdirSync(path.dirname(cliLink), { recursive: true });
    fs.symlinkSync(fs.realpathSync(CLAUDE_BIN), cliLink);
    await session.page
      .locator('.notifications-toasts .notification-list-item-message a', { hasText: 'Set Path' })
      .click();
    await session.pickFile(cliLink, 'Use This CLI');
    await waitFor(
      'the notice to close',
      async () => !(await session.notifications()).some((n) => NOTICE.test(n)),
      20_000,
    );
    await waitFor(
      'the status without the warning',
      async () => (await session.statusBarItem(item()))?.ariaLabel === `CLI2API running on port ${port}`,
      15_000,
    );
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'found it' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: found it');
  });

  it('a port typed in the Settings UI moves the server once, after typing stops', async function () {
    const next = await freePort();
    const moves = () => (session.readLogs(LOG_FILE).match(/Address changed to /g) ?? []).length;
    const before = moves();
    await session.openSettingsUi('cli2api.port');
    // Typed at a person's pace. code-server's Settings UI itself saves a number field only 1 s
    // after the last keystroke, so what reaches the extension may be the whole value at once; the
    // extension's own settling (1.5 s) covers editors that save every keystroke.
    await session.typeIntoSetting('cli2api.port', String(next));
    port = next;
    await session.waitForStatusBarItem(item(), 20_000);
    const log = session.readLogs(LOG_FILE);
    assert.equal(moves(), before + 1, 'one move, not one per keystroke');
    const digits = String(next);
    for (let n = 1; n < digits.length; n++)
      assert.doesNotMatch(
        log,
        new RegExp(`(listening on http://127\\.0\\.0\\.1|Address changed to 127\\.0\\.0\\.1):${digits.slice(0, n)}\\b`),
        'never served on a prefix of the typed port',
      );
    assert.equal((await getJson(next, '/v1/models')).status, 200);
  });

  it('a port another program holds is refused with a message; the server stays where it is', async function () {
    const taken = await freePort();
    const holder = await occupyPort(taken);
    try {
      await session.typeIntoSetting('cli2api.port', String(taken));
      const note = await session.waitForNotification(/cannot use 127\.0\.0\.1:\d+/, 20_000);
      assert.match(
        note,
        new RegExp(
          `cannot use 127\\.0\\.0\\.1:${taken}: port ${taken} is used by another program\\. It stays on 127\\.0\\.0\\.1:${port}`,
        ),
      );
      assert.equal((await getJson(port, '/v1/models')).status, 200, 'still serving on the old port');
      assert.match(await session.statusBarTooltip(item()), new RegExp(`Setting not applied: 127\\.0\\.0\\.1:${taken}`));
    } finally {
      await holder.close();
    }
    await session.runCommand('View: Close Editor');
  });
  it('an invalid setting warns once, with Open Settings — not again on an unrelated change', async function () {
    await session.clearNotifications();
    await session.editUserSettings({ 'cli2api.timeout': -5 });
    const note = await session.waitForNotification(/Setting cli2api\.timeout is invalid/, 15_000);
    assert.match(note, /using the default 300/);
    assert.ok(await session.page.locator('.notifications-toasts .monaco-button', { hasText: 'Open Settings' }).count());
    await session.clearNotifications();
    await session.editUserSettings({ 'cli2api.maxQueue': 10 });
    await waitFor('the change to apply', () => /maxQueue/.test(fs.readFileSync(session.settingsPath, 'utf8')), 5_000);
    await sleep(3000); // a repeated warning would show by now
    assert.deepEqual(
      (await session.notifications()).filter((n) => /cli2api\.timeout/.test(n)),
      [],
      'not shown again',
    );
    await session.editUserSettings({ 'cli2api.timeout': undefined, 'cli2api.maxQueue': undefined });
  });
});

describe('CLI2API when another program holds its port', function () {
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

  it('shows the error and why; the fix moves this workspace only, and the notice goes once it serves', async function () {
    const busy = await freePort();
    holder = await occupyPort(busy);
    session = await CodeServerSession.launch({ vsix: f.vsix, name: 'port-in-use', settings: f.settings(busy) });
    await session.waitForStatusBarItem(/^CLI2API: error$/, 45_000);
    const note = await session.waitForNotification(/could not start/i, 15_000);
    assert.match(note, new RegExp(`Port ${busy} is already in use by another program`));
    assert.match(note, /Use another port in this workspace.*Use another port….*Show Log/);
    assert.match(await session.statusBarTooltip(/^CLI2API: error$/), /already in use by another program/);
    await session.screenshot('extension-port-in-use');
    await session.page
      .locator('.notifications-toasts .notification-list-item-message a', {
        hasText: 'Use another port in this workspace',
      })
      .click();
    const moved = await waitFor(
      'the server on another port',
      async () => {
        const items = await session!.statusBarItems();
        const m = items.map((i) => /^CLI2API :(\d+)$/.exec(i.text)).find(Boolean);
        return m ? Number(m[1]) : undefined;
      },
      30_000,
    );
    assert.notEqual(moved, busy);
    assert.equal((await getJson(moved, '/v1/models')).status, 200);
    await waitFor(
      'the notice to close',
      async () => !(await session!.notifications()).some((n) => /could not start/.test(n)),
      15_000,
    );
    assert.equal(session.readUserSettings()['cli2api.port'], busy, 'the shared user setting is unchanged');
    const ws = JSON.parse(
      fs.readFileSync(path.join(session.workspaceDir, '.vscode', 'settings.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(ws['cli2api.port'], moved);
  });
});
