/**
 * One server for every window, in a real extension host: two browser pages on one code-server
 * are two VS Code windows, each with its own extension host. The first serves; the second
 * stands by with a neutral status and working commands; Stop from either stops the one server;
 * closing the serving window hands the port to the other, and the API answers again.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { createFixture, destroyFixture, type Fixture, getJson, LOG_FILE, openai } from './fixture';
import { CodeServerSession, freePort, isPortOpen, sleep, waitFor, type Workbench } from './harness';

describe('one CLI2API server for every window', function () {
  this.timeout(240_000);
  let f: Fixture;
  let a: CodeServerSession;
  let b: Workbench;
  let port: number;
  const serving = () => new RegExp(`^CLI2API :${port}$`);
  const standing = () => new RegExp(`^CLI2API :${port} \\(another window\\)$`);

  before(async function () {
    f = await createFixture();
    port = await freePort();
    a = await CodeServerSession.launch({ vsix: f.vsix, name: 'windows', settings: f.settings(port) });
  });

  after(async function () {
    await a?.dispose();
    await destroyFixture(f);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !a || a.isDisposed) return;
    const title = this.currentTest.title.slice(0, 60);
    if (!a.page.isClosed()) await a.screenshot(`failed-windows-a-${title}`).catch(() => undefined);
    if (b && !b.page.isClosed()) await b.screenshot(`failed-windows-b-${title}`).catch(() => undefined);
  });

  it('the first window serves; a second window shows "(another window)" — no error, no notification', async function () {
    await a.waitForStatusBarItem(serving(), 45_000);
    b = await a.openWindow(path.join(a.runDir, 'second-project'));
    await b.page.bringToFront();
    const item = await b.waitForStatusBarItem(standing(), 45_000);
    assert.equal(item.ariaLabel, `CLI2API on port ${port}, served by another window`);
    const tooltip = await b.statusBarTooltip(standing());
    assert.match(
      tooltip,
      new RegExp(`serves :${port} from another VS Code window \\(workspace workspace, pid \\d+\\)`),
    );
    assert.match(tooltip, /This window stands by: it takes over if that window closes or its server stops/);
    const size = b.page.viewportSize()!;
    await b.statusBarTooltip(standing());
    await b.screenshotRegion('windows-standby', { x: size.width - 760, y: size.height - 250, width: 760, height: 250 });
    await b.page.mouse.move(0, 0);
    await sleep(2000); // a notification would have shown by now
    assert.deepEqual(
      (await b.notifications()).filter((n) => /CLI2API/.test(n)),
      [],
      'no CLI2API notification in the second window',
    );
    await a.page.bringToFront();
    await a.statusBarTooltip(serving());
    await a.screenshotRegion('windows-serving', { x: size.width - 760, y: size.height - 250, width: 760, height: 250 });
    await a.page.mouse.move(0, 0);
    const health = (await getJson(port, '/health')).body as { runner: { workspace: string } };
    assert.equal(health.runner.workspace, 'workspace', 'the first window serves');
  });

  it("the standing-by window's commands work: Copy Base URL, Connect a Client…, Show Log (where it runs), its menu", async function () {
    await b.page.bringToFront();
    await b.runCommand('CLI2API: Copy Base URL');
    await waitFor('the copied URL', async () => (await b.clipboard()) === `http://127.0.0.1:${port}/v1`, 10_000);
    await b.runCommand('CLI2API: Connect a Client…');
    await waitFor(
      'the panel naming the window that serves',
      async () =>
        new RegExp(`serves :${port} from another VS Code window`).test(
          await b
            .webview()
            .locator('#server')
            .innerText()
            .catch(() => ''),
        ),
      20_000,
    );
    await b.runCommand('View: Close Editor');
    await b.runCommand('CLI2API: Show Log');
    await waitFor(
      'where the server runs, in the log',
      async () => {
        const p = await b.outputPanel();
        return p.visible && new RegExp(`serves :${port} from another VS Code window`).test(p.text);
      },
      15_000,
    );
    await b.clickStatusBarItem(standing());
    try {
      assert.deepEqual(await b.quickPickItems(), [
        'Copy Base URL',
        'Connect a Client…',
        'Show Log',
        'Stop Server',
        'Check Claude CLI',
        'Open Settings',
      ]);
    } finally {
      await b.closeQuickInput();
    }
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'two windows' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: two windows');
  });

  it('Start in the standing-by window says what happens instead of starting a second server', async function () {
    await b.clearNotifications();
    await b.runCommand('CLI2API: Start Server');
    await b.waitForNotification(
      /serves :\d+ from another VS Code window.*takes over by itself if that one closes/,
      15_000,
    );
    await b.clearNotifications();
    assert.ok(await b.statusBarItem(standing()));
  });

  it('Stop in the standing-by window asks, then stops the server in the other one; nobody takes over until Start', async function () {
    await b.runCommand('CLI2API: Stop Server');
    assert.match(await b.dialog(), new RegExp(`CLI2API serves :${port} from another window\\. Stop it there\\?`));
    await b.clickDialogButton('Stop Server');
    await a.waitForStatusBarItem(/^CLI2API: stopped$/, 20_000);
    await b.waitForStatusBarItem(/^CLI2API: stopped$/, 20_000);
    assert.equal(await isPortOpen(port), false);
    await sleep(4000); // several ticks of both watches
    assert.equal(await isPortOpen(port), false, 'no window took over');
    assert.ok(await a.statusBarItem(/^CLI2API: stopped$/));
    await a.page.bringToFront();
    await a.runCommand('CLI2API: Start Server');
    await a.waitForStatusBarItem(serving(), 20_000);
    await b.waitForStatusBarItem(standing(), 20_000);
  });

  it('closing the serving window: the other takes over by itself and the API answers again', async function () {
    const before = ((await getJson(port, '/health')).body as { instance: string }).instance;
    await a.page.close();
    await b.page.bringToFront();
    await b.waitForStatusBarItem(serving(), 30_000);
    const after = ((await getJson(port, '/health')).body as { instance: string; runner: { workspace: string } })
      .instance;
    assert.notEqual(after, before, 'another window serves now');
    const res = await openai(port).chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'taken over' }],
    });
    assert.equal(res.choices[0]?.message.content, 'echo: taken over');
    assert.match(a.readLogs(LOG_FILE), new RegExp(`Port ${port} is free again: this window takes over\\.`));
    await b.screenshot('windows-took-over', '.part.statusbar');
  });
});
